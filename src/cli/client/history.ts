// The persisted command history: one JSON line per command run (time, arguments, exit code) in
// <cli home>/cli-history.jsonl, shared by the command line and the shell. Bounded: past
// historyEntriesMax lines the oldest half is dropped.
import { appendFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cliHome, historyFileName } from './cli-home.ts'

/** Why: a history that only grows slows every `history` and shell start; 10k commands is months. */
export const historyEntriesMax = 10_000

export interface HistoryEntry {
  time: string
  args: string[]
  exitCode: number
}

export function historyPath(env: NodeJS.ProcessEnv): string {
  return join(cliHome(env), historyFileName)
}

export async function readHistory(env: NodeJS.ProcessEnv): Promise<HistoryEntry[]> {
  let text: string
  try {
    text = await readFile(historyPath(env), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const entries: HistoryEntry[] = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    try {
      entries.push(JSON.parse(line) as HistoryEntry)
    } catch {
      // a line cut by a crash mid-append: skip it, keep the rest
    }
  }
  return entries
}

/** Appends one entry; never fails the command (history is a convenience). */
export async function recordHistory(env: NodeJS.ProcessEnv, args: string[], exitCode: number): Promise<void> {
  if (env.STREAMLINE_CLI_NO_HISTORY === '1') return
  const safeArgs = args.map((arg, index) => (args[index - 1] === '--sasl-password' ? '***' : arg))
  try {
    await mkdir(cliHome(env), { recursive: true, mode: 0o700 })
    const entry: HistoryEntry = { time: new Date().toISOString(), args: safeArgs, exitCode }
    await appendFile(historyPath(env), `${JSON.stringify(entry)}\n`, { mode: 0o600 })
    if ((await stat(historyPath(env))).size < historyEntriesMax * 100) return // cheap check first
    const entries = await readHistory(env)
    if (entries.length > historyEntriesMax) {
      const kept = entries.slice(entries.length - historyEntriesMax / 2)
      await writeFile(historyPath(env), kept.map((item) => `${JSON.stringify(item)}\n`).join(''), {
        mode: 0o600,
      })
    }
  } catch {
    // an unwritable home directory must not turn a successful command into a failure
  }
}
