// A real client's view of produce: librdkafka through Debian's confluent_kafka (/usr/bin/python3, which
// sees python3-confluent-kafka; the python3 on PATH may not). librdkafka's defaults (linger.ms 5,
// batch.size 1 MB) with the given acks; the script produces for the phase, flushes, and prints what was
// delivered. A measurement, not a target: Python's loop around produce() is part of what it measures.
// `rdkafka_performance` (librdkafka's examples) is the C-only alternative, documented in the README.
import { execFile, spawnSync } from 'node:child_process'

const python = '/usr/bin/python3'

const script = `
import json, sys, time
from confluent_kafka import Producer
bootstrap, topic, record_bytes, seconds, acks = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
delivered = [0, 0]
errors = {}
def on_delivery(error, message):
    if error is None:
        delivered[0] += 1
        delivered[1] += len(message.value())
    else:
        errors[str(error.name())] = errors.get(str(error.name()), 0) + 1
producer = Producer({'bootstrap.servers': bootstrap, 'acks': acks, 'queue.buffering.max.kbytes': 262144})
value = bytes(record_bytes)
started = time.perf_counter()
end = started + seconds
while time.perf_counter() < end:
    for _ in range(1000):
        try:
            producer.produce(topic, value, on_delivery=on_delivery)
        except BufferError:
            producer.poll(0.001)
    producer.poll(0)
left = producer.flush(60)
elapsed = time.perf_counter() - started
print(json.dumps({'records': delivered[0], 'bytes': delivered[1], 'seconds': elapsed, 'unflushed': left, 'errors': errors}))
`

export interface ClientProduceResult {
  records: number
  /** Value bytes delivered (record framing and batch headers not counted). */
  bytes: number
  seconds: number
  unflushed: number
  errors: Record<string, number>
}

/** Null when confluent_kafka is not importable by /usr/bin/python3. */
export function confluentKafkaProblem(): string | null {
  const probe = spawnSync(python, ['-c', 'import confluent_kafka'], { encoding: 'utf8', timeout: 20_000 })
  if (probe.error) return `${python} could not run: ${probe.error.message}`
  return probe.status === 0
    ? null
    : 'python3-confluent-kafka is not installed (apt-get install python3-confluent-kafka)'
}

export function runConfluentKafkaProducer(options: {
  bootstrap: string
  topic: string
  recordBytes: number
  seconds: number
  acks: '1' | 'all'
}): Promise<ClientProduceResult> {
  const args = [
    '-c',
    script,
    options.bootstrap,
    options.topic,
    String(options.recordBytes),
    String(options.seconds),
    options.acks,
  ]
  const timeoutMs = options.seconds * 1000 + 90_000
  return new Promise((resolve, reject) => {
    execFile(
      python,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`confluent_kafka producer failed (${error.message}): ${stderr.slice(-2000)}`))
          return
        }
        const last = stdout.trim().split('\n').pop() ?? ''
        try {
          resolve(JSON.parse(last) as ClientProduceResult)
        } catch {
          reject(
            new Error(
              `confluent_kafka producer printed no result: ${stdout.slice(-2000)} ${stderr.slice(-2000)}`,
            ),
          )
        }
      },
    )
  })
}
