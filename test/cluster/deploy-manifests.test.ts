// Goal: deploy/kubernetes/streamline.yaml describes brokers that really form a cluster. Method: the
// Deployment's container is run as Kubernetes would run it — its args, and its env resolved the way the
// kubelet does (fieldRef status.podIP, secretKeyRef / configMapKeyRef from the Secret and ConfigMap in
// the same file, `$(VAR)` expansion) — with three changes a test needs: the Secret's and ConfigMap's
// values point at a real PostgreSQL server and a real S3 API server process (s3rver; plus the endpoint
// settings MinIO-style stores take), the fixed ports 9092/9094 become free ones, and 0.0.0.0 / the pod
// IP become 127.0.0.1. Two such "pods" must pass the readiness and liveness probes the manifest names,
// be listed by Metadata at their advertised addresses, carry records produced through one and read
// through the other (kafkajs, kcat), and stop on SIGTERM within terminationGracePeriodSeconds, leaving
// the cluster at once (the PodDisruptionBudget and rolling updates rely on that).

import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import { parseAllDocuments } from 'yaml'
import { makeTempDir, removeTempDir, repositoryRoot, waitForExit } from '../helpers/broker-process.ts'
import { requireClient } from '../helpers/clients.ts'
import { freePorts } from '../helpers/free-port.ts'
import {
  type PostgresServer,
  requirePostgres,
  startPostgresServer,
} from '../helpers/postgres-cluster-server.ts'
import { type S3Server, s3rverAccessKey, startS3Server } from '../helpers/s3-server.ts'
import { readTopic, waitFor } from './cluster-helpers.ts'

const skip = requirePostgres() || requireClient('kcat')

interface EnvEntry {
  name: string
  value?: string
  valueFrom?: {
    fieldRef?: { fieldPath: string }
    secretKeyRef?: { name: string; key: string }
    configMapKeyRef?: { name: string; key: string }
  }
}

interface Manifest {
  kind: string
  metadata: { name: string }
  stringData?: Record<string, string>
  data?: Record<string, string>
  spec?: {
    template: {
      spec: {
        terminationGracePeriodSeconds: number
        containers: {
          args: string[]
          env: EnvEntry[]
          ports: { name: string; containerPort: number }[]
          readinessProbe: { httpGet: { path: string; port: string } }
          livenessProbe: { httpGet: { path: string; port: string } }
          volumeMounts: { mountPath: string }[]
        }[]
      }
    }
  }
}

interface Pod {
  child: ChildProcess
  kafka: string
  http: string
  dataDir: string
  output: () => string
}

let postgres: PostgresServer
let s3: S3Server
let manifests: Manifest[]
const pods: Pod[] = []

function manifest(kind: string): Manifest {
  const found = manifests.find((candidate) => candidate.kind === kind)
  assert.ok(found, `deploy/kubernetes/streamline.yaml has a ${kind}`)
  return found
}

/** The container's env as the kubelet resolves it, with the test's values in the Secret and ConfigMap. */
function resolveEnv(entries: EnvEntry[], ports: { kafka: number; http: number }): Record<string, string> {
  const secret = manifest('Secret')
  const configMap = manifest('ConfigMap')
  const secretValues: Record<string, string> = {
    'metadata-url': postgres.url,
    's3-access-key-id': s3rverAccessKey,
    's3-secret-access-key': s3rverAccessKey,
  }
  const configValues: Record<string, string> = { 'object-store': `s3://${s3.bucket}/manifest-test` }
  const env: Record<string, string> = {}
  for (const entry of entries) {
    const from = entry.valueFrom
    let value: string
    if (from?.fieldRef !== undefined) {
      assert.equal(from.fieldRef.fieldPath, 'status.podIP')
      value = '127.0.0.1'
    } else if (from?.secretKeyRef !== undefined) {
      assert.equal(from.secretKeyRef.name, secret.metadata.name)
      assert.ok(from.secretKeyRef.key in (secret.stringData ?? {}), `the Secret has ${from.secretKeyRef.key}`)
      value = secretValues[from.secretKeyRef.key] ?? assert.fail(`no test value for ${from.secretKeyRef.key}`)
    } else if (from?.configMapKeyRef !== undefined) {
      assert.equal(from.configMapKeyRef.name, configMap.metadata.name)
      const key = from.configMapKeyRef.key
      assert.ok(key in (configMap.data ?? {}), `the ConfigMap has ${key}`)
      value = configValues[key] ?? configMap.data?.[key] ?? ''
    } else {
      value = (entry.value ?? '').replace(/\$\(([A-Z_]+)\)/g, (_, name: string) => env[name] ?? '')
    }
    env[entry.name] = value
      .replace('0.0.0.0', '127.0.0.1')
      .replace(/:9092$/, `:${ports.kafka}`)
      .replace(/:9094$/, `:${ports.http}`)
  }
  return env
}

