// Goal: `streamline-cli quickstart` does what it says for a new user: with no broker it starts the
// server beside the CLI (a real broker process, detached, on the --bootstrap/--http ports), creates a
// topic, produces a first message and reads it back; with a broker it uses it. Method: the bundled CLI
// (the harness bundles the server beside it, as dist/bundle/ has it) on free ports: -y (defaults, no
// terminal) with exact output, --format json, the wizard in a real pseudo-terminal (tmux) answering
// its questions, and no terminal without -y (usage error, exit 2). Every broker the wizard started is
// stopped by its pid, and the data read back by an independent consume.
import assert from 'node:assert/strict'
import { execFile, execFileSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { freePorts } from '../helpers/free-port.ts'
import { type CliHarness, startCliHarness } from './cli-harness.ts'

const execute = promisify(execFile)
const socket = `streamline-cli-quickstart-${process.pid}`
const screenWaitMs = 60_000

function tmuxMissing(): string | null {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' })
    return null
  } catch {
    return 'tmux is not installed (apt-get install tmux)'
  }
}
const missingTmux = tmuxMissing()
if (missingTmux !== null && process.env.CI === 'true') throw new Error(missingTmux)

/** The other listeners of a broker the wizard starts: free ports, never the defaults. */
const brokerEnv = { STREAMLINE_REGISTRY_ADDR: '127.0.0.1:0', STREAMLINE_CONNECT_ADDR: '127.0.0.1:0' }

async function stopPid(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM')
  } catch {
    return // already gone
  }
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0)
    } catch {
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  process.kill(pid, 'SIGKILL')
}

