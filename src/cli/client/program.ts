// Builds the command tree (commander) and runs one command line: the same function serves the
// executable (main.ts) and each line of the shell. Exit codes: 0 ok, 1 the operation failed,
// 2 usage error (commander's own parse errors included).
import { Command, CommanderError } from 'commander'
import { commandGroups } from './commands/index.ts'
import type { CliIo, ProgramOptions } from './context.ts'
import { describeError, exitCodeOf, exitCodes } from './errors.ts'
import { recordHistory } from './history.ts'
import { addGlobalOptions } from './settings.ts'
import { cliVersion } from './version.ts'

export function buildProgram(io: CliIo, options: ProgramOptions = {}): Command {
  const program = new Command('streamline-cli')
  program
    .description(
      'Drive a Streamline (or any Kafka-compatible) cluster: produce, consume, administer, observe.',
    )
    .version(cliVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
  addGlobalOptions(program)
  for (const register of commandGroups) register(program, io, options)
  program.addHelpText(
    'after',
    "\nExit codes: 0 success, 1 the operation failed, 2 usage error.\nRun `streamline-cli <command> --help` for a command's options; docs/cli.md has examples.",
  )
  applyToAll(program, (command) => {
    command.exitOverride()
    command.configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
  })
  return program
}

function applyToAll(command: Command, apply: (command: Command) => void): void {
  apply(command)
  for (const child of command.commands) applyToAll(child, apply)
}

/** Runs one command line (`args` without the program name); resolves to the exit code. */
export interface RunOptions extends ProgramOptions {
  /** What the history records (the shell records the line as typed, without its global options). */
  historyArgs?: string[]
}

export async function runCli(args: string[], io: CliIo, options: RunOptions = {}): Promise<number> {
  const program = buildProgram(io, options)
  let exitCode: number = exitCodes.ok
  try {
    await program.parseAsync(args, { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its message (or the help / version)
      exitCode = error.exitCode === 0 ? exitCodes.ok : exitCodes.usage
    } else {
      io.stderr.write(`error: ${describeError(error)}\n`)
      exitCode = exitCodeOf(error)
    }
  }
  const recorded = options.historyArgs ?? args
  const commandName = recorded.find((arg) => !arg.startsWith('-'))
  if (
    commandName !== undefined &&
    commandName !== 'history' &&
    commandName !== 'shell' &&
    recorded.length > 0
  ) {
    await recordHistory(io.env, recorded, exitCode)
  }
  return exitCode
}
