// Goal: the registry's hot reads answered before node:http (src/registry/fast-path.ts) answer exactly
// what node:http's path answers, and every request that is not plainly a hot read (garbage, partial and
// pipelined requests, huge heads, HEAD, Connection: close, half-closed connections) gets node:http's
// answer while the port goes on serving. Method: an embedded broker (in memory, free ports); raw
// sockets write exact bytes and read exact answers; the same request is asked on a fresh connection
// (fast path) and on a connection already handed to node:http (after a GET /), and the two answers
// compared byte for byte except the Date header. readHotRequest's verdicts are checked on their own.
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { readHotRequest } from '../../src/registry/fast-path.ts'
import { avroRecord, call } from './helpers.ts'

let streamline: Streamline
let host: string
let port: number
const schema = avroRecord('Fast', [{ name: 'id', type: 'long' }])
const lookupBody = JSON.stringify({ schema })

before(async () => {
  streamline = await startStreamline()
  const url = new URL(streamline.registryUrl ?? assert.fail('registry disabled'))
  host = url.hostname
  port = Number(url.port)
  const base = url.origin
  assert.equal((await call(base, 'POST', '/subjects/fast-value/versions', { schema })).status, 200)
})
after(() => streamline.close())

/** A raw connection: writes bytes, reads whole answers (by Content-Length) or until closed. */
class RawClient {
  private readonly socket: Socket
  private received = Buffer.alloc(0)
  private closed = false
  private waiter: (() => void) | null = null

  constructor() {
    this.socket = connect({ host, port })
    this.socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk])
      this.waiter?.()
    })
    this.socket.on('close', () => {
      this.closed = true
      this.waiter?.()
    })
    this.socket.on('error', () => {})
  }

  write(bytes: string | Buffer): void {
    this.socket.write(bytes)
  }

  /** Writes `bytes` and half-closes: the server reads its end. */
  end(bytes: string): void {
    this.socket.end(bytes)
  }

  /** The next `count` answers (heads and bodies); a HEAD answer has no body (`noBody`). */
  async answers(count: number, noBody = false): Promise<{ head: string; body: string }[]> {
    const answers: { head: string; body: string }[] = []
    while (answers.length < count) {
      const headEnd = this.received.indexOf('\r\n\r\n')
      const head = headEnd < 0 ? '' : this.received.toString('latin1', 0, headEnd)
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? '0')
      const total = headEnd + 4 + (noBody ? 0 : length)
      if (headEnd >= 0 && this.received.length >= total) {
        answers.push({ head, body: this.received.toString('utf8', headEnd + 4, total) })
        this.received = this.received.subarray(total)
        continue
      }
      if (this.closed) assert.fail(`connection closed after ${answers.length} answers: ${this.received}`)
      await new Promise<void>((resolve) => {
        this.waiter = resolve
      })
      this.waiter = null
    }
    return answers
  }

  /** Resolves when the server has closed the connection. */
  async untilClosed(): Promise<void> {
    while (!this.closed)
      await new Promise<void>((resolve) => {
        this.waiter = resolve
      })
  }

  destroy(): void {
    this.socket.destroy()
  }
}