describe('streamline-cli quickstart', () => {
  let cli: CliHarness
  let dataDir: string
  const started: number[] = []

  before(async () => {
    ;[cli, dataDir] = await Promise.all([startCliHarness(), makeTempDir('streamline-quickstart-')])
  })
  after(async () => {
    await execute('tmux', ['-L', socket, 'kill-server']).catch(() => undefined)
    for (const pid of started) await stopPid(pid)
    await Promise.all([cli?.close(), removeTempDir(dataDir)])
  })

  it('-y starts a broker, creates the topic, writes and reads back a message; a rerun uses that broker', async () => {
    const [kafkaPort, httpPort] = await freePorts(2)
    const target = ['-b', `127.0.0.1:${kafkaPort}`, '--http', `http://127.0.0.1:${httpPort}`]
    const first = await cli.run([...target, 'quickstart', '-y', '--data-dir', `${dataDir}/one`], {
      env: brokerEnv,
    })
    const pid = Number(/\(pid (\d+),/.exec(first.stdout)?.[1])
    if (pid > 0) started.push(pid)
    assert.equal(first.code, 0, first.stderr)
    assert.equal(
      first.stdout,
      [
        `1/4 broker: started streamline at 127.0.0.1:${kafkaPort} (pid ${pid}, data in ${dataDir}/one, log ${dataDir}/one/streamline.log)`,
        '2/4 topic: created quickstart',
        '3/4 produce: wrote "hello, streamline" to quickstart, partition 0, offset 0',
        '4/4 consume: read back "hello, streamline" from partition 0, offset 0',
        '',
        'Next:',
        `  streamline-cli -b 127.0.0.1:${kafkaPort} produce quickstart --template '{"n":{{i}}}' -n 10`,
        `  streamline-cli -b 127.0.0.1:${kafkaPort} consume quickstart --show-offsets`,
        `  streamline-cli -b 127.0.0.1:${kafkaPort} top`,
        `  kill ${pid}      # stops the broker started here`,
        '',
      ].join('\n'),
    )
    assert.equal(
      first.stderr,
      [
        `No broker at 127.0.0.1:${kafkaPort}. Start one here? (y/n) y`,
        `Data directory? ${dataDir}/one`,
        'Topic name? quickstart',
        'A first message? hello, streamline',
        '',
      ].join('\n'),
    )

    const again = await cli.run([...target, '--format', 'json', 'quickstart', '-y', '--message', 'again'])
    assert.equal(again.code, 0, again.stderr)
    assert.deepEqual(JSON.parse(again.stdout), {
      bootstrap: `127.0.0.1:${kafkaPort}`,
      brokerStarted: false,
      pid: null,
      dataDir: null,
      log: null,
      topic: 'quickstart',
      topicCreated: false,
      partition: 0,
      offset: '1',
      message: 'again',
    })
    const consumed = await cli.run([...target, 'consume', 'quickstart', '--show-offsets'])
    assert.equal(consumed.stdout, '0:0\thello, streamline\n0:1\tagain\n')

    // doctor finds the data dir by itself: the running broker's, else the local config's.
    const doctor = await cli.run([...target, 'doctor'])
    assert.equal(doctor.code, 0, doctor.stdout)
    assert.match(
      doctor.stdout,
      new RegExp(
        `\nPASS {2}data dir permissions: ${dataDir}/one \\(the running broker\\) is readable and writable\n`,
      ),
    )
    const offline = await cli.run(['-b', '127.0.0.1:1', '--http', 'http://127.0.0.1:1', 'doctor'], {
      env: { STREAMLINE_DATA_DIR: `${dataDir}/one` },
    })
    assert.equal(offline.code, 1)
    assert.match(
      offline.stdout,
      new RegExp(
        `\nPASS {2}config: no config file, data dir ${dataDir}/one\nPASS {2}data dir permissions: ${dataDir}/one \\(the local config\\) is readable and writable\nPASS {2}disk space: `,
      ),
    )
    await writeFile(`${dataDir}/bad.toml`, 'no_such_key = 1\n')
    const badConfig = await cli.run(['-b', '127.0.0.1:1', 'doctor', '--config', `${dataDir}/bad.toml`])
    assert.match(
      badConfig.stdout,
      /\nFAIL {2}config: .*no_such_key.*\n {6}fix: correct it: streamline --generate-config prints every key with its default\n$/,
    )
  })

  it('without a terminal and without -y it is a usage error', async () => {
    const result = await cli.run(['-b', '127.0.0.1:1', 'quickstart'])
    assert.deepEqual(
      [result.code, result.stdout, result.stderr],
      [2, '', 'error: quickstart asks questions: run it in a terminal, or pass -y to take the defaults\n'],
    )
  })

  it('asks its questions in a terminal (tmux) and uses the answers', {
    skip: missingTmux ?? false,
  }, async () => {
    const [kafkaPort, httpPort] = await freePorts(2)
    const tmux = async (...args: string[]): Promise<string> =>
      (await execute('tmux', ['-L', socket, ...args])).stdout
    const waitFor = async (expected: RegExp): Promise<string> => {
      const deadline = Date.now() + screenWaitMs
      let screen = ''
      while (Date.now() < deadline) {
        screen = await tmux('capture-pane', '-t', 'wizard', '-p')
        if (expected.test(screen)) return screen
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      assert.fail(`screen never matched ${expected}:\n${screen}`)
    }
    const type = async (text: string): Promise<void> => {
      if (text !== '') await tmux('send-keys', '-t', 'wizard', '-l', '--', text)
      await tmux('send-keys', '-t', 'wizard', 'Enter')
    }
    const env = Object.entries({ ...brokerEnv, STREAMLINE_CLI_HOME: cli.home, TZ: 'UTC' })
      .map(([name, value]) => `${name}=${value}`)
      .join(' ')
    await tmux(
      'new-session',
      '-d',
      '-s',
      'wizard',
      '-x',
      '150',
      '-y',
      '30',
      `env ${env} ${process.execPath} ${cli.entry} -b 127.0.0.1:${kafkaPort} --http http://127.0.0.1:${httpPort} quickstart; sleep 30`,
    )
    await waitFor(/Start one here\? \(y\/n\) \[y\] ?$/m)
    await type('') // Enter: the default, yes
    await waitFor(/Data directory\? \[streamline-data\] ?$/m)
    await type(`${dataDir}/two`)
    await waitFor(/Topic name\? \[quickstart\] ?$/m)
    await type('first-steps')
    await waitFor(/A first message\? \[hello, streamline\] ?$/m)
    await type('hi from tmux')
    const screen = await waitFor(/4\/4 consume/)
    const pid = Number(/\(pid (\d+),/.exec(screen)?.[1])
    if (pid > 0) started.push(pid)
    assert.match(
      screen,
      new RegExp(`1/4 broker: started streamline at 127\\.0\\.0\\.1:${kafkaPort} \\(pid \\d+`),
    )
    assert.match(screen, /2\/4 topic: created first-steps\n/)
    assert.match(screen, /3\/4 produce: wrote "hi from tmux" to first-steps, partition 0, offset 0\n/)
    assert.match(screen, /4\/4 consume: read back "hi from tmux" from partition 0, offset 0\n/)
    const consumed = await cli.run(['-b', `127.0.0.1:${kafkaPort}`, 'consume', 'first-steps'])
    assert.equal(consumed.stdout, 'hi from tmux\n')
  })
})
