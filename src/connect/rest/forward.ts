// Kafka's completeOrForwardRequest: a request this worker may not answer (a config write on a
// follower, a task restart for a task another worker runs) is sent on to the worker that may, and its
// answer relayed as is. The `forward` query parameter bounds the hops as Kafka's does: absent (from a
// user) → forwarded with forward=true; true → may be forwarded once more with forward=false; false →
// 409, as Kafka answers when the group is rebalancing.

import type { IncomingMessage } from 'node:http'
import { rebalanceConflictMessage } from '../runtime/herder.ts'
import { type Answer, errorAnswer } from './http-answer.ts'

const forwardTimeoutMs = 30_000

export async function forwardRequest(
  request: IncomingMessage,
  requestUrl: URL,
  targetBase: string,
  body: Buffer,
): Promise<Answer> {
  const forward = requestUrl.searchParams.get('forward')
  if (forward === 'false') return errorAnswer(409, rebalanceConflictMessage)
  const target = new URL(`${requestUrl.pathname}${requestUrl.search}`, targetBase)
  target.searchParams.set('forward', forward === null ? 'true' : 'false')
  const method = request.method ?? 'GET'
  let answer: Response
  try {
    answer = await fetch(target, {
      method,
      headers: body.length > 0 ? { 'content-type': 'application/json' } : {},
      body: body.length > 0 && method !== 'GET' ? body : undefined,
      signal: AbortSignal.timeout(forwardTimeoutMs),
    })
  } catch (error) {
    // The leader (or owner) is gone: the group is about to rebalance.
    return errorAnswer(
      409,
      `${rebalanceConflictMessage}: forwarding to ${targetBase} failed (${(error as Error).message})`,
    )
  }
  const text = await answer.text()
  if (text.trim() === '') return { status: answer.status }
  try {
    return { status: answer.status, body: JSON.parse(text) }
  } catch {
    return errorAnswer(
      502,
      `The worker at ${targetBase} answered ${answer.status} with a body that is not JSON`,
    )
  }
}
