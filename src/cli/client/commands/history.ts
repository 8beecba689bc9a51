// `history`: the commands run before (from the command line and the shell), newest last, from
// <cli home>/cli-history.jsonl. -n limits to the last n; --clear empties it.
import { rm } from 'node:fs/promises'
import { Command } from 'commander'
import { type CliContext, type RegisterCommands, runCommand } from '../context.ts'
import { parsePositiveInteger } from '../durations.ts'
import { historyPath, readHistory } from '../history.ts'

async function history(context: CliContext, command: Command): Promise<void> {
  const options = command.opts<{ count?: string; clear?: boolean }>()
  if (options.clear === true) {
    await rm(historyPath(context.io.env), { force: true })
    context.output.result({ cleared: true }, () => context.output.line('history cleared'))
    return
  }
  const entries = await readHistory(context.io.env)
  const shown =
    options.count === undefined ? entries : entries.slice(-parsePositiveInteger(options.count, '--count'))
  const firstNumber = entries.length - shown.length + 1
  context.output.result({ history: shown }, () => {
    shown.forEach((entry, index) => {
      const status = entry.exitCode === 0 ? '' : `  (exit ${entry.exitCode})`
      context.output.line(
        `${String(firstNumber + index).padStart(5)}  ${entry.time}  ${entry.args.join(' ')}${status}`,
      )
    })
  })
}

export const registerHistory: RegisterCommands = (program, io) => {
  program.addCommand(
    new Command('history')
      .description('commands run before (command line and shell)')
      .option('-n, --count <n>', 'only the last n')
      .option('--clear', 'forget the history')
      .action(runCommand(io, history)),
  )
}
