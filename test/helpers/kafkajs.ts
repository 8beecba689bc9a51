// A kafkajs admin client for tests: bounded timeouts and retries, and its log lines collected
// (not printed) so a failing test can show them.
import { type Admin, Kafka, type LogEntry, logLevel } from 'kafkajs'

export interface TestAdmin {
  admin: Admin
  /** kafkajs log entries at WARN and above, as `namespace: message`. */
  logs: string[]
}

export async function connectKafkajsAdmin(bootstrap: string): Promise<TestAdmin> {
  const logs: string[] = []
  const kafka = new Kafka({
    clientId: 'streamline-compat',
    brokers: [bootstrap],
    connectionTimeout: 10_000,
    requestTimeout: 10_000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, log }: LogEntry) => {
        logs.push(`${namespace}: ${log.message}`)
      },
  })
  const admin = kafka.admin()
  await admin.connect()
  return { admin, logs }
}
