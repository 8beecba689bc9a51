// Goal: librdkafka, through kcat, reads the broker's metadata: exactly our one broker and no topics.
// Method: start the broker as `npm start` does (the CLI in a child process, free port, fresh data
// dir), run `kcat -L -J` and parse its JSON; run plain `kcat -L` and check it exits 0 and names the
// broker. kcat's `-m` bounds each metadata request; execFile's timeout bounds the whole run.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'
import { requireClient } from '../../helpers/clients.ts'

const run = promisify(execFile)
const skip = requireClient('kcat')
const kcatTimeoutMs = 60_000

describe('kcat metadata', { skip }, () => {
  let broker: BrokerProcess

  before(async () => {
    broker = await startBrokerProcess()
  })

  after(async () => {
    await broker?.stop()
  })

  test('kcat -L -J lists exactly our broker and no topics', async () => {
    const { stdout } = await run('kcat', ['-b', broker.bootstrap, '-L', '-J', '-m', '10'], {
      timeout: kcatTimeoutMs,
    })
    const metadata: unknown = JSON.parse(stdout)
    assert.deepEqual(metadata, {
      originating_broker: { id: 0, name: `127.0.0.1:${broker.port}/0` },
      query: { topic: '*' },
      controllerid: 0,
      brokers: [{ id: 0, name: `127.0.0.1:${broker.port}` }],
      topics: [],
    })
  })

  test('kcat -L exits 0 and names the broker', async () => {
    const { stdout } = await run('kcat', ['-b', broker.bootstrap, '-L', '-m', '10'], {
      timeout: kcatTimeoutMs,
    })
    assert.match(
      stdout,
      new RegExp(`^ 1 brokers:\\n {2}broker 0 at 127\\.0\\.0\\.1:${broker.port} \\(controller\\)$`, 'm'),
    )
    assert.match(stdout, /^ 0 topics:$/m)
  })
})
