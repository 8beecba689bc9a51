// Goal: in a Connect group only the leader writes task configs and does KIP-618's zombie fencing, as
// Kafka's DistributedHerder: a worker that runs a connector and is not the leader sends the task
// configs its connector generated to the leader (Kafka's internal `POST /connectors/{name}/tasks`),
// which writes them to connect-configs; `PUT /connectors/{name}/fence` is the leader's too. When the
// leader is SIGKILLed right after a config change, a new leader takes over: every connector's new task
// configs are written exactly once (one commit record per generation of task configs) and data keeps
// flowing from the new tasks.
// Method: a broker process and three real `streamline connect --group-id` worker processes (the first
// leads); curl for the REST calls; three datagen connectors (2 tasks each, then 3) so that followers run
// connectors; what each worker logged says who sent and who wrote the task configs; kcat reads
// connect-configs and the data topics.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, test } from 'node:test'
import { type BrokerProcess, startBrokerProcess, waitForExit } from '../helpers/broker-process.ts'
import { requireClient } from '../helpers/clients.ts'
import { curl, waitFor } from '../helpers/connect.ts'
import {
  type ConnectWorkerProcess,
  leadsGroup,
  startConnectWorker,
  stopConnectWorker,
} from '../helpers/connect-worker-process.ts'

let broker: BrokerProcess | null = null
const workers: ConnectWorkerProcess[] = []
after(async () => {
  for (const worker of workers) await stopConnectWorker(worker)
  await broker?.stop()
})

interface Status {
  connector: { state: string; worker_id: string }
  tasks: Array<{ id: number; state: string; worker_id: string }>
}

function waitForRunning(base: string, name: string, tasks: number, allowed: (workerId: string) => boolean) {
  return waitFor(
    `${name} RUNNING with ${tasks} tasks`,
    async () => {
      const answer = await curl('GET', `${base}/connectors/${name}/status`)
      const found = answer.body as Status
      const ok =
        answer.status === 200 &&
        found.connector.state === 'RUNNING' &&
        allowed(found.connector.worker_id) &&
        found.tasks.length === tasks &&
        found.tasks.every((task) => task.state === 'RUNNING' && allowed(task.worker_id))
      return ok ? found : undefined
    },
    90_000,
  )
}

/** Every record of a topic as `key\tvalue` lines (kcat reads to the end and exits). */
function readTopic(bootstrap: string, topic: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'kcat',
      ['-b', bootstrap, '-C', '-t', topic, '-e', '-q', '-f', '%k\t%s\n'],
      { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (error, stdout) => (error ? reject(error) : resolve(stdout.split('\n').filter((line) => line !== ''))),
    )
  })
}

/** The `{"tasks":N}` of every commit record of `name` in connect-configs, in order. */
async function commitRecords(bootstrap: string, name: string): Promise<number[]> {
  return (await readTopic(bootstrap, 'connect-configs'))
    .filter((line) => line.startsWith(`commit-${name}\t`))
    .map((line) => (JSON.parse(line.slice(line.indexOf('\t') + 1)) as { tasks: number }).tasks)
}

/** Each datagen task's committed `current.iteration`, by task id (GET /connectors/{name}/offsets). */
async function datagenIterations(base: string, name: string): Promise<Map<number, number>> {
  const answer = await curl('GET', `${base}/connectors/${name}/offsets`)
  assert.equal(answer.status, 200, answer.text)
  const { offsets } = answer.body as {
    offsets: Array<{ partition: { 'task.id': number }; offset: { 'current.iteration': number } }>
  }
  return new Map(offsets.map((entry) => [entry.partition['task.id'], entry.offset['current.iteration']]))
}

const connectorNames = ['gen-a', 'gen-b', 'gen-c']

test('task configs go to the leader, and a SIGKILLed leader is replaced with nothing written twice', {
  timeout: 240_000,
  skip: requireClient('kcat'),
}, async () => {
  try {
    await scenario()
  } catch (error) {
    for (const worker of workers)
      process.stderr.write(`--- worker ${worker.url}\n${worker.output().slice(-8_000)}\n`)
    throw error
  }
})

