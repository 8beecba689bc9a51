// `groups list|describe|delete` (reset: groups-reset.ts). ListGroups, DescribeGroups, OffsetFetch,
// ListOffsets (for lag) and DeleteGroups through @platformatic/kafka's Admin.
import { Command } from 'commander'
import { type CliContext, type RegisterCommands, runCommand } from '../context.ts'
import { CliFailure } from '../errors.ts'
import { describeGroup } from '../group-state.ts'
import { registerGroupsReset } from './groups-reset.ts'

async function list(context: CliContext): Promise<void> {
  const admin = await context.kafka.admin()
  const groups = await context.kafka.call('listing groups', admin.listGroups())
  const rows = [...groups.values()]
    .map((group) => ({ groupId: group.id, state: group.state, protocolType: group.protocolType }))
    .sort((a, b) => a.groupId.localeCompare(b.groupId))
  context.output.result({ groups: rows }, () =>
    context.output.table(
      [
        { header: 'group', key: 'groupId' },
        { header: 'state', key: 'state' },
        { header: 'type', key: 'protocolType' },
      ],
      rows,
    ),
  )
}

async function describe(context: CliContext, command: Command): Promise<void> {
  const [groupId] = command.args
  const view = await describeGroup(context, groupId)
  context.output.result(view, () => {
    context.output.fields([
      ['group', view.groupId],
      ['state', view.state],
      ['protocol', view.protocol === '' ? '-' : `${view.protocolType}/${view.protocol}`],
      ['members', view.members.length],
      ['total lag', view.totalLag],
    ])
    context.output.line()
    context.output.table(
      [
        { header: 'topic', key: 'topic' },
        { header: 'partition', key: 'partition', alignRight: true },
        { header: 'committed', key: 'committedOffset', alignRight: true },
        { header: 'end', key: 'endOffset', alignRight: true },
        { header: 'lag', key: 'lag', alignRight: true },
        { header: 'member', key: 'memberId' },
      ],
      view.offsets.map((entry) => ({ ...entry })),
    )
    if (view.members.length > 0) {
      context.output.line()
      context.output.table(
        [
          { header: 'member', key: 'memberId' },
          { header: 'client', key: 'clientId' },
          { header: 'host', key: 'clientHost' },
          { header: 'assignment', key: 'assignment' },
        ],
        view.members.map((member) => ({
          ...member,
          assignment: member.assignments
            .map((entry) => `${entry.topic}[${entry.partitions.join(',')}]`)
            .join(' '),
        })),
      )
    }
  })
}

async function remove(context: CliContext, command: Command): Promise<void> {
  const groups = command.args
  if (!(await context.confirm(`Delete group ${groups.join(', ')} and its committed offsets?`)))
    throw new CliFailure('not deleted')
  const admin = await context.kafka.admin()
  await context.kafka.call(`deleting ${groups.join(', ')}`, admin.deleteGroups({ groups }))
  context.output.result({ deleted: groups }, () => context.output.line(`deleted group ${groups.join(', ')}`))
}

export const registerGroups: RegisterCommands = (program, io) => {
  const groups = new Command('groups').description(
    'list, describe (members, lag), delete and reset consumer groups',
  )
  groups.command('list').description('list consumer groups').action(runCommand(io, list))
  groups
    .command('describe')
    .description('state, members, assignments, committed offsets and lag per partition')
    .argument('<group>', 'group id')
    .action(runCommand(io, describe))
  groups
    .command('delete')
    .description('delete groups (must have no members; asks first, -y in scripts)')
    .argument('<groups...>', 'group ids')
    .action(runCommand(io, remove))
  registerGroupsReset(groups, io)
  program.addCommand(groups)
}
