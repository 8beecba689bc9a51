// Goal: the console's file server answers only files of its folder, with the right types, encodings and
// caching, and malformed or hostile paths get a plain error while it keeps serving.
// Method: a ConsoleAssets over a temporary folder behind a bare node:http server on a free port; fetch().

import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, request as httpRequest, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { ConsoleAssets } from './console-assets.ts'

let root: string
let folder: string
let server: Server
let base: string
const script = `console.info(${JSON.stringify('x'.repeat(2000))})\n`

before(async () => {
  // root/web is served; root/outside-secret.txt must never be.
  root = await mkdtemp(join(tmpdir(), 'streamline-console-assets-'))
  folder = join(root, 'web')
  await mkdir(join(folder, 'assets'), { recursive: true })
  await writeFile(join(folder, 'index.html'), '<!doctype html><div id="app"></div>')
  await writeFile(join(folder, 'assets', 'index-abc.js'), script)
  await writeFile(join(root, 'outside-secret.txt'), 'secret')
  const assets = new ConsoleAssets(folder)
  server = createServer((request, response) => assets.serve(request, response))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  base = `http://127.0.0.1:${address.port}`
})

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await rm(root, { recursive: true, force: true })
})

/** A raw GET (fetch() would normalise `..` away before sending). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}/`, { path, method: 'GET' }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        body += chunk
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
    })
    request.on('error', reject)
    request.end()
  })
}

test('index.html for app routes, no-cache and a CSP', async () => {
  for (const path of ['/', '/topics', '/topics/orders/messages?partition=1']) {
    const response = await fetch(`${base}${path}`)
    assert.equal(response.status, 200, path)
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8')
    assert.equal(response.headers.get('cache-control'), 'no-cache')
    assert.match(response.headers.get('content-security-policy') ?? '', /^default-src 'self'/)
    assert.equal(await response.text(), '<!doctype html><div id="app"></div>')
  }
})

test('hashed assets: immutable, brotli or gzip as accepted, identity otherwise, 304 on a matching ETag', async () => {
  const brotli = await fetch(`${base}/assets/index-abc.js`, { headers: { 'accept-encoding': 'gzip, br' } })
  assert.equal(brotli.headers.get('content-encoding'), 'br')
  assert.equal(brotli.headers.get('cache-control'), 'public, max-age=31536000, immutable')
  assert.equal(brotli.headers.get('content-type'), 'text/javascript; charset=utf-8')
  assert.equal(await brotli.text(), script) // fetch decodes it
  const gzip = await fetch(`${base}/assets/index-abc.js`, { headers: { 'accept-encoding': 'gzip' } })
  assert.equal(gzip.headers.get('content-encoding'), 'gzip')
  assert.ok(Number(gzip.headers.get('content-length')) < script.length)
  const plain = await rawGet('/assets/index-abc.js')
  assert.equal(plain.body, script)
  const etag = brotli.headers.get('etag') ?? ''
  assert.match(etag, /^"[\w-]{27}"$/)
  const notModified = await fetch(`${base}/assets/index-abc.js`, { headers: { 'if-none-match': etag } })
  assert.equal(notModified.status, 304)
})

test('missing files, traversal and malformed paths are refused; the server keeps serving', async () => {
  assert.equal((await rawGet('/assets/missing.js')).status, 404)
  assert.deepEqual(await rawGet('/../outside-secret.txt'), { status: 404, body: 'not found' })
  assert.deepEqual(await rawGet('/assets/..%2f..%2foutside-secret.txt'), { status: 404, body: 'not found' })
  assert.deepEqual(await rawGet('/%E0%A4%A'), { status: 404, body: 'not found' })
  assert.equal((await rawGet('/assets')).status, 200) // no extension: an app route, index.html
  assert.equal((await rawGet('/assets/')).status, 200)
  assert.equal((await fetch(`${base}/`)).status, 200)
})

test('a folder without a build answers 503 with how to build it', async () => {
  const empty = new ConsoleAssets(join(folder, 'nothing-here'))
  const bare = createServer((request, response) => empty.serve(request, response))
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve))
  const address = bare.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  const response = await fetch(`http://127.0.0.1:${address.port}/topics`)
  assert.equal(response.status, 503)
  assert.match(await response.text(), /npm run build:web/)
  await new Promise<void>((resolve) => bare.close(() => resolve()))
})
