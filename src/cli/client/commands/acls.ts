// `acls list|add|remove`: CreateAcls, DescribeAcls and DeleteAcls through @platformatic/kafka, with
// Kafka's resource types, pattern types, operations and permissions (lower-case or upper-case, '-'
// or '_').
import { Command, Option } from 'commander'
import { type CliContext, type RegisterCommands, runCommand } from '../context.ts'
import { UsageError } from '../errors.ts'

const resourceTypes = {
  any: 1,
  topic: 2,
  group: 3,
  cluster: 4,
  transactional_id: 5,
  delegation_token: 6,
  user: 7,
} as const
const patternTypes = { any: 1, match: 2, literal: 3, prefixed: 4 } as const
const operations = {
  any: 1,
  all: 2,
  read: 3,
  write: 4,
  create: 5,
  delete: 6,
  alter: 7,
  describe: 8,
  cluster_action: 9,
  describe_configs: 10,
  alter_configs: 11,
  idempotent_write: 12,
  create_tokens: 13,
  describe_tokens: 14,
} as const
const permissions = { any: 1, deny: 2, allow: 3 } as const

function lookup<T extends Record<string, number>>(
  table: T,
  text: string,
  option: string,
  allowAny: boolean,
): T[keyof T] {
  const key = text.toLowerCase().replaceAll('-', '_')
  const value = table[key as keyof T]
  if (value === undefined || (!allowAny && key === 'any')) {
    const names = Object.keys(table).filter((name) => allowAny || name !== 'any')
    throw new UsageError(`${option}: '${text}' is not one of ${names.join(', ')}`)
  }
  return value
}

const nameOf = (table: Record<string, number>, value: number): string =>
  (Object.entries(table).find(([, entry]) => entry === value)?.[0] ?? String(value)).toUpperCase()

interface AclOptions {
  resourceType?: string
  resourceName?: string
  patternType?: string
  principal?: string
  host?: string
  operation?: string
  permission?: string
}

function aclOf(options: AclOptions, isFilter: boolean) {
  const required = (value: string | undefined, option: string): string => {
    if (value === undefined) throw new UsageError(`acls add needs ${option}`)
    return value
  }
  const orAny = (value: string | undefined, option: string): string =>
    isFilter ? (value ?? 'any') : required(value, option)
  const resourceType = lookup(
    resourceTypes,
    orAny(options.resourceType, '--resource-type'),
    '--resource-type',
    isFilter,
  )
  return {
    resourceType,
    resourceName: isFilter
      ? (options.resourceName ?? null)
      : resourceType === 4
        ? (options.resourceName ?? 'kafka-cluster')
        : required(options.resourceName, '--resource-name'),
    resourcePatternType: lookup(
      patternTypes,
      options.patternType ?? (isFilter ? 'any' : 'literal'),
      '--pattern-type',
      isFilter,
    ),
    principal: isFilter ? (options.principal ?? null) : required(options.principal, '--principal'),
    host: isFilter ? (options.host ?? null) : (options.host ?? '*'),
    operation: lookup(operations, orAny(options.operation, '--operation'), '--operation', isFilter),
    permissionType: lookup(
      permissions,
      options.permission ?? (isFilter ? 'any' : 'allow'),
      '--permission',
      isFilter,
    ),
  }
}

interface AclRow {
  resourceType: string
  resourceName: string
  patternType: string
  principal: string
  host: string
  operation: string
  permission: string
}

