// A real S3 API server process for tiered storage tests: the `s3rver` npm package run as a child
// process on 127.0.0.1 (port 0 on first start), with one bucket. `stop()` ends the process (an
// outage); `start()` brings it back on the same port with the same data directory. Every test that
// starts one stops it.
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { makeTempDir, removeTempDir, repositoryRoot } from './broker-process.ts'

const startTimeoutMs = 20_000
export const s3rverAccessKey = 'S3RVER'

export interface S3Server {
  endpoint: string
  port: number
  bucket: string
  directory: string
  /** Restarts the process on the same port (after stop()). */
  start(): Promise<void>
  /** SIGTERM and wait for the exit (the data directory stays). */
  stop(): Promise<void>
  /** stop() and remove the data directory. */
  dispose(): Promise<void>
}

function launch(
  directory: string,
  port: number,
  bucket: string,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      join(repositoryRoot, 'node_modules/s3rver/bin/s3rver.js'),
      '--directory',
      directory,
      '--address',
      '127.0.0.1',
      '--port',
      String(port),
      '--configure-bucket',
      bucket,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`s3rver did not start within ${startTimeoutMs} ms: ${output}`))
    }, startTimeoutMs)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const match = /S3rver listening on [^:]+:(\d+)/.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        child.stderr?.resume()
        resolve({ child, port: Number(match[1]) })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`s3rver exited with ${code}: ${output}`))
    })
  })
}

export async function startS3Server(bucket = 'streamline-tiered'): Promise<S3Server> {
  const directory = await makeTempDir('streamline-s3rver-')
  let { child, port } = await launch(directory, 0, bucket)
  let running: ChildProcess | null = child
  const stop = async (): Promise<void> => {
    const current = running
    running = null
    if (current === null || current.exitCode !== null) return
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()))
    current.kill('SIGTERM')
    await exited
  }
  return {
    get endpoint() {
      return `http://127.0.0.1:${port}`
    },
    get port() {
      return port
    },
    bucket,
    directory,
    async start() {
      if (running !== null) return
      ;({ child, port } = await launch(directory, port, bucket))
      running = child
    },
    stop,
    async dispose() {
      await stop()
      await removeTempDir(directory)
    },
  }
}
