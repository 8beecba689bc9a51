// `profile list|add|remove|use|show`: named connection settings in <cli home>/cli-profiles.json.
// `-P <name>` (global) uses one for a command; `profile use <name>` makes one the default.
import { Command } from 'commander'
import { type RegisterCommands, runCommand } from '../context.ts'
import { UsageError } from '../errors.ts'
import { loadProfiles, type Profile, profileFields, saveProfiles } from '../profiles.ts'
import { saslMechanisms } from '../settings.ts'

function maskProfile(profile: Profile): Profile {
  return profile.saslPassword === undefined ? profile : { ...profile, saslPassword: '***' }
}

export const registerProfile: RegisterCommands = (program, io) => {
  const profile = new Command('profile').description(
    'named connection settings (bootstrap, HTTP URL, security)',
  )

  profile
    .command('list')
    .description('list the saved profiles; * marks the current one')
    .action(
      runCommand(io, async (context) => {
        const file = await loadProfiles(io.env)
        const rows = Object.entries(file.profiles)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, entry]) => ({
            current: name === file.current ? '*' : '',
            name,
            bootstrap: entry.bootstrap,
            http: entry.http,
            sasl:
              entry.saslMechanism === undefined ? undefined : `${entry.saslMechanism}:${entry.saslUsername}`,
            tls: entry.tls === true || entry.tlsCa !== undefined ? 'yes' : 'no',
          }))
        context.output.result(
          {
            current: file.current,
            profiles: Object.fromEntries(Object.entries(file.profiles).map(([n, p]) => [n, maskProfile(p)])),
          },
          () =>
            context.output.table(
              [
                { header: '', key: 'current' },
                { header: 'name', key: 'name' },
                { header: 'bootstrap', key: 'bootstrap' },
                { header: 'http', key: 'http' },
                { header: 'sasl', key: 'sasl' },
                { header: 'tls', key: 'tls' },
              ],
              rows,
            ),
        )
      }),
    )

  profile
    .command('add')
    .description('save (or replace) a profile from the connection options given with it')
    .argument('<name>', 'profile name')
    .option('--use', 'also make it the current profile')
    .addHelpText(
      'after',
      '\nExample: streamline-cli profile add prod -b kafka1:9092 --sasl-mechanism SCRAM-SHA-512 --sasl-username ops --sasl-password ...',
    )
    .action(
      runCommand(io, async (context, command) => {
        const [name] = command.args
        if (!/^[\w.-]+$/.test(name))
          throw new UsageError(`profile name '${name}' may hold letters, digits, '.', '_' and '-' only`)
        const values = command.optsWithGlobals<Record<string, unknown>>()
        const entry: Profile = {}
        for (const field of profileFields) {
          const value = values[field]
          if (value !== undefined) (entry as Record<string, unknown>)[field] = value
        }
        if (
          entry.saslMechanism !== undefined &&
          !(saslMechanisms as readonly string[]).includes(entry.saslMechanism)
        ) {
          throw new UsageError(
            `--sasl-mechanism: '${entry.saslMechanism}' is not one of ${saslMechanisms.join(', ')}`,
          )
        }
        const file = await loadProfiles(io.env)
        file.profiles[name] = entry
        if (command.opts<{ use?: boolean }>().use === true || file.current === null) file.current = name
        await saveProfiles(file, io.env)
        context.output.result({ name, profile: maskProfile(entry), current: file.current === name }, () =>
          context.output.line(`saved profile ${name}${file.current === name ? ' (current)' : ''}`),
        )
      }),
    )

  profile
    .command('remove')
    .description('delete a profile')
    .argument('<name>', 'profile name')
    .action(
      runCommand(io, async (context, command) => {
        const [name] = command.args
        const file = await loadProfiles(io.env)
        if (file.profiles[name] === undefined) throw new UsageError(`no profile named '${name}'`)
        delete file.profiles[name]
        if (file.current === name) file.current = null
        await saveProfiles(file, io.env)
        context.output.result({ removed: name }, () => context.output.line(`removed profile ${name}`))
      }),
    )

  profile
    .command('use')
    .description('make a profile the default for commands without -P')
    .argument('<name>', 'profile name')
    .action(
      runCommand(io, async (context, command) => {
        const [name] = command.args
        const file = await loadProfiles(io.env)
        if (file.profiles[name] === undefined) throw new UsageError(`no profile named '${name}'`)
        file.current = name
        await saveProfiles(file, io.env)
        context.output.result({ current: name }, () => context.output.line(`using profile ${name}`))
      }),
    )

  program.addCommand(profile)
}
