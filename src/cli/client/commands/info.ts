// `info`: the cluster at a glance — cluster id, controller, brokers, the Kafka APIs the broker
// serves, topics, partitions and bytes on disk. Metadata, ApiVersions, DescribeLogDirs.
import { Command } from 'commander'
import { type CliContext, type RegisterCommands, runCommand } from '../context.ts'
import { partitionSizes, topicPartitionCounts } from '../topic-state.ts'

export interface ClusterInfo {
  clusterId: string
  controllerId: number
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[]
  apis: number
  topics: number
  partitions: number
  sizeBytes: bigint
}

export async function clusterInfo(context: CliContext): Promise<ClusterInfo> {
  const admin = await context.kafka.admin()
  const metadata = await context.kafka.call('reading metadata', admin.metadata({ forceUpdate: true }))
  const apis = await context.kafka.call('listing API versions', admin.listApis())
  const counts = await topicPartitionCounts(context)
  const sizes = await partitionSizes(context, counts)
  let sizeBytes = 0n
  for (const perPartition of sizes.values()) for (const size of perPartition) sizeBytes += size
  return {
    clusterId: metadata.id,
    controllerId: metadata.controllerId,
    brokers: [...metadata.brokers].map(([nodeId, broker]) => ({
      nodeId,
      host: broker.host,
      port: broker.port,
      rack: broker.rack ?? null,
    })),
    apis: apis.length,
    topics: counts.size,
    partitions: [...counts.values()].reduce((sum, count) => sum + count, 0),
    sizeBytes,
  }
}

async function info(context: CliContext): Promise<void> {
  const cluster = await clusterInfo(context)
  context.output.result(cluster, () => {
    context.output.fields([
      ['cluster id', cluster.clusterId],
      ['controller', cluster.controllerId],
      [
        'brokers',
        cluster.brokers.map((broker) => `${broker.nodeId}@${broker.host}:${broker.port}`).join(', '),
      ],
      ['kafka apis', cluster.apis],
      ['topics', cluster.topics],
      ['partitions', cluster.partitions],
      ['size', `${cluster.sizeBytes} bytes`],
    ])
  })
}

export const registerInfo: RegisterCommands = (program, io) => {
  program.addCommand(
    new Command('info')
      .description('cluster id, brokers, APIs, topics, partitions, bytes')
      .action(runCommand(io, info)),
  )
}
