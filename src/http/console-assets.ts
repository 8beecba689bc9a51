// The web console's static files (built by `npm run build:web` from web/ into dist/web/), served at `/`
// by the bare HTTP server (server.ts) without the fastify app.
//
// Lazy: nothing is read at start. A file is read the first time it is asked for, compressed once
// (brotli and gzip) and kept in memory with its ETag; the folder holds only what vite built (a few
// files, well under a megabyte), which bounds the cache. Hashed files under /assets/ are immutable
// (cached a year); index.html is revalidated on every load (no-cache + ETag) so a rebuilt console is
// seen at once. Paths without a file extension are the single-page app's own routes (/topics/orders):
// they get index.html, so deep links and reloads work.

import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname, extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { brotliCompress, gzip, constants as zlibConstants } from 'node:zlib'

// Compression runs in libuv's thread pool, never on the event loop.
const gzipAsync = promisify(gzip)
const brotliAsync = promisify(brotliCompress)

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
}
/** Types worth compressing (images and fonts are compressed already). */
const compressible = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt'])
/** Files larger than this are not served (the console's are far smaller; a bound on the cache). */
const assetBytesMax = 8 * 1024 * 1024

/** What the console's pages may load: only this origin (no CDN), WebSockets to it for the live tail. */
const contentSecurityPolicy =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

interface CachedAsset {
  contentType: string
  etag: string
  identity: Buffer
  gzip: Buffer | null
  brotli: Buffer | null
  immutable: boolean
}

/** The folder of the built console: dist/web beside the package.json above this module (src/http in
 * development, dist/bundle or dist/src/http once built: all below the package root). */
export function consoleAssetsDir(): string {
  let folder = dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 5; depth += 1) {
    if (existsSync(join(folder, 'package.json'))) return join(folder, 'dist', 'web')
    folder = dirname(folder)
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'web')
}

export class ConsoleAssets {
  private readonly cache = new Map<string, Promise<CachedAsset | null>>()

  constructor(private readonly folder: string) {}

  /** Answers a GET/HEAD for a console path. */
  serve(request: IncomingMessage, response: ServerResponse): void {
    const path = decodePath(request.url ?? '/')
    const file = path === null ? null : this.fileOf(path)
    if (file === null) {
      sendText(response, 404, 'not found')
      return
    }
    this.load(file).then(
      (asset) => {
        if (asset === null) {
          if (file.endsWith('index.html')) sendText(response, 503, notBuiltMessage)
          else sendText(response, 404, 'not found')
          return
        }
        sendAsset(request, response, asset)
      },
      () => sendText(response, 500, 'reading the console files failed'),
    )
  }

  /** The file for a URL path: itself when it has an extension, else the app's index.html. */
  private fileOf(path: string): string | null {
    const relative = extname(path) === '' ? 'index.html' : path.replace(/^\/+/, '')
    const file = normalize(join(this.folder, relative))
    if (!file.startsWith(this.folder + sep)) return null
    return file
  }

  private load(file: string): Promise<CachedAsset | null> {
    let loading = this.cache.get(file)
    if (loading === undefined) {
      loading = readAsset(file, this.folder)
      this.cache.set(file, loading)
      // A missing file is not cached: the console may be built while the broker runs.
      loading.then(
        (asset) => {
          if (asset === null) this.cache.delete(file)
        },
        () => this.cache.delete(file),
      )
    }
    return loading
  }
}

const notBuiltMessage =
  'The web console is not built. Run `npm run build:web` (npm start builds it when it is missing).\n'

function decodePath(url: string): string | null {
  try {
    return decodeURIComponent(url.split('?', 1)[0])
  } catch {
    return null
  }
}

async function readAsset(file: string, folder: string): Promise<CachedAsset | null> {
  let size: number
  try {
    const info = await stat(file)
    if (!info.isFile()) return null
    size = info.size
  } catch {
    return null
  }
  if (size > assetBytesMax) return null
  const identity = await readFile(file)
  const extension = extname(file)
  const compress = compressible.has(extension) && identity.length > 512
  return {
    contentType: contentTypes[extension] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 27)}"`,
    identity,
    gzip: compress ? await gzipAsync(identity, { level: 9 }) : null,
    brotli: compress
      ? await brotliAsync(identity, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } })
      : null,
    immutable: file.startsWith(join(folder, 'assets') + sep),
  }
}

function acceptedEncoding(request: IncomingMessage, asset: CachedAsset): 'br' | 'gzip' | null {
  const accepted = String(request.headers['accept-encoding'] ?? '')
  if (asset.brotli !== null && /\bbr\b/.test(accepted)) return 'br'
  if (asset.gzip !== null && /\bgzip\b/.test(accepted)) return 'gzip'
  return null
}

function sendAsset(request: IncomingMessage, response: ServerResponse, asset: CachedAsset): void {
  const headers: Record<string, string | number> = {
    'content-type': asset.contentType,
    etag: asset.etag,
    'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    vary: 'accept-encoding',
  }
  if (asset.contentType.startsWith('text/html')) {
    headers['content-security-policy'] = contentSecurityPolicy
    headers['referrer-policy'] = 'no-referrer'
  }
  if (request.headers['if-none-match'] === asset.etag) {
    response.writeHead(304, headers)
    response.end()
    return
  }
  const encoding = acceptedEncoding(request, asset)
  const body = encoding === 'br' ? asset.brotli : encoding === 'gzip' ? asset.gzip : asset.identity
  if (encoding !== null) headers['content-encoding'] = encoding
  headers['content-length'] = body?.length ?? 0
  response.writeHead(200, headers)
  response.end(request.method === 'HEAD' ? undefined : body)
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
  })
  response.end(text)
}
