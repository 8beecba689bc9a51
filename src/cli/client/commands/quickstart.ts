// `quickstart`: a first session in one command. Finds a broker at --bootstrap or starts one here (the
// `streamline` server beside this CLI, detached, logging to <data dir>/streamline.log, left running
// for the user), creates a topic, produces a first message and reads it back, then shows what to try
// next. On a terminal it asks at each step (Enter takes the default); -y takes every default without
// asking; anywhere else it is a usage error rather than a silent guess.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, openSync } from 'node:fs'
import { connect } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { Command } from 'commander'
import { type CliContext, type RegisterCommands, runCommand } from '../context.ts'
import { CliFailure, UsageError } from '../errors.ts'
import { cliOnlyVariables } from '../settings.ts'
import { topicMetadata } from '../topic-metadata.ts'

interface QuickstartOptions {
  topic: string
  message: string
  dataDir: string
}

const readyTimeoutMs = 60_000
type Ask = (question: string, fallback: string) => Promise<string>

/** Questions on a terminal; with -y every default, said out loud. */
async function asker(context: CliContext): Promise<{ ask: Ask; close: () => void }> {
  if (context.settings.yes) {
    return {
      ask: async (question, fallback) => {
        context.output.note(`${question} ${fallback}`)
        return fallback
      },
      close: () => {},
    }
  }
  const stdin = context.io.stdin as Readable & { isTTY?: boolean }
  if (stdin.isTTY !== true)
    throw new UsageError('quickstart asks questions: run it in a terminal, or pass -y to take the defaults')
  const { createInterface } = await import('node:readline/promises')
  const prompt = createInterface({ input: stdin, output: context.io.stderr })
  return {
    ask: async (question, fallback) => {
      const answer = (await prompt.question(`${question} [${fallback}] `)).trim()
      return answer === '' ? fallback : answer
    },
    close: () => prompt.close(),
  }
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolveReachable) => {
    const socket = connect({ host, port })
    socket.setTimeout(2000)
    const done = (answer: boolean) => {
      socket.destroy()
      resolveReachable(answer)
    }
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
    socket.once('timeout', () => done(false))
  })
}

/** How to run the server that ships beside this CLI (the bundle, or the sources under tsx). */
function serverCommand(): string[] {
  const main = process.argv[1] ?? ''
  if (main.endsWith('.ts')) return ['--import', 'tsx', join(dirname(main), '..', 'streamline.ts')]
  const bundled = join(dirname(main), 'streamline.js')
  if (!existsSync(bundled))
    throw new CliFailure(`cannot find the streamline server at ${bundled}: start it yourself and rerun`)
  return [bundled]
}

function hostPort(entry: string): { host: string; port: number } {
  const at = entry.lastIndexOf(':')
  return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) }
}

async function startBroker(
  context: CliContext,
  bootstrap: string,
  dataDir: string,
): Promise<{ pid: number; log: string }> {
  mkdirSync(dataDir, { recursive: true })
  const log = join(dataDir, 'streamline.log')
  const logFd = openSync(log, 'a')
  const env = { ...context.io.env }
  for (const name of cliOnlyVariables) delete env[name]
  const http = new URL(context.settings.httpUrl)
  const args = [
    ...serverCommand(),
    '--listen-addr',
    bootstrap,
    '--http-addr',
    `${http.hostname}:${http.port === '' ? '80' : http.port}`,
    '--data-dir',
    dataDir,
  ]
  const child: ChildProcess = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env,
  })
  child.unref()
  const pid = child.pid
  if (pid === undefined) throw new CliFailure(`could not start the streamline server (see ${log})`)
  const { host, port } = hostPort(bootstrap)
  const deadline = Date.now() + readyTimeoutMs
  while (!(await reachable(host, port))) {
    if (child.exitCode !== null) throw new CliFailure(`the streamline server exited at start: see ${log}`)
    if (Date.now() > deadline)
      throw new CliFailure(`the streamline server did not listen within 60 s: see ${log}`)
    await new Promise((wait) => setTimeout(wait, 200))
  }
  return { pid, log }
}

async function createOrReuse(context: CliContext, topic: string): Promise<boolean> {
  const admin = await context.kafka.admin()
  const existing = await context.kafka.call('listing topics', admin.listTopics())
  if (existing.includes(topic)) return false
  await context.kafka.call(
    `creating topic ${topic}`,
    admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 }),
  )
  return true
}