async function startPod(): Promise<Pod> {
  const container = manifest('Deployment').spec?.template.spec.containers[0]
  assert.ok(container)
  const [kafka, http] = await freePorts(2)
  const dataDir = await makeTempDir('streamline-manifest-')
  const mountPath = container.volumeMounts[0].mountPath
  const args = container.args.map((arg) => (arg === mountPath ? dataDir : arg))
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && !name.startsWith('STREAMLINE_') && name !== 'NODE_TEST_CONTEXT')
      env[name] = value
  Object.assign(env, resolveEnv(container.env, { kafka, http }), {
    // What a MinIO-style store needs beside the manifest's AWS defaults (docs/cluster.md).
    STREAMLINE_CLUSTER_S3_ENDPOINT: s3.endpoint,
    STREAMLINE_CLUSTER_S3_FORCE_PATH_STYLE: 'true',
  })
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/streamline.ts', ...args], {
    cwd: repositoryRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let text = ''
  const keep = (chunk: Buffer): void => {
    text = (text + chunk.toString()).slice(-20_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const pod = {
    child,
    kafka: `127.0.0.1:${kafka}`,
    http: `http://127.0.0.1:${http}`,
    dataDir,
    output: () => text,
  }
  pods.push(pod)
  return pod
}

async function probe(pod: Pod, which: 'readinessProbe' | 'livenessProbe'): Promise<number> {
  const container = manifest('Deployment').spec?.template.spec.containers[0]
  assert.ok(container)
  const { path, port } = container[which].httpGet
  assert.equal(port, 'http', `the ${which} uses the http port`)
  assert.ok(container.ports.some((candidate) => candidate.name === port && candidate.containerPort === 9094))
  try {
    return (await fetch(`${pod.http}${path}`)).status
  } catch {
    return 0
  }
}

before(async () => {
  if (skip !== false) return
  const text = await readFile(join(repositoryRoot, 'deploy/kubernetes/streamline.yaml'), 'utf8')
  manifests = parseAllDocuments(text).map((document) => document.toJSON() as Manifest)
  postgres = await startPostgresServer()
  s3 = await startS3Server('streamline-manifest')
})

after(async () => {
  for (const pod of pods) {
    pod.child.kill('SIGKILL')
    await waitForExit(pod.child, 10_000)
    await removeTempDir(pod.dataDir)
  }
  await s3?.dispose()
  await postgres?.dispose()
})

test('two pods of the Deployment form one cluster, carry records and leave on SIGTERM', {
  skip,
}, async () => {
  const [first, second] = [await startPod(), await startPod()]
  for (const pod of [first, second]) {
    await waitFor(`readiness of ${pod.kafka}`, async () =>
      (await probe(pod, 'readinessProbe')) === 200
        ? true
        : pod.child.exitCode === null
          ? null
          : assert.fail(pod.output()),
    )
    assert.equal(await probe(pod, 'livenessProbe'), 200)
  }
  const kafka = new Kafka({ brokers: [first.kafka], clientId: 'manifest-test', logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  try {
    const brokers = await waitFor('both brokers in Metadata', async () => {
      const { brokers: listed } = await admin.describeCluster()
      return listed.length === 2 ? listed.map((broker) => `${broker.host}:${broker.port}`).sort() : null
    })
    assert.deepEqual(brokers, [first.kafka, second.kafka].sort(), 'Metadata advertises each pod address')
    await admin.createTopics({ topics: [{ topic: 'manifest', numPartitions: 4 }], waitForLeaders: true })
  } finally {
    await admin.disconnect()
  }
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  const values = Array.from({ length: 40 }, (_, index) => `record-${index}`)
  await producer.send({
    topic: 'manifest',
    acks: -1,
    messages: values.map((value) => ({ key: value, value })),
  })
  await producer.disconnect()
  const read = await readTopic(second.kafka, 'manifest')
  assert.deepEqual([...read.values()].flat().sort(), [...values].sort(), 'read back through the other pod')

  const grace = manifest('Deployment').spec?.template.spec.terminationGracePeriodSeconds ?? 0
  const stoppedAt = performance.now()
  second.child.kill('SIGTERM')
  assert.ok(await waitForExit(second.child, grace * 1000), `stopped within ${grace} s`)
  assert.equal(second.child.exitCode, 0, second.output())
  assert.ok(performance.now() - stoppedAt < grace * 1000)
  const members = await waitFor('the stopped pod leaves the cluster', async () => {
    const answer = (await (await fetch(`${first.http}/api/v1/cluster`)).json()) as {
      brokers: { host: string; port: number }[]
    }
    return answer.brokers.length === 1
      ? answer.brokers.map((broker) => `${broker.host}:${broker.port}`)
      : null
  })
  assert.deepEqual(members, [first.kafka])
})
