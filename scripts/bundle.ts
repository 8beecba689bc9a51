// Bundles the `streamline` CLI (and the `streamline-cli` client command) with esbuild into dist/bundle/: one entry file plus chunks that load
// on first use (the HTTP app with fastify, the codecs of each Kafka API, the compression codecs).
// Why: on Node 20 a start from the tsc output spends most of its time resolving and reading hundreds
// of modules; one file removes that (bench/RESULTS.md, Startup). Native addons (CRC32C, lz4, snappy,
// zstd, DuckDB) stay external: they are .node files loaded from node_modules.
//
// `npm run build` runs this after tsc; `npm start` (scripts/start.js) runs it when src/ is newer than
// the bundle. Usage: node --import tsx scripts/bundle.ts

import { readFile, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BuildOptions, build, type Plugin } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const bundleDir = join(root, 'dist', 'bundle')

/** Packages with native addons, resolved from node_modules at run time. */
export const nativePackages = [
  '@node-rs/crc32',
  'lz4-napi',
  'snappy',
  '@mongodb-js/zstd',
  '@duckdb/node-api',
  '@duckdb/node-bindings',
]
/** Packages that read files beside their own code at load (a .wasm), so they cannot be inlined. */
export const filePackages = ['@platformatic/wasm-utils']
/** Optional packages a dependency requires only when asked (pg's libpq binding, `pg.native`), never
 * installed here: left to resolve at run time, where nothing asks for them. */
export const optionalPackages = ['pg-native']

/** @platformatic/kafka compiles ~40 ajv option validators when its modules load (~190 ms of CPU and the
 * garbage it leaves: most of a `streamline-cli` command's start). This compiles each on its first
 * call instead, so a command pays only for the validators of the calls it makes. Safe because the
 * schemas reference no other schema ($ref/$id): the order of compilation does not matter. */
const lazyAjvValidators: Plugin = {
  name: 'lazy-ajv-validators',
  setup(builder) {
    builder.onLoad(
      { filter: /@platformatic[\\/]kafka[\\/]dist[\\/]clients[\\/][a-z]+[\\/]options\.js$/ },
      async (args) => {
        const source = await readFile(args.path, 'utf8')
        const lazyCompile =
          'const __lazyCompile = (compiler, schema) => { let compiled; const validate = (data) => { compiled ??= compiler.compile(schema); const valid = compiled(data); validate.errors = compiled.errors; return valid }; validate.errors = null; return validate };\n'
        return {
          contents: lazyCompile + source.replaceAll('= ajv.compile(', '= __lazyCompile(ajv, '),
          loader: 'js',
        }
      },
    )
  },
}

export const bundleOptions: BuildOptions = {
  // The CLI, and the embedded API for bench/suite/workloads/footprint.ts (the package's `exports` stay
  // on tsc's output, with its type declarations).
  entryPoints: {
    streamline: join(root, 'src', 'cli', 'streamline.ts'),
    // The client command (bin `streamline-cli`); @platformatic/kafka loads in a chunk on first use.
    'streamline-cli': join(root, 'src', 'cli', 'client', 'main.ts'),
    embedded: join(root, 'src', 'embedded', 'index.ts'),
  },
  outdir: bundleDir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: [...nativePackages, ...filePackages, ...optionalPackages],
  // Less text for V8 to parse at start (Node 20 has no compile cache); names are kept readable in
  // stack traces because identifiers are not renamed.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  // The CommonJS packages in the bundle (fastify, pino, ...) call require() for Node's modules.
  banner: {
    js: "import { createRequire as __streamlineCreateRequire } from 'node:module'; const require = __streamlineCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
  plugins: [lazyAjvValidators],
}

export async function bundleCli(): Promise<void> {
  await rm(bundleDir, { recursive: true, force: true })
  // The option table of the CLI's quick path (src/config/quick-load.ts), computed from the schema now
  // so that a start with plain flags never loads zod.
  const { optionTableOf } = await import('../src/config/option-table.ts')
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }
  await build({
    ...bundleOptions,
    define: {
      STREAMLINE_OPTION_TABLE_JSON: JSON.stringify(JSON.stringify(optionTableOf())),
      STREAMLINE_CLI_VERSION: JSON.stringify(version),
    },
  })
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await bundleCli()
}