const get = (path: string, headers = ''): string => `GET ${path} HTTP/1.1\r\nHost: registry\r\n${headers}\r\n`
const post = (path: string, body: string, contentType = 'application/vnd.schemaregistry.v1+json'): string =>
  `POST ${path} HTTP/1.1\r\nHost: registry\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
const withoutDate = (head: string): string => head.replace(/\r\nDate: [^\r]+/, '')

/** The answer on a fresh connection (fast path) and on one handed to node:http: both, compared. */
async function sameAnswer(request: string): Promise<{ head: string; body: string }> {
  const fast = new RawClient()
  const slow = new RawClient()
  try {
    fast.write(request)
    const [fastAnswer] = await fast.answers(1)
    slow.write(get('/'))
    await slow.answers(1)
    slow.write(request)
    const [slowAnswer] = await slow.answers(1)
    assert.equal(withoutDate(fastAnswer.head), withoutDate(slowAnswer.head))
    assert.equal(fastAnswer.body, slowAnswer.body)
    assert.match(fastAnswer.head, /\r\nDate: [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT/)
    return fastAnswer
  } finally {
    fast.destroy()
    slow.destroy()
  }
}

describe('hot reads answer what node:http answers', () => {
  test('GET /schemas/ids/{id}: found, then not found', async () => {
    const found = await sameAnswer(get('/schemas/ids/1'))
    assert.equal(
      withoutDate(found.head),
      `HTTP/1.1 200 OK\r\ncontent-type: application/vnd.schemaregistry.v1+json\r\ncontent-length: ${Buffer.byteLength(JSON.stringify({ schema }))}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=30`,
    )
    assert.deepEqual(JSON.parse(found.body), { schema })
    const missing = await sameAnswer(get('/schemas/ids/999'))
    assert.match(missing.head, /^HTTP\/1\.1 404 Not Found\r\n/)
    assert.deepEqual(JSON.parse(missing.body), { error_code: 40403, message: 'Schema not found' })
  })

  test("a kept answer served again in later seconds says each second's Date, the rest unchanged", async () => {
    const client = new RawClient()
    try {
      const dateOf = (head: string): number => Date.parse(/\r\nDate: ([^\r]+)/.exec(head)?.[1] ?? '')
      const answers: { head: string; body: string }[] = []
      for (let round = 0; round < 3; round++) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20))
        const second = Math.floor(Date.now() / 1000) * 1000
        client.write(get('/schemas/ids/1'))
        const [answer] = await client.answers(1)
        assert.ok(Math.abs(dateOf(answer.head) - second) <= 1000, `${answer.head} in the second of ${second}`)
        answers.push(answer)
      }
      // The kept answer's bytes are rewritten in place: three different seconds, one body.
      assert.equal(new Set(answers.map((answer) => dateOf(answer.head))).size, 3)
      assert.equal(new Set(answers.map((answer) => withoutDate(answer.head) + answer.body)).size, 1)
    } finally {
      client.destroy()
    }
  })

  test('POST /subjects/{s} (lookup): found, unknown subject, refused content type, bad JSON', async () => {
    const found = await sameAnswer(post('/subjects/fast-value', lookupBody))
    assert.deepEqual(JSON.parse(found.body), { subject: 'fast-value', version: 1, id: 1, schema })
    const unknown = await sameAnswer(post('/subjects/nobody', lookupBody))
    assert.deepEqual(JSON.parse(unknown.body), { error_code: 40401, message: "Subject 'nobody' not found." })
    const refused = await sameAnswer(post('/subjects/fast-value', lookupBody, 'text/plain'))
    assert.match(refused.head, /^HTTP\/1\.1 415 /)
    assert.deepEqual(JSON.parse(refused.body), {
      error_code: 415,
      message: 'HTTP 415 Unsupported Media Type: text/plain',
    })
    const badJson = await sameAnswer(post('/subjects/fast-value', '{"schema":'))
    assert.match(badJson.head, /^HTTP\/1\.1 400 /)
    assert.equal((JSON.parse(badJson.body) as { error_code: number }).error_code, 400)
  })
})

describe('requests that are not plainly hot reads', () => {
  test('pipelined: hot reads, then another route, then a hot read again, answered in order', async () => {
    const client = new RawClient()
    try {
      client.write(
        get('/schemas/ids/1') +
          post('/subjects/fast-value', lookupBody) +
          get('/subjects') +
          get('/schemas/ids/1'),
      )
      const answers = await client.answers(4)
      assert.deepEqual(JSON.parse(answers[0].body), { schema })
      assert.equal((JSON.parse(answers[1].body) as { id: number }).id, 1)
      assert.deepEqual(JSON.parse(answers[2].body), ['fast-value'])
      assert.deepEqual(JSON.parse(answers[3].body), { schema })
    } finally {
      client.destroy()
    }
  })

  test('partial requests: a head split in two writes, a body sent after its head', async () => {
    const client = new RawClient()
    try {
      const request = get('/schemas/ids/1')
      client.write(request.slice(0, 10))
      await new Promise((resolve) => setTimeout(resolve, 20))
      client.write(request.slice(10))
      assert.deepEqual(JSON.parse((await client.answers(1))[0].body), { schema })
      const lookup = post('/subjects/fast-value', lookupBody)
      const bodyAt = lookup.indexOf('\r\n\r\n') + 4
      client.write(lookup.slice(0, bodyAt))
      await new Promise((resolve) => setTimeout(resolve, 20))
      client.write(lookup.slice(bodyAt))
      assert.equal((JSON.parse((await client.answers(1))[0].body) as { id: number }).id, 1)
      // A head past 8 KiB not yet ended goes to node:http with the bytes read so far; it answers once the
      // head is complete (under node:http's 16 KiB).
      client.write(`GET /schemas/ids/1 HTTP/1.1\r\nHost: registry\r\nX-Filler: ${'x'.repeat(9000)}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
      client.write('\r\n\r\n')
      assert.deepEqual(JSON.parse((await client.answers(1))[0].body), { schema })
    } finally {
      client.destroy()
    }
  })

  test('garbage gets 400 and the connection closes; the port goes on serving', async () => {
    for (const garbage of [
      'HELLO\r\n\r\n',
      'GET /schemas/ids/1 HTTP/1.1\r\nHost registry\r\n\r\n',
      '\x00\x01\x02\r\n\r\n',
    ]) {
      const client = new RawClient()
      client.write(garbage)
      const [answer] = await client.answers(1)
      assert.match(answer.head, /^HTTP\/1\.1 400 Bad Request/)
      await client.untilClosed()
    }
    assert.deepEqual(JSON.parse((await sameAnswer(get('/schemas/ids/1'))).body), { schema })
  })

  test('a head over 16 KiB gets 431; a request without Host gets 400', async () => {
    const huge = new RawClient()
    huge.write(get('/schemas/ids/1', `X-Filler: ${'x'.repeat(20 * 1024)}\r\n`))
    assert.match((await huge.answers(1))[0].head, /^HTTP\/1\.1 431 /)
    await huge.untilClosed()
    const hostless = new RawClient()
    hostless.write('GET /schemas/ids/1 HTTP/1.1\r\n\r\n')
    assert.match((await hostless.answers(1))[0].head, /^HTTP\/1\.1 400 /)
    await hostless.untilClosed()
  })

  test('HEAD, Connection: close and a half-closed connection', async () => {
    const head = new RawClient()
    try {
      head.write(`HEAD /schemas/ids/1 HTTP/1.1\r\nHost: registry\r\n\r\n`)
      // No route takes HEAD (as before the fast path): node:http's 405 head, without its body.
      const [answer] = await head.answers(1, true)
      assert.match(answer.head, /^HTTP\/1\.1 405 Method Not Allowed\r\n/)
      head.write(get('/schemas/ids/1'))
      assert.deepEqual(JSON.parse((await head.answers(1))[0].body), { schema })
    } finally {
      head.destroy()
    }
    const closing = new RawClient()
    closing.write(get('/schemas/ids/1', 'Connection: close\r\n'))
    const [closed] = await closing.answers(1)
    assert.match(closed.head, /\r\nConnection: close/)
    assert.deepEqual(JSON.parse(closed.body), { schema })
    await closing.untilClosed()
    const halfClosed = new RawClient()
    halfClosed.end(get('/schemas/ids/1') + post('/subjects/fast-value', lookupBody))
    const answers = await halfClosed.answers(2)
    assert.deepEqual(JSON.parse(answers[0].body), { schema })
    assert.equal((JSON.parse(answers[1].body) as { id: number }).id, 1)
    await halfClosed.untilClosed()
  })
})

