// Named connection settings, kept in <cli home>/cli-profiles.json (mode 0600: it may hold a SASL
// password). `current` is the profile used when no -P is given. Written whole, through a temporary
// file and a rename, so a crash never leaves half a file.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cliHome, profilesFileName } from './cli-home.ts'
import { CliFailure } from './errors.ts'

/** The connection settings a profile may fix (each also a global option of the same name). */
export interface Profile {
  bootstrap?: string
  http?: string
  saslMechanism?: string
  saslUsername?: string
  saslPassword?: string
  tls?: boolean
  tlsCa?: string
  tlsCert?: string
  tlsKey?: string
}

export const profileFields = [
  'bootstrap',
  'http',
  'saslMechanism',
  'saslUsername',
  'saslPassword',
  'tls',
  'tlsCa',
  'tlsCert',
  'tlsKey',
] as const satisfies readonly (keyof Profile)[]

export interface ProfilesFile {
  current: string | null
  profiles: Record<string, Profile>
}

export function profilesPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cliHome(env), profilesFileName)
}

export async function loadProfiles(env: NodeJS.ProcessEnv = process.env): Promise<ProfilesFile> {
  const path = profilesPath(env)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { current: null, profiles: {} }
    throw new CliFailure(`cannot read ${path}: ${(error as Error).message}`, { cause: error })
  }
  try {
    const parsed = JSON.parse(text) as Partial<ProfilesFile>
    return { current: parsed.current ?? null, profiles: parsed.profiles ?? {} }
  } catch (error) {
    throw new CliFailure(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error })
  }
}

export async function saveProfiles(file: ProfilesFile, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const path = profilesPath(env)
  await mkdir(cliHome(env), { recursive: true, mode: 0o700 })
  const temporary = `${path}.${process.pid}.tmp`
  await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 })
  await rename(temporary, path)
}