function printAcls(context: CliContext, rows: AclRow[], document: object): void {
  context.output.result(document, () =>
    context.output.table(
      ['resourceType', 'resourceName', 'patternType', 'principal', 'host', 'operation', 'permission'].map(
        (key) => ({
          header: key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`),
          key,
        }),
      ),
      rows.map((row) => ({ ...row })),
    ),
  )
}

async function list(context: CliContext, command: Command): Promise<void> {
  const admin = await context.kafka.admin()
  const resources = await context.kafka.call(
    'describing ACLs',
    admin.describeAcls({ filter: aclOf(command.opts<AclOptions>(), true) }),
  )
  const rows: AclRow[] = resources.flatMap((resource) =>
    resource.acls.map((acl) => ({
      resourceType: nameOf(resourceTypes, resource.resourceType),
      resourceName: resource.resourceName,
      patternType: nameOf(patternTypes, resource.resourcePatternType),
      principal: acl.principal,
      host: acl.host,
      operation: nameOf(operations, acl.operation),
      permission: nameOf(permissions, acl.permissionType),
    })),
  )
  printAcls(context, rows, { acls: rows })
}

async function add(context: CliContext, command: Command): Promise<void> {
  const acl = aclOf(command.opts<AclOptions>(), false) as Parameters<
    Awaited<ReturnType<CliContext['kafka']['admin']>>['createAcls']
  >[0]['creations'][number]
  const admin = await context.kafka.admin()
  await context.kafka.call('creating an ACL', admin.createAcls({ creations: [acl] }))
  const row: AclRow = {
    resourceType: nameOf(resourceTypes, acl.resourceType),
    resourceName: acl.resourceName,
    patternType: nameOf(patternTypes, acl.resourcePatternType),
    principal: acl.principal,
    host: acl.host,
    operation: nameOf(operations, acl.operation),
    permission: nameOf(permissions, acl.permissionType),
  }
  printAcls(context, [row], { created: row })
}

async function remove(context: CliContext, command: Command): Promise<void> {
  const admin = await context.kafka.admin()
  const deleted = await context.kafka.call(
    'deleting ACLs',
    admin.deleteAcls({ filters: [aclOf(command.opts<AclOptions>(), true)] }),
  )
  const rows: AclRow[] = deleted.map((acl) => ({
    resourceType: nameOf(resourceTypes, acl.resourceType),
    resourceName: acl.resourceName,
    patternType: nameOf(patternTypes, acl.resourcePatternType),
    principal: acl.principal,
    host: acl.host,
    operation: nameOf(operations, acl.operation),
    permission: nameOf(permissions, acl.permissionType),
  }))
  printAcls(context, rows, { deleted: rows })
}

function withAclOptions(command: Command, forFilter: boolean): Command {
  const suffix = forFilter ? ' (filter; default any)' : ''
  return command
    .addOption(
      new Option(
        '--resource-type <type>',
        `topic, group, cluster, transactional-id, delegation-token, user${suffix}`,
      ),
    )
    .addOption(
      new Option(
        '--resource-name <name>',
        `resource name${forFilter ? suffix : ' (cluster: kafka-cluster)'}`,
      ),
    )
    .addOption(
      new Option(
        '--pattern-type <type>',
        `literal or prefixed${forFilter ? ' (also any, match)' : ' (default literal)'}`,
      ),
    )
    .addOption(new Option('--principal <principal>', `e.g. User:alice, User:*${suffix}`))
    .addOption(new Option('--host <host>', `client address or *${forFilter ? suffix : ' (default *)'}`))
    .addOption(
      new Option(
        '--operation <operation>',
        `read, write, create, delete, alter, describe, all, cluster-action, describe-configs, alter-configs, idempotent-write, ...${suffix}`,
      ),
    )
    .addOption(
      new Option('--permission <permission>', `allow or deny${forFilter ? suffix : ' (default allow)'}`),
    )
}

export const registerAcls: RegisterCommands = (program, io) => {
  const acls = new Command('acls').description(
    'list, add and remove ACLs (the broker needs authorizer = true)',
  )
  withAclOptions(acls.command('list').description('list ACLs matching a filter'), true).action(
    runCommand(io, list),
  )
  withAclOptions(acls.command('add').description('add one ACL'), false)
    .addHelpText(
      'after',
      '\nExample: streamline-cli acls add --resource-type topic --resource-name orders. --pattern-type prefixed --principal User:bob --operation read',
    )
    .action(runCommand(io, add))
  withAclOptions(acls.command('remove').description('remove every ACL matching a filter'), true).action(
    runCommand(io, remove),
  )
  program.addCommand(acls)
}
