// A tiny JSON client for the admin API in tests: method, path, optional body → status and parsed body.

export interface ApiAnswer {
  status: number
  body: unknown
}

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) }
}

/** Fields of an object answer, for assertions on parts of it. */
export function fields(answer: ApiAnswer): Record<string, unknown> {
  if (typeof answer.body !== 'object' || answer.body === null)
    throw new Error(`not an object: ${JSON.stringify(answer.body)}`)
  return answer.body as Record<string, unknown>
}