async function quickstart(context: CliContext, command: Command): Promise<void> {
  const options = command.opts<QuickstartOptions>()
  const { ask, close } = await asker(context)
  const say = (text: string) => {
    if (!context.output.json) context.output.line(text)
  }
  try {
    const bootstrap = context.settings.bootstrap[0]
    const { host, port } = hostPort(bootstrap)
    let started: { pid: number; log: string; dataDir: string } | null = null
    if (await reachable(host, port)) say(`1/4 broker: found one at ${bootstrap}`)
    else {
      const answer = await ask(`No broker at ${bootstrap}. Start one here? (y/n)`, 'y')
      if (!/^y(es)?$/i.test(answer))
        throw new CliFailure(`no broker at ${bootstrap}: start one (streamline) and rerun`)
      const dataDir = resolve(await ask('Data directory?', options.dataDir))
      const { pid, log } = await startBroker(context, bootstrap, dataDir)
      started = { pid, log, dataDir }
      say(`1/4 broker: started streamline at ${bootstrap} (pid ${pid}, data in ${dataDir}, log ${log})`)
    }
    const topic = await ask('Topic name?', options.topic)
    const created = await createOrReuse(context, topic)
    say(`2/4 topic: ${created ? 'created' : 'using the existing topic'} ${topic}`)
    const message = await ask('A first message?', options.message)
    const metadata = await topicMetadata(context, topic)
    const producer = await context.kafka.producer({ acks: -1 })
    const sent = await context.kafka.call(
      `writing to ${topic}`,
      producer.send({ messages: [{ topic, partition: 0, value: Buffer.from(message) }] }),
    )
    const offset = sent.offsets?.[0]?.offset ?? -1n
    say(`3/4 produce: wrote "${message}" to ${topic}, partition 0, offset ${offset}`)
    const consumer = await context.kafka.consumer('streamline-cli-quickstart')
    const fetched = await context.kafka.call(
      `reading ${topic}`,
      consumer.fetch({
        node: metadata.leaders[0] ?? 0,
        topics: [
          {
            topicId: metadata.id,
            partitions: [
              {
                partition: 0,
                fetchOffset: offset,
                partitionMaxBytes: 1024 * 1024,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
              },
            ],
          },
        ],
      }),
    )
    const batch = fetched.responses[0]?.partitions[0]?.records?.[0]
    const record = batch?.records.find((entry) => batch.firstOffset + BigInt(entry.offsetDelta) === offset)
    const readBack = record?.value?.toString('utf8') ?? null
    if (readBack !== message)
      throw new CliFailure(`read back ${JSON.stringify(readBack)} at offset ${offset}, expected the message`)
    say(`4/4 consume: read back "${readBack}" from partition 0, offset ${offset}`)
    const target = bootstrap === '127.0.0.1:9092' ? '' : ` -b ${bootstrap}`
    context.output.result(
      {
        bootstrap,
        brokerStarted: started !== null,
        pid: started?.pid ?? null,
        dataDir: started?.dataDir ?? null,
        log: started?.log ?? null,
        topic,
        topicCreated: created,
        partition: 0,
        offset: offset.toString(),
        message,
      },
      () => {
        say('')
        say('Next:')
        say(`  streamline-cli${target} produce ${topic} --template '{"n":{{i}}}' -n 10`)
        say(`  streamline-cli${target} consume ${topic} --show-offsets`)
        say(`  streamline-cli${target} top`)
        if (started !== null) say(`  kill ${started.pid}      # stops the broker started here`)
      },
    )
  } finally {
    close()
  }
}

export const registerQuickstart: RegisterCommands = (program, io) => {
  program.addCommand(
    new Command('quickstart')
      .description(
        'a first session: find or start a local broker, create a topic, produce and consume a message',
      )
      .option('--topic <name>', 'the topic to create (asked on a terminal)', 'quickstart')
      .option('--message <text>', 'the first message (asked on a terminal)', 'hello, streamline')
      .option(
        '--data-dir <dir>',
        'where a broker started here keeps its data (asked on a terminal)',
        'streamline-data',
      )
      .addHelpText(
        'after',
        `
On a terminal each step asks first (Enter takes the default shown); -y takes every default.
A broker started here keeps running after quickstart ends (its pid is printed; kill it to stop).
--format json prints {"bootstrap","brokerStarted","pid","dataDir","log","topic","topicCreated",
"partition","offset","message"}.

Examples:
  streamline-cli quickstart
  streamline-cli quickstart -y --topic first-steps --data-dir /tmp/streamline-data`,
      )
      .action(runCommand(io, quickstart)),
  )
}