async function scenario(): Promise<void> {
  broker = await startBrokerProcess()
  const bootstrap = broker.bootstrap
  const first = await startConnectWorker(bootstrap, 'connect-leader-test')
  workers.push(first)
  await waitFor('the first worker to lead', async () => (leadsGroup(first) ? true : undefined))
  workers.push(
    ...(await Promise.all([
      startConnectWorker(bootstrap, 'connect-leader-test'),
      startConnectWorker(bootstrap, 'connect-leader-test'),
    ])),
  )
  await waitFor('three workers in the group, the first leading', async () =>
    workers.every((worker) => worker.logged('Connect group assignment').length > 0) &&
    workers.filter(leadsGroup).length === 1 &&
    leadsGroup(first)
      ? true
      : undefined,
  )
  const leader = first
  const followers = workers.filter((worker) => worker !== leader)
  // The internal endpoints answer as Kafka's: forwarded to the leader from a follower (its answer
  // relayed), 409 with forward=false, 400 for a body that is not a list of configs.
  const unknown = await curl('POST', `${followers[0].url}/connectors/nope/tasks`, [{ a: 'b' }])
  assert.deepEqual(unknown, {
    status: 404,
    body: { error_code: 404, message: 'Connector nope not found' },
    text: unknown.text,
  })
  const refused = await curl('POST', `${followers[0].url}/connectors/nope/tasks?forward=false`, [])
  assert.equal(refused.status, 409)
  const malformed = await curl('POST', `${leader.url}/connectors/nope/tasks`, { not: 'a list' })
  assert.deepEqual(malformed.body, {
    error_code: 400,
    message: 'Task configs must be a JSON array of objects',
  })
  const garbage = await curl('POST', `${followers[1].url}/connectors/nope/tasks`, '[{"a":')
  assert.equal(garbage.status, 400)

  const datagen = (topic: string) => ({
    'connector.class': 'io.confluent.kafka.connect.datagen.DatagenConnector',
    'kafka.topic': topic,
    quickstart: 'users',
    'records.per.second': '20',
    'tasks.max': '2',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
  })
  for (const name of connectorNames) {
    const created = await curl(
      'PUT',
      `${followers[0].url}/connectors/${name}/config`,
      datagen(`topic-${name}`),
    )
    assert.equal(created.status, 201, created.text)
  }
  const everyone = () => true
  const placed = new Map<string, Status>()
  for (const name of connectorNames) placed.set(name, await waitForRunning(leader.url, name, 2, everyone))
  // Connectors run on followers too; each follower that runs one sent its task configs to the leader,
  // which wrote them; nobody else wrote task configs.
  const onFollowers = connectorNames.filter(
    (name) => placed.get(name)?.connector.worker_id !== leader.workerId,
  )
  assert.ok(onFollowers.length > 0, 'no connector runs on a follower')
  for (const name of onFollowers) {
    const owner = followers.find((worker) => worker.workerId === placed.get(name)?.connector.worker_id)
    assert.ok(owner !== undefined)
    assert.ok(
      owner
        .logged('sending task configs to the leader')
        .some((line) => line.connector === name && line.leader === leader.url),
      `${name}: the follower did not send its task configs to the leader`,
    )
  }
  const written = (worker: ConnectWorkerProcess) =>
    worker.logged('writing task configs').map((line) => line.connector as string)
  assert.deepEqual(written(leader).sort(), [...connectorNames].sort())
  for (const follower of followers) assert.deepEqual(written(follower), [])
  for (const name of connectorNames) assert.deepEqual(await commitRecords(bootstrap, name), [2])

  // Every connector goes to 3 tasks, and the leader is SIGKILLed at once: the task configs of the
  // connectors on followers are in flight to a leader that dies.
  for (const name of connectorNames) {
    const patched = await curl('PATCH', `${followers[1].url}/connectors/${name}/config`, { 'tasks.max': '3' })
    assert.equal(patched.status, 200, patched.text)
  }
  const stoodAt = new Map<string, Map<number, number>>()
  for (const name of connectorNames) stoodAt.set(name, await datagenIterations(followers[0].url, name))
  leader.child.kill('SIGKILL')
  assert.equal(await waitForExit(leader.child, 10_000), true)
  const alive = (workerId: string) => workerId !== leader.workerId
  await waitFor(
    'a new leader',
    async () => (followers.filter(leadsGroup).length === 1 ? true : undefined),
    60_000,
  )
  const newLeader = followers.find(leadsGroup) as ConnectWorkerProcess
  for (const name of connectorNames) await waitForRunning(newLeader.url, name, 3, alive)
  // Each connector's 3-task configs were written exactly once, whoever wrote them.
  for (const name of connectorNames) assert.deepEqual(await commitRecords(bootstrap, name), [2, 3])
  const newFollower = followers.find((worker) => worker !== newLeader) as ConnectWorkerProcess
  assert.deepEqual(
    written(newFollower).filter((name) => connectorNames.includes(name)),
    [],
  )
  // Data keeps flowing: every task of every connector, the new third one too, commits source offsets
  // (datagen's `current.iteration` under `{"task.id": n}`) well past where the others stood at the kill.
  for (const name of connectorNames) {
    await waitFor(`${name}'s three tasks to keep writing`, async () => {
      const iterations = await datagenIterations(newLeader.url, name)
      return [0, 1, 2].every(
        (task) => (iterations.get(task) ?? -1) >= 20 + (stoodAt.get(name)?.get(task) ?? 0),
      )
        ? true
        : undefined
    })
  }
  // The internal fence endpoint is the leader's too: a follower forwards it (a sink is refused there).
  const fence = await curl('PUT', `${newFollower.url}/connectors/nope/fence`)
  assert.deepEqual(fence.body, { error_code: 404, message: 'Connector nope not found' })
}
