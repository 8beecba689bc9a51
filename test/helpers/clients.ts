// Compatibility clients that are not npm packages: kcat and the two Python clients from Debian.
//
// `requireClient(name)` returns a value for node:test's `skip` option:
//   test('kcat lists the broker', { skip: requireClient('kcat') }, async () => { ... })
// - installed: `false` (the test runs);
// - missing, outside CI: a message saying how to install it (the test is skipped);
// - missing with CI=true: a failing test named "<client> is installed" is registered in the calling
//   file, with the reason, and the dependent tests are skipped. CI cannot pass without the clients.
//
// Python clients are checked with /usr/bin/python3 on purpose: the `python3` first on PATH may be a
// pyenv or venv interpreter that does not see Debian's python3-* packages.
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'

/** Kafka clients (the data-path drivers use these). */
export type KafkaClientName = 'kcat' | 'confluent-kafka' | 'kafka-python'
export type ClientName = KafkaClientName | 'confluent-kafka-schema-registry'

export const debianPython = '/usr/bin/python3'

const probeTimeoutMs = 20_000

interface Probe {
  command: string
  args: string[]
  install: string
}

const probes: Record<ClientName, Probe> = {
  kcat: { command: 'kcat', args: ['-V'], install: 'apt-get install kcat' },
  'confluent-kafka': {
    command: debianPython,
    args: ['-c', 'import confluent_kafka'],
    install: 'apt-get install python3-confluent-kafka',
  },
  'confluent-kafka-schema-registry': {
    command: debianPython,
    args: [
      '-c',
      'import confluent_kafka.schema_registry.json_schema, confluent_kafka.schema_registry.protobuf, jsonschema, requests',
    ],
    install: 'apt-get install python3-confluent-kafka python3-requests python3-jsonschema python3-protobuf',
  },
  'kafka-python': {
    command: debianPython,
    args: ['-c', 'import kafka'],
    install: 'apt-get install python3-kafka python3-lz4 python3-snappy python3-zstandard',
  },
}

const probeResults = new Map<ClientName, string | null>()

/** Null when the client works, otherwise why not. Cached per process. */
export function clientProblem(name: ClientName): string | null {
  const cached = probeResults.get(name)
  if (cached !== undefined) return cached
  const probe = probes[name]
  const result = spawnSync(probe.command, probe.args, {
    encoding: 'utf8',
    timeout: probeTimeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let problem: string | null = null
  if (result.error) {
    problem = `\`${probe.command} ${probe.args.join(' ')}\` could not run: ${result.error.message}`
  } else if (result.status !== 0) {
    const stderr = result.stderr.trim().split('\n').slice(-3).join(' | ')
    problem = `\`${probe.command} ${probe.args.join(' ')}\` exited with ${result.status ?? result.signal}: ${stderr}`
  }
  probeResults.set(name, problem)
  return problem
}

const failuresRegistered = new Set<ClientName>()

/** A value for node:test's `skip` option; see the file header. */
export function requireClient(name: ClientName): string | false {
  const problem = clientProblem(name)
  if (problem === null) return false
  const install = probes[name].install
  if (process.env.CI === 'true') {
    if (!failuresRegistered.has(name)) {
      failuresRegistered.add(name)
      test(`${name} is installed`, () => {
        throw new Error(
          `compatibility client ${name} is missing and CI=true requires it: ${problem}. ` +
            `.ci/run installs it with \`${install}\`.`,
        )
      })
    }
    return `${name} is missing (the failing test "${name} is installed" says why)`
  }
  return `${name} is not installed (${problem}); install it with \`${install}\` to run this test`
}
