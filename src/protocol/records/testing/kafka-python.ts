// Test support: runs test/fixtures/records/kafka_python_bridge.py with Debian's /usr/bin/python3 (which
// has python3-kafka, python3-lz4, python3-snappy, python3-zstandard, python3-xxhash), so tests compare
// our codecs with kafka-python's. In CI (CI=true) a missing interpreter or module fails the test; on a
// laptop the test is skipped with a message naming what to install.

import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const pythonPath = '/usr/bin/python3'
const bridgePath = fileURLToPath(
  new URL('../../../../test/fixtures/records/kafka_python_bridge.py', import.meta.url),
)
const debianPackages = 'python3-kafka python3-lz4 python3-snappy python3-zstandard python3-xxhash'

export type BridgeRequest = { op: string } & Record<string, unknown>
export type BridgeResult = Record<string, unknown>

/** Sends requests to the bridge in one process; throws when any request failed on the Python side. */
export function callKafkaPython(requests: BridgeRequest[]): BridgeResult[] {
  const output = execFileSync(pythonPath, [bridgePath], {
    input: JSON.stringify(requests),
    maxBuffer: 256 * 1024 * 1024,
  })
  const results = JSON.parse(output.toString('utf8')) as BridgeResult[]
  results.forEach((result, index) => {
    if (typeof result.error === 'string') throw new Error(`kafka-python request ${index}: ${result.error}`)
  })
  return results
}

/**
 * Why the cross-check cannot run here, or null when it can. In CI this throws instead, so a missing
 * package fails the build rather than silently skipping the comparison.
 */
export function kafkaPythonUnavailable(): string | null {
  let reason: string | null = null
  if (!existsSync(pythonPath)) {
    reason = `${pythonPath} not found`
  } else {
    const [result] = callKafkaPython([{ op: 'check_modules' }])
    const missing = result.missing as string[]
    if (missing.length > 0) reason = `${pythonPath} lacks ${missing.join(', ')}`
  }
  if (reason === null) return null
  const message = `${reason}: apt-get install -y ${debianPackages}`
  if (process.env.CI === 'true') throw new Error(`cross-check with kafka-python required in CI: ${message}`)
  return message
}

export function toBase64(bytes: Buffer | null | undefined): string | null {
  return bytes === null || bytes === undefined ? null : bytes.toString('base64')
}

export function fromBase64(text: unknown): Buffer | null {
  return text === null ? null : Buffer.from(text as string, 'base64')
}
