// Where the CLI keeps its files: connection profiles and command history. STREAMLINE_CLI_HOME wins
// (tests use it); then $XDG_CONFIG_HOME/streamline; then ~/.config/streamline.
import { homedir } from 'node:os'
import { join } from 'node:path'

export function cliHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STREAMLINE_CLI_HOME !== undefined && env.STREAMLINE_CLI_HOME !== '') return env.STREAMLINE_CLI_HOME
  const configHome =
    env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== ''
      ? env.XDG_CONFIG_HOME
      : join(homedir(), '.config')
  return join(configHome, 'streamline')
}

export const profilesFileName = 'cli-profiles.json'
export const historyFileName = 'cli-history.jsonl'
