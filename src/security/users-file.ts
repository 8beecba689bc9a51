// The users file (`--auth-users-file`): bootstrap credentials, YAML (.yaml/.yml) or TOML (.toml).
//
//   users:
//     alice:
//       password: alice-secret               # turned into SCRAM credentials at start, then dropped
//       mechanisms: [SCRAM-SHA-256, SCRAM-SHA-512]   # optional; default both
//       iterations: 8192                      # optional; 4096 to 16384, default 4096
//
// Each user gets a SCRAM credential per mechanism (random salt); PLAIN logins check the password
// against it. Errors name the file and the user, never the password.

import { readFile } from 'node:fs/promises'
import { parse as parseToml } from 'smol-toml'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { ConfigError } from '../errors.ts'
import type { ScramCredentialOfUser } from './credential-store.ts'
import { credentialFromPassword, scramIterationsMax, scramIterationsMin, scramMechanisms } from './scram.ts'

/** Users a file may define (each costs two PBKDF2 runs at start). */
export const usersFileUsersMax = 10_000

const userSchema = z
  .object({
    password: z.string().min(1),
    mechanisms: z
      .array(z.enum(scramMechanisms as [string, ...string[]]))
      .min(1)
      .optional(),
    iterations: z.number().int().min(scramIterationsMin).max(scramIterationsMax).optional(),
  })
  .strict()

const usersFileSchema = z
  .object({ users: z.record(z.string().min(1), userSchema) })
  .strict()
  .refine((file) => Object.keys(file.users).length <= usersFileUsersMax, {
    message: `at most ${usersFileUsersMax} users`,
  })

function parseDocument(fileName: string, text: string): unknown {
  try {
    return fileName.endsWith('.toml') ? parseToml(text) : parseYaml(text)
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new ConfigError('security.auth_users_file', `${fileName} does not parse: ${detail}`)
  }
}

/** Parses a users file's text into credentials (PBKDF2 per user and mechanism). */
export async function credentialsFromUsersText(
  fileName: string,
  text: string,
): Promise<ScramCredentialOfUser[]> {
  const result = usersFileSchema.safeParse(parseDocument(fileName, text))
  if (!result.success) {
    const issue = result.error.issues[0]
    // The path names the user and field; zod's message never echoes the value.
    throw new ConfigError(
      'security.auth_users_file',
      `${fileName}: ${issue.path.join('.')}: ${issue.message}`,
    )
  }
  const credentials: ScramCredentialOfUser[] = []
  for (const [user, entry] of Object.entries(result.data.users)) {
    const mechanisms = entry.mechanisms ?? scramMechanisms
    for (const mechanism of scramMechanisms) {
      if (!mechanisms.includes(mechanism)) continue
      const credential = await credentialFromPassword(mechanism, entry.password, entry.iterations)
      credentials.push({ user, credential })
    }
  }
  return credentials
}

export async function readUsersFile(fileName: string): Promise<ScramCredentialOfUser[]> {
  let text: string
  try {
    text = await readFile(fileName, 'utf8')
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ConfigError('security.auth_users_file', `cannot read ${fileName}: ${reason}`)
  }
  return credentialsFromUsersText(fileName, text)
}
