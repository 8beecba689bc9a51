// `users list|add|remove`: SCRAM credentials. On a live broker through DescribeUserScramCredentials
// and AlterUserScramCredentials (raw calls: @platformatic/kafka has the codecs but no Admin method);
// with --users-file, the broker's users file (YAML) is edited offline instead.
import { pbkdf2Sync, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { Command, Option } from 'commander'
import { type CliContext, type RegisterCommands, runCommand } from '../context.ts'
import { parsePositiveInteger } from '../durations.ts'
import { CliFailure, describeError, UsageError } from '../errors.ts'
import { loadPlatformatic } from '../kafka-clients.ts'

const mechanisms = {
  'SCRAM-SHA-256': { id: 1, hash: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { id: 2, hash: 'sha512', bytes: 64 },
} as const
type Mechanism = keyof typeof mechanisms
const mechanismName = (id: number): string =>
  id === 1 ? 'SCRAM-SHA-256' : id === 2 ? 'SCRAM-SHA-512' : `mechanism ${id}`

interface UsersFile {
  users?: Record<string, { password?: string; mechanisms?: string[]; iterations?: number }>
}

type YamlModule = typeof import('yaml')

/** yaml is CommonJS inside the bundle: its functions may sit on `default`. */
async function loadYaml(): Promise<YamlModule> {
  const loaded = (await import('yaml')) as YamlModule & { default?: YamlModule }
  return typeof loaded.parse === 'function' ? loaded : (loaded.default as YamlModule)
}

async function readUsersFile(path: string): Promise<UsersFile> {
  const { parse } = await loadYaml()
  try {
    return (parse(await readFile(path, 'utf8')) as UsersFile | null) ?? {}
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new CliFailure(`cannot read ${path}: ${(error as Error).message}`)
  }
}

async function writeUsersFile(path: string, file: UsersFile): Promise<void> {
  const { stringify } = await loadYaml()
  await writeFile(path, stringify(file), { mode: 0o600 })
}

interface UserRow {
  user: string
  mechanisms: { mechanism: string; iterations: number | null }[]
}

async function listLive(context: CliContext): Promise<UserRow[]> {
  const { describeUserScramCredentialsV0 } = await loadPlatformatic()
  const connection = await context.kafka.call('connecting', context.kafka.connection())
  const answer = await context.kafka.call(
    'describing SCRAM users',
    describeUserScramCredentialsV0.api.async(connection, null as unknown as []),
  )
  return answer.results
    .map((result) => ({
      user: result.user,
      mechanisms: result.credentialInfos.map((info) => ({
        mechanism: mechanismName(info.mechanism),
        iterations: info.iterations,
      })),
    }))
    .sort((a, b) => a.user.localeCompare(b.user))
}

async function list(context: CliContext, command: Command): Promise<void> {
  const { usersFile } = command.opts<{ usersFile?: string }>()
  let rows: UserRow[]
  if (usersFile !== undefined) {
    const file = await readUsersFile(usersFile)
    rows = Object.entries(file.users ?? {})
      .map(([user, entry]) => ({
        user,
        mechanisms: (entry.mechanisms ?? Object.keys(mechanisms)).map((mechanism) => ({
          mechanism,
          iterations: entry.iterations ?? 4096,
        })),
      }))
      .sort((a, b) => a.user.localeCompare(b.user))
  } else {
    rows = await listLive(context)
  }
  context.output.result({ users: rows }, () =>
    context.output.table(
      [
        { header: 'user', key: 'user' },
        { header: 'mechanisms', key: 'text' },
      ],
      rows.map((row) => ({
        user: row.user,
        text: row.mechanisms.map((entry) => `${entry.mechanism} (${entry.iterations} iterations)`).join(', '),
      })),
    ),
  )
}

async function alterLive(
  context: CliContext,
  deletions: { name: string; mechanism: number }[],
  upsertions: { name: string; mechanism: number; iterations: number; salt: Buffer; saltedPassword: Buffer }[],
): Promise<void> {
  const { alterUserScramCredentialsV0 } = await loadPlatformatic()
  const connection = await context.kafka.call('connecting', context.kafka.connection())
  const answer = await context.kafka.call(
    'altering SCRAM users',
    alterUserScramCredentialsV0.api.async(connection, deletions, upsertions),
  )
  const failed = answer.results.find((result) => result.errorCode !== 0)
  if (failed !== undefined) {
    const { ProtocolError } = await loadPlatformatic()
    throw new CliFailure(describeError(new ProtocolError(failed.errorCode, failed.errorMessage)))
  }
}

async function add(context: CliContext, command: Command): Promise<void> {
  const [user] = command.args
  const options = command.opts<{
    password?: string
    mechanism: Mechanism
    iterations: string
    usersFile?: string
  }>()
  const password = options.password ?? context.io.env.STREAMLINE_USER_PASSWORD
  if (password === undefined || password === '')
    throw new UsageError('users add needs --password (or STREAMLINE_USER_PASSWORD)')
  const iterations = parsePositiveInteger(options.iterations, '--iterations')
  if (options.usersFile !== undefined) {
    const file = await readUsersFile(options.usersFile)
    file.users = { ...file.users, [user]: { password, mechanisms: [options.mechanism], iterations } }
    await writeUsersFile(options.usersFile, file)
  } else {
    const mechanism = mechanisms[options.mechanism]
    const salt = randomBytes(32)
    const saltedPassword = pbkdf2Sync(password, salt, iterations, mechanism.bytes, mechanism.hash)
    await alterLive(context, [], [{ name: user, mechanism: mechanism.id, iterations, salt, saltedPassword }])
  }
  context.output.result(
    { user, mechanism: options.mechanism, iterations, usersFile: options.usersFile ?? null },
    () =>
      context.output.line(
        `added ${options.mechanism} credential for ${user}${options.usersFile === undefined ? '' : ` in ${options.usersFile}`}`,
      ),
  )
}

async function remove(context: CliContext, command: Command): Promise<void> {
  const [user] = command.args
  const options = command.opts<{ mechanism?: Mechanism; usersFile?: string }>()
  if (options.usersFile !== undefined) {
    const file = await readUsersFile(options.usersFile)
    if (file.users?.[user] === undefined)
      throw new CliFailure(`RESOURCE_NOT_FOUND: no user '${user}' in ${options.usersFile}`)
    delete file.users[user]
    await writeUsersFile(options.usersFile, file)
  } else {
    const existing = (await listLive(context)).find((row) => row.user === user)
    const names = (existing?.mechanisms ?? [])
      .map((entry) => entry.mechanism)
      .filter((name) => options.mechanism === undefined || name === options.mechanism)
    if (names.length === 0)
      throw new CliFailure(
        `RESOURCE_NOT_FOUND: user '${user}' has no ${options.mechanism ?? 'SCRAM'} credential`,
      )
    await alterLive(
      context,
      names.map((name) => ({ name: user, mechanism: mechanisms[name as Mechanism].id })),
      [],
    )
  }
  context.output.result({ removed: user }, () => context.output.line(`removed user ${user}`))
}

export const registerUsers: RegisterCommands = (program, io) => {
  const users = new Command('users').description(
    'SCRAM users: live (AlterUserScramCredentials) or in a users file',
  )
  const fileOption = (): Option =>
    new Option('--users-file <path>', "edit the broker's users file (YAML) instead of a live broker")
  users
    .command('list')
    .description('list users and their SCRAM mechanisms')
    .addOption(fileOption())
    .action(runCommand(io, list))
  users
    .command('add')
    .description('add a user, or change its password')
    .argument('<user>', 'user name')
    .option('--password <password>', 'the password (or env STREAMLINE_USER_PASSWORD)')
    .addOption(
      new Option('--mechanism <mechanism>', 'SCRAM mechanism')
        .choices(Object.keys(mechanisms))
        .default('SCRAM-SHA-512'),
    )
    .option('--iterations <n>', 'PBKDF2 iterations (4096 to 16384)', '4096')
    .addOption(fileOption())
    .action(runCommand(io, add))
  users
    .command('remove')
    .description("remove a user's credentials (all mechanisms unless --mechanism)")
    .argument('<user>', 'user name')
    .addOption(new Option('--mechanism <mechanism>', 'only this mechanism').choices(Object.keys(mechanisms)))
    .addOption(fileOption())
    .action(runCommand(io, remove))
  program.addCommand(users)
}
