// Goal: the API reference (`npm run docs:api`, TypeDoc over the package's main export) generates
// without a warning and documents startStreamline, its options and its result.
// Method: the npm script runs as a user runs it, into a temp dir (--out), as one child process; the
// generated pages are then read for the exported names and their doc comments.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { makeTempDir, removeTempDir, repositoryRoot } from '../helpers/broker-process.ts'

const outDir = await makeTempDir('streamline-api-docs-')
after(() => removeTempDir(outDir))

function runDocsApi(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'docs:api', '--', '--out', outDir], {
      cwd: repositoryRoot,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}

/** A generated page as plain text (tags dropped, whitespace collapsed). */
async function pageText(path: string): Promise<string> {
  const html = await readFile(join(outDir, path), 'utf8')
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/&#x60;|&#96;/g, '`')
    .replace(/\s+/g, ' ')
}

test('npm run docs:api generates the reference of the main export without warnings', async () => {
  const { code, output } = await runDocsApi()
  assert.equal(code, 0, output)
  // treatWarningsAsErrors (typedoc.json) fails the run on a warning; say which if one slips through.
  assert.doesNotMatch(output, /\[warning\]|\[error\]/, output)

  // Other exports may join it (the in-process client); these must stay.
  assert.ok((await readdir(join(outDir, 'functions'))).includes('startStreamline.html'))
  const interfaces = await readdir(join(outDir, 'interfaces'))
  for (const name of ['StartStreamlineOptions.html', 'Streamline.html'])
    assert.ok(interfaces.includes(name), name)

  const index = await pageText('index.html')
  assert.match(index, /startStreamline/)
  assert.match(index, /start a full Streamline broker inside your own process/)

  const start = await pageText('functions/startStreamline.html')
  assert.match(start, /startStreamline \( options \?: StartStreamlineOptions \) : Promise < Streamline >/)
  assert.match(start, /Starts a Streamline broker in this process/)
  assert.match(start, /acks=all/)

  const result = await pageText('interfaces/Streamline.html')
  for (const member of ['bootstrap', 'httpUrl', 'registryUrl', 'connectUrl', 'clusterId', 'query', 'close']) {
    assert.match(result, new RegExp(`\\b${member}\\b`), member)
  }
  assert.match(result, /for a Kafka client's bootstrap servers/)

  const options = await pageText('interfaces/StartStreamlineOptions.html')
  assert.match(options, /dataDir \?: string/)
  assert.match(options, /initialRebalanceDelayMs/)
})
