// `shell`: a REPL that runs every command without the `streamline-cli` prefix, with the global
// options the shell was started with. History is kept in the shared history file (and recalled with
// the arrow keys); Tab completes commands, subcommands, options and topic and group names. Ctrl-C
// stops the running command (or clears the line); `exit`, `quit` or Ctrl-D leave.
import { createInterface } from 'node:readline'
import { Command } from 'commander'
import { type CliContext, type CliIo, type RegisterCommands, runCommand } from '../context.ts'
import { readHistory } from '../history.ts'
import { globalOptions } from '../settings.ts'
import { topicPartitionCounts } from '../topic-state.ts'

/** Splits a line like a shell: spaces separate, '…' and "…" group, \ escapes. */
export function splitArguments(line: string): string[] {
  const args: string[] = []
  let current = ''
  let quote: string | null = null
  let started = false
  for (let index = 0; index < line.length; index++) {
    const char = line[index]
    if (quote !== null) {
      if (char === quote) quote = null
      else if (char === '\\' && quote === '"' && index + 1 < line.length) current += line[++index]
      else current += char
    } else if (char === "'" || char === '"') {
      quote = char
      started = true
    } else if (char === '\\' && index + 1 < line.length) {
      current += line[++index]
      started = true
    } else if (/\s/.test(char)) {
      if (started) args.push(current)
      current = ''
      started = false
    } else {
      current += char
      started = true
    }
  }
  if (started) args.push(current)
  return args
}

/** The global options given to `shell`, as arguments to put before each line's command. */
function globalArguments(command: Command): string[] {
  const values = command.optsWithGlobals<Record<string, unknown>>()
  const args: string[] = []
  for (const option of globalOptions()) {
    const key = option.attributeName()
    const value = values[key]
    if (option.long === '--no-color') {
      if (value === false) args.push('--no-color')
    } else if (typeof value === 'string') args.push(option.long ?? '', value)
    else if (value === true) args.push(option.long ?? '')
  }
  return args
}

interface Names {
  topics: string[]
  groups: string[]
}

async function loadNames(context: CliContext): Promise<Names> {
  try {
    const topics = [...(await topicPartitionCounts(context)).keys()]
    const admin = await context.kafka.admin()
    const groups = [...(await context.kafka.call('listing groups', admin.listGroups())).keys()].sort()
    return { topics, groups }
  } catch {
    return { topics: [], groups: [] } // completion of names is a convenience: no broker, no names
  }
}

/** Candidates for the last word of a line, from the command tree and the names on the broker. */
export function complete(program: Command, names: Names, line: string): [string[], string] {
  const words = splitArguments(line)
  const partial = /\s$/.test(line) || line === '' ? '' : (words.pop() ?? '')
  let command = program
  for (const word of words) {
    const child = command.commands.find((candidate) => candidate.name() === word)
    if (child !== undefined) command = child
  }
  const previous = words.at(-1)
  let candidates: string[]
  if (partial.startsWith('-')) {
    candidates = [...command.options, ...program.options].flatMap((option) => [option.long ?? ''])
  } else if (previous === '--group' || (command.parent?.name() === 'groups' && command.name() !== 'list')) {
    candidates = names.groups
  } else if (command.commands.length > 0) {
    candidates = command.commands.map((child) => child.name()).filter((name) => name !== 'help')
  } else {
    candidates = names.topics
  }
  if (command === program) candidates = [...candidates, 'exit']
  const hits = candidates.filter((candidate) => candidate.startsWith(partial)).sort()
  return [hits.map((hit) => `${hit} `), partial]
}

async function shell(context: CliContext, command: Command): Promise<void> {
  const { runCli, buildProgram } = await import('../program.ts')
  const prefix = globalArguments(command)
  const names = await loadNames(context)
  const program = buildProgram(context.io, { inShell: true })
  const history = (await readHistory(context.io.env)).map((entry) => entry.args.join(' ')).reverse()
  const lines = createInterface({
    input: context.io.stdin,
    output: context.io.stdout,
    prompt: 'streamline> ',
    history,
    historySize: 1000,
    completer: (line: string) => complete(program, names, line),
  })
  let running: AbortController | null = null
  lines.on('SIGINT', () => {
    if (running !== null) running.abort()
    else {
      context.io.stdout.write('^C (exit, quit or Ctrl-D to leave)\n')
      lines.prompt()
    }
  })
  context.io.stdout.write(
    `Streamline shell: commands without the streamline-cli prefix; Tab completes; 'help' lists commands, 'exit' leaves.\n`,
  )
  lines.prompt()
  for await (const line of lines) {
    const args = splitArguments(line)
    if (args[0] === 'exit' || args[0] === 'quit') break
    if (args.length > 0) {
      running = new AbortController()
      const io: CliIo = { ...context.io, interrupt: running.signal }
      lines.pause()
      await runCli([...prefix, ...(args[0] === 'help' && args.length === 1 ? ['--help'] : args)], io, {
        inShell: true,
        historyArgs: args,
      })
      lines.resume()
      running = null
      Object.assign(names, await loadNames(context))
    }
    lines.prompt()
  }
  lines.close()
}

export const registerShell: RegisterCommands = (program, io, options) => {
  if (options.inShell === true) return
  program.addCommand(
    new Command('shell')
      .description('interactive shell: every command without the prefix, history, Tab completion')
      .action(runCommand(io, shell)),
  )
}