describe('readHotRequest', () => {
  const read = (text: string): ReturnType<typeof readHotRequest> =>
    readHotRequest(Buffer.from(text, 'latin1'))

  test('hot reads, with their lengths, body and content type', () => {
    assert.deepEqual(read(`${get('/schemas/ids/7')}next`), {
      method: 'GET',
      url: '/schemas/ids/7',
      body: undefined,
      length: get('/schemas/ids/7').length,
    })
    const lookup = post('/subjects/s', '{"schema":"x"}', 'application/json')
    assert.deepEqual(read(lookup), {
      method: 'POST',
      url: '/subjects/s',
      body: { text: '{"schema":"x"}', contentType: 'application/json' },
      length: lookup.length,
    })
    assert.notEqual(read(get('/schemas/ids/7', 'connection: Keep-Alive\r\nX-Any: ok\r\n')), 'other')
  })

  test('incomplete until the head and the body are all there', () => {
    assert.equal(read('GET /schemas/ids/7 HTTP/1.1\r\nHost: r\r\n'), 'incomplete')
    assert.equal(read('POST /subjects/s HTTP/1.1\r\nHost: r\r\nContent-Length: 10\r\n\r\n{"a"'), 'incomplete')
  })

  test("node:http's: other methods and versions, odd headers, bodies it must frame", () => {
    for (const text of [
      'HEAD /schemas/ids/7 HTTP/1.1\r\nHost: r\r\n\r\n',
      'GET /schemas/ids/7 HTTP/1.0\r\nHost: r\r\n\r\n',
      'GET http://r/schemas/ids/7 HTTP/1.1\r\nHost: r\r\n\r\n',
      'GET /schemas/ids/7  HTTP/1.1\r\nHost: r\r\n\r\n',
      'get /schemas/ids/7 HTTP/1.1\r\nHost: r\r\n\r\n',
      'GET /schemas/ids/7 HTTP/1.1\r\n\r\n',
      get('/schemas/ids/7', 'Host: again\r\n'),
      get('/schemas/ids/7', 'Bad Name: x\r\n'),
      get('/schemas/ids/7', ' folded\r\n'),
      get('/schemas/ids/7', 'NoColon\r\n'),
      get('/schemas/ids/7', 'X-Control: a\x01b\r\n'),
      get('/schemas/ids/7', 'Connection: close\r\n'),
      get('/schemas/ids/7', 'Content-Length: 3\r\n'),
      get('/schemas/ids/7', 'Expect: 100-continue\r\n'),
      get('/schemas/ids/7', 'Upgrade: h2c\r\n'),
      'POST /subjects/s HTTP/1.1\r\nHost: r\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST /subjects/s HTTP/1.1\r\nHost: r\r\n\r\n',
      'POST /subjects/s HTTP/1.1\r\nHost: r\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx',
      'POST /subjects/s HTTP/1.1\r\nHost: r\r\nContent-Length: -1\r\n\r\n',
      'POST /subjects/s HTTP/1.1\r\nHost: r\r\nContent-Length: 99999999\r\n\r\n',
      `GET /schemas/ids/7 HTTP/1.1\r\nHost: r\r\nX: ${'x'.repeat(9000)}`,
      'HELLO\r\n\r\n',
    ])
      assert.equal(read(text), 'other', JSON.stringify(text.slice(0, 80)))
  })
})
