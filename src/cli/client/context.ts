// What a command runs with: resolved settings, the output formatter, the Kafka clients (created on
// first use), Streamline's HTTP API, and an AbortSignal that fires on Ctrl-C. `runCommand` wraps a
// command's action so that every command gets the same setup and the same cleanup.
import { createWriteStream } from 'node:fs'
import type { Readable, Writable } from 'node:stream'
import type { Command } from 'commander'
import { CliFailure, UsageError } from './errors.ts'
import { KafkaClients } from './kafka-clients.ts'
import { Output } from './output.ts'
import { type GlobalOptionValues, type ResolvedSettings, resolveSettings } from './settings.ts'

/** The process's streams and environment (the shell passes its own; tests spawn the real binary). */
export interface CliIo {
  stdin: Readable
  stdout: Writable
  stderr: Writable
  env: NodeJS.ProcessEnv
  stdoutIsTerminal: boolean
  /** Fires on Ctrl-C (SIGINT): commands that run until stopped end cleanly with a summary. */
  interrupt: AbortSignal
}

export interface ProgramOptions {
  /** Inside the shell, `shell` is not offered again. */
  inShell?: boolean
}

/** Each file under commands/ exports one of these: it adds its command (group) to the program. */
export type RegisterCommands = (program: Command, io: CliIo, options: ProgramOptions) => void

export class CliContext {
  readonly io: CliIo
  readonly settings: ResolvedSettings
  readonly output: Output
  readonly kafka: KafkaClients
  readonly #fileStream: Writable | undefined

  constructor(io: CliIo, settings: ResolvedSettings, output: Output, fileStream: Writable | undefined) {
    this.io = io
    this.settings = settings
    this.output = output
    this.kafka = new KafkaClients(settings)
    this.#fileStream = fileStream
  }

  get interrupt(): AbortSignal {
    return this.io.interrupt
  }

  /** GET (or another method) on Streamline's HTTP API, bounded by --timeout; JSON answers parsed. */
  async http(
    path: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: unknown; text: string }> {
    const url = `${this.settings.httpUrl}${path}`
    let response: Response
    try {
      // The SASL user (--sasl-username/--sasl-password) logs in to the HTTP API too, as basic auth.
      const sasl = this.settings.sasl
      const headers: Record<string, string> = {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(sasl === undefined
          ? {}
          : {
              authorization: `Basic ${Buffer.from(`${sasl.username}:${sasl.password}`).toString('base64')}`,
            }),
      }
      response = await fetch(url, {
        method: init.method ?? 'GET',
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      })
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name
      throw new CliFailure(`cannot reach Streamline's HTTP API at ${url} (${cause})`, { cause: error })
    }
    const text = await response.text()
    let body: unknown = text
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      try {
        body = JSON.parse(text)
      } catch {
        body = text // an HTTP API answering bad JSON: keep the text for the message
      }
    }
    return { status: response.status, body, text }
  }

  /** Asks a yes/no question on a terminal; -y answers yes; without a terminal it is a usage error. */
  async confirm(question: string): Promise<boolean> {
    if (this.settings.yes) return true
    const stdin = this.io.stdin as Readable & { isTTY?: boolean }
    if (stdin.isTTY !== true) throw new UsageError(`${question} Not on a terminal: pass -y/--yes to confirm`)
    const { createInterface } = await import('node:readline/promises')
    const prompt = createInterface({ input: stdin, output: this.io.stderr })
    try {
      const answer = await prompt.question(`${question} [y/N] `)
      return /^y(es)?$/i.test(answer.trim())
    } finally {
      prompt.close()
    }
  }

  async close(): Promise<void> {
    await this.kafka.close()
    const stream = this.#fileStream
    if (stream !== undefined) await new Promise<void>((resolve) => stream.end(resolve))
  }
}

export async function createContext(command: Command, io: CliIo): Promise<CliContext> {
  const values = command.optsWithGlobals<GlobalOptionValues>()
  const settings = await resolveSettings(values, io.env, io.stdoutIsTerminal)
  const fileStream = settings.outputFile === undefined ? undefined : createWriteStream(settings.outputFile)
  const output = new Output({
    format: settings.format,
    color: settings.color,
    stdout: fileStream ?? io.stdout,
    stderr: io.stderr,
  })
  return new CliContext(io, settings, output, fileStream)
}

export type CommandHandler = (context: CliContext, command: Command) => Promise<void>

/** The action of every command: a context in, the same cleanup out, whatever happens. */
export function runCommand(io: CliIo, handler: CommandHandler): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command
    const context = await createContext(command, io)
    try {
      await handler(context, command)
    } finally {
      await context.close()
    }
  }
}
