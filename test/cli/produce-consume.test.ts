// Goal: `streamline-cli produce` and `consume` against a real broker process, exact output.
// Method: one broker (test/helpers/broker-process.ts); topics and reference records made with
// kafkajs (a second, independent client: records with fixed timestamps for --at/--until); the CLI run
// as a child process (cli-harness.ts). Asserts stdout, stderr (timings masked) and exit codes, and
// reads what the CLI produced back with kafkajs.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { type CliHarness, startCliHarness, withoutTimings } from './cli-harness.ts'

const base = 1_700_000_000_000 // 2023-11-14T22:13:20.000Z

describe('streamline-cli produce / consume', () => {
  let broker: BrokerProcess
  let cli: CliHarness
  let kafka: Kafka
  const run = (args: string[], options = {}) => cli.run(['-b', broker.bootstrap, ...args], options)

  before(async () => {
    // No initial rebalance delay: each `consume --group` run joins its group anew.
    ;[broker, cli] = await Promise.all([
      startBrokerProcess({ args: ['--groups-initial-rebalance-delay-ms', '0'] }),
      startCliHarness(),
    ])
    kafka = new Kafka({ clientId: 'cli-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({
      topics: [
        { topic: 'written', numPartitions: 3 },
        { topic: 'history', numPartitions: 1 },
        { topic: 'json', numPartitions: 1 },
        { topic: 'templated', numPartitions: 1 },
      ],
    })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'history',
      messages: [0, 1, 2, 3, 4].map((index) => ({
        key: `k${index}`,
        value: `event ${index} ${index % 2 === 0 ? 'even' : 'ODD'}`,
        timestamp: String(base + index * 3_600_000),
        headers: { n: String(index) },
      })),
    })
    await producer.send({
      topic: 'json',
      messages: [
        { value: JSON.stringify({ user: { id: 'ada' }, total: 3 }) },
        { value: 'not json' },
        { value: JSON.stringify({ user: { id: 'bob' }, items: [1, 2] }) },
        { value: JSON.stringify({ other: true }) },
      ],
    })
    await producer.disconnect()
  })

  after(async () => {
    await Promise.all([broker?.stop(), cli?.close()])
  })

  it('produces one record with key, headers and partition, and prints where it went', async () => {
    const result = await run([
      'produce',
      'written',
      '-m',
      'hello',
      '-k',
      'user-1',
      '-H',
      'source=web',
      '-H',
      'v=2',
      '-p',
      '1',
    ])
    assert.deepEqual(
      [result.code, result.stdout, result.stderr],
      [0, 'produced 1 record to written: partition 1, offset 0\n', ''],
    )
    const consumed = await run([
      'consume',
      'written',
      '-p',
      '1',
      '--show-offsets',
      '--show-headers',
      '--show-keys',
    ])
    assert.equal(consumed.stdout, '1:0\tsource=web,v=2\tuser-1\thello\n')
    assert.equal(withoutTimings(consumed.stderr), 'consumed 1 record from written in T s\n')
  })

  it('produces stdin lines with --key-separator (keys go where Java clients put them) and a JSON summary', async () => {
    const result = await run(['produce', 'written', '--key-separator', ':', '--format', 'json'], {
      input: 'a:1\nb:2\na:3\n',
    })
    assert.equal(result.code, 0, result.stderr)
    const summary = JSON.parse(result.stdout) as {
      topic: string
      count: number
      partitions: { partition: number; count: number }[]
    }
    assert.equal(summary.topic, 'written')
    assert.equal(summary.count, 3)
    // The same keys through kafkajs's default (Java-compatible) partitioner land on the same partitions.
    const consumed = await run([
      'consume',
      'written',
      '--show-keys',
      '--grep-key',
      '--grep',
      '^[ab]$',
      '--format',
      'json',
    ])
    const rows = consumed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { partition: number; key: string; value: string })
    const partitionOfA = rows.filter((row) => row.key === 'a').map((row) => row.partition)
    assert.deepEqual(rows.map((row) => `${row.key}=${row.value}`).sort(), ['a=1', 'a=3', 'b=2'])
    assert.equal(new Set(partitionOfA).size, 1)
    const producer = kafka.producer()
    await producer.connect()
    const [written] = await producer.send({
      topic: 'written',
      messages: [{ key: 'a', value: 'via-kafkajs' }],
    })
    await producer.disconnect()
    assert.equal(written.partition, partitionOfA[0])
  })

  it('renders templates: {{i}}, {{random}}, {{now}}, {{uuid}}, {{timestamp}}', async () => {
    const result = await run([
      'produce',
      'templated',
      '-n',
      '3',
      '--template',
      '{{i}}|{{random:5:5}}|{{now:%Y}}|{{uuid}}|{{timestamp}}',
    ])
    assert.deepEqual(
      [result.code, result.stdout],
      [0, 'produced 3 records to templated (partition 0: offsets 0-2)\n'],
    )
    const consumed = await run(['consume', 'templated'])
    const lines = consumed.stdout.trim().split('\n')
    assert.equal(lines.length, 3)
    lines.forEach((line, index) => {
      const [i, random, year, uuid, timestamp] = line.split('|')
      assert.deepEqual([i, random, year], [String(index), '5', String(new Date().getUTCFullYear())])
      assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      assert.ok(Math.abs(Number(timestamp) - Date.now()) < 120_000)
    })
  })

  it('consumes with every --show column, in text and JSON', async () => {
    const text = await run([
      'consume',
      'history',
      '-n',
      '2',
      '--show-offsets',
      '--show-timestamps',
      '--show-headers',
      '--show-keys',
    ])
    assert.equal(text.code, 0)
    assert.equal(
      text.stdout,
      '0:0\t2023-11-14T22:13:20.000Z\tn=0\tk0\tevent 0 even\n0:1\t2023-11-14T23:13:20.000Z\tn=1\tk1\tevent 1 ODD\n',
    )
    const json = await run(['consume', 'history', '--offset', '4', '--format', 'json'])
    assert.equal(
      json.stdout,
      `${JSON.stringify({ topic: 'history', partition: 0, offset: '4', timestamp: base + 4 * 3_600_000, key: 'k4', value: 'event 4 even', headers: [{ key: 'n', value: '4' }] })}\n`,
    )
  })

  it('travels in time: --at (ISO and epoch ms), --until, --last', async () => {
    const at = await run(['consume', 'history', '--at', '2023-11-15T00:13:20Z', '--show-offsets'])
    assert.equal(at.stdout, '0:2\tevent 2 even\n0:3\tevent 3 ODD\n0:4\tevent 4 even\n')
    const window = await run([
      'consume',
      'history',
      '--at',
      String(base + 3_600_000),
      '--until',
      '2023-11-15T00:13:20Z',
    ])
    assert.equal(window.stdout, 'event 1 ODD\nevent 2 even\n')
    assert.equal(
      withoutTimings(window.stderr),
      'consumed 2 records from history (3 read) in T s (reached --until)\n',
    )
    const last = await run(['consume', 'history', '--last', '1h'])
    assert.deepEqual([last.code, last.stdout], [0, '']) // every record is from 2023
  })

  it('filters: --grep with -i and -v, --grep-key, --sample N', async () => {
    assert.equal(
      (await run(['consume', 'history', '--grep', 'odd', '-i'])).stdout,
      'event 1 ODD\nevent 3 ODD\n',
    )
    assert.equal(
      (await run(['consume', 'history', '--grep', 'ODD', '-v'])).stdout,
      'event 0 even\nevent 2 even\nevent 4 even\n',
    )
    assert.equal(
      (await run(['consume', 'history', '--grep', '^k[34]$', '--grep-key'])).stdout,
      'event 3 ODD\nevent 4 even\n',
    )
    assert.equal(
      (await run(['consume', 'history', '--sample', '2'])).stdout,
      'event 0 even\nevent 2 even\nevent 4 even\n',
    )
    assert.equal((await run(['consume', 'history', '--sample', '100%', '-n', '1'])).stdout, 'event 0 even\n')
  })

  it('--jq prints a JSONPath of JSON values and skips the rest', async () => {
    assert.equal((await run(['consume', 'json', '--jq', '$.user.id'])).stdout, 'ada\nbob\n')
    assert.equal((await run(['consume', 'json', '--jq', '$.items[*]'])).stdout, '[1,2]\n')
    const json = await run(['consume', 'json', '--jq', '$.total', '--format', 'json'])
    assert.equal((JSON.parse(json.stdout) as { value: unknown }).value, 3)
  })

  it('--group commits: a second run continues where the first stopped', async () => {
    const first = await run(['consume', 'history', '--group', 'readers', '-n', '2'])
    assert.equal(first.stdout, 'event 0 even\nevent 1 ODD\n')
    const second = await run(['consume', 'history', '--group', 'readers'])
    assert.equal(second.stdout, 'event 2 even\nevent 3 ODD\nevent 4 even\n')
  })

  it('--follow waits for new records and Ctrl-C ends it with a summary', async () => {
    // --offset 5 (the next offset): the record is seen however long the CLI takes to start.
    const following = run(['consume', 'history', '-f', '--offset', '5', '--show-offsets'], {
      interruptAfterMs: 8000,
    })
    await new Promise((resolve) => setTimeout(resolve, 3000))
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic: 'history', messages: [{ value: 'live' }] })
    await producer.disconnect()
    const result = await following
    assert.deepEqual([result.code, result.stdout], [0, '0:5\tlive\n'])
    assert.equal(withoutTimings(result.stderr), 'consumed 1 record from history in T s (interrupted)\n')
  })

  it('fails clearly: unknown topic (1), unknown partition (1), bad option values (2)', async () => {
    const unknown = await run(['consume', 'missing'])
    assert.deepEqual(
      [unknown.code, unknown.stdout, unknown.stderr],
      [1, '', "error: UNKNOWN_TOPIC_OR_PARTITION: topic 'missing' does not exist\n"],
    )
    const produceUnknown = await run(['produce', 'missing', '-m', 'x'])
    assert.deepEqual(
      [produceUnknown.code, produceUnknown.stderr],
      [1, "error: UNKNOWN_TOPIC_OR_PARTITION: topic 'missing' does not exist\n"],
    )
    const partition = await run(['produce', 'history', '-p', '9', '-m', 'x'])
    assert.deepEqual(
      [partition.code, partition.stderr],
      [1, "error: UNKNOWN_TOPIC_OR_PARTITION: topic 'history' has 1 partition(s); there is no partition 9\n"],
    )
    const cases: [string[], string][] = [
      [
        ['consume', 'history', '--last', 'soon'],
        "error: --last: 'soon' is not a duration (examples: 500ms, 10s, 5m, 2h, 1d)\n",
      ],
      [
        ['consume', 'history', '--at', 'someday'],
        `error: --at: 'someday' is not a time (examples: 2024-05-01, "2024-05-01 13:00", 1714567890000, yesterday, "1 hour ago")\n`,
      ],
      [['consume', 'history', '--sample', '0%'], "error: --sample: '0%' must be between 0% and 100%\n"],
      [
        ['consume', 'history', '--jq', 'user.id'],
        "error: --jq: 'user.id' must start with $ (example: $.user.id)\n",
      ],
      [
        ['consume', 'history', '--grep', '('],
        'error: --grep: Invalid regular expression: /(/: Unterminated group\n',
      ],
      [
        ['produce', 'history', '--template', '{{nope}}'],
        'error: --template: unknown placeholder {{nope}} (known: uuid, timestamp, i, random:min:max, now:<format>)\n',
      ],
      [
        ['produce', 'history', '--acks', '2', '-m', 'x'],
        "error: option '--acks <acks>' argument '2' is invalid. Allowed choices are 0, 1, all, -1.\n",
      ],
      [['consume'], "error: missing required argument 'topic'\n"],
    ]
    for (const [args, stderr] of cases) {
      const result = await run(args)
      assert.deepEqual([result.code, result.stderr], [2, stderr], args.join(' '))
    }
  })
})
