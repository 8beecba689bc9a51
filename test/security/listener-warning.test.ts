// Goal: a listener reachable from the network without authentication logs a clear warning, and
// the default (loopback) listener does not. Method: the broker CLI started with --listen-addr
// 0.0.0.0:0, then with the default 127.0.0.1; the warn-level (40) JSON log lines are compared exactly.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startBrokerProcess } from '../helpers/broker-process.ts'

function warnings(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string })
    .filter((entry) => entry.level === 40)
    .map((entry) => entry.msg)
}

test('a PLAINTEXT listener on 0.0.0.0 warns; the loopback default does not', async () => {
  const open = await startBrokerProcess({ args: ['--listen-addr', '0.0.0.0:0'] })
  const openWarnings = warnings(open.output())
  await open.stop()
  assert.deepEqual(openWarnings, [
    'listener PLAINTEXT on 0.0.0.0 is reachable from the network without SASL authentication: anyone who can connect can read and write every topic (see docs/security.md)',
  ])
  const local = await startBrokerProcess()
  const localWarnings = warnings(local.output())
  await local.stop()
  assert.deepEqual(localWarnings, [])
})
