// Runs a Python script with Debian's interpreter (/usr/bin/python3, which sees python3-kafka and
// python3-confluent-kafka) and returns the JSON document it prints as the last line of stdout.
// The run is bounded: the interpreter is killed after `timeoutMs`.
import { execFile } from 'node:child_process'
import { debianPython } from './clients.ts'

export interface RunPythonOptions {
  /** Passed as sys.argv[1:]. */
  args?: string[]
  timeoutMs?: number
}

const defaultTimeoutMs = 60_000
const outputBytesMax = 16 * 1024 * 1024

/** Runs `script` and parses the last non-empty stdout line as JSON; rejects with stderr on failure. */
export function runPython(script: string, options: RunPythonOptions = {}): Promise<unknown> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs
  return new Promise((resolvePromise, reject) => {
    execFile(
      debianPython,
      ['-c', script, ...(options.args ?? [])],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: outputBytesMax, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const reason = error.killed ? `killed after ${timeoutMs} ms` : error.message
          reject(
            new Error(
              `python script failed (${reason})\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`,
            ),
          )
          return
        }
        const lines = stdout.trim().split('\n')
        const last = lines[lines.length - 1] ?? ''
        try {
          resolvePromise(JSON.parse(last))
        } catch (parseError) {
          reject(
            new Error(
              `python script did not end with a JSON line (${String(parseError)})\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`,
            ),
          )
        }
      },
    )
  })
}
