// `npm start`: runs the bundled CLI (dist/bundle/streamline.js, made by scripts/bundle.ts), bundling it
// first when it is missing or older than src/, package.json, package-lock.json or the bundle script, so
// `npm ci && npm start` works from a fresh clone and an edit in src/ is never run stale. Likewise the
// web console (web/ → dist/web/, served at http://127.0.0.1:9094/) is built with vite when its
// index.html is missing or older than web/ or the lock file. When both are fresh this costs a few
// stat() calls.
// Plain JavaScript on purpose: it runs before anything is built, without a TypeScript loader (the
// loader alone costs more than the whole bundled start; bench/RESULTS.md, Startup).
// @ts-check

import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bundle = join(root, 'dist', 'bundle', 'streamline.js')
const consoleIndex = join(root, 'dist', 'web', 'index.html')
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js')

/** @param {string} path */
function modifiedMs(path) {
  try {
    return statSync(path).mtimeMs
  } catch {
    return Number.NEGATIVE_INFINITY
  }
}

/** @param {string} folder */
function newestInMs(folder) {
  let newest = Number.NEGATIVE_INFINITY
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, modifiedMs(join(entry.parentPath, entry.name)))
  }
  return newest
}

function newestSourceMs() {
  let newest = Math.max(
    modifiedMs(join(root, 'package.json')),
    modifiedMs(join(root, 'package-lock.json')),
    modifiedMs(join(root, 'scripts', 'bundle.ts')),
  )
  for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, modifiedMs(join(entry.parentPath, entry.name)))
  }
  return newest
}

if (modifiedMs(bundle) < newestSourceMs()) {
  process.stderr.write('streamline: bundling src/ into dist/bundle/ (scripts/bundle.ts)\n')
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'bundle.ts')], {
    cwd: root,
    stdio: 'inherit',
  })
}
if (
  modifiedMs(consoleIndex) <
  Math.max(newestInMs(join(root, 'web')), modifiedMs(join(root, 'package-lock.json')))
) {
  if (modifiedMs(vite) === Number.NEGATIVE_INFINITY) {
    process.stderr.write('streamline: the web console is not built and vite is not installed (npm ci)\n')
  } else {
    process.stderr.write('streamline: building the web console into dist/web/ (npm run build:web)\n')
    execFileSync(
      process.execPath,
      [vite, 'build', '--config', join(root, 'web', 'vite.config.ts'), '--logLevel', 'warn'],
      {
        cwd: root,
        stdio: 'inherit',
      },
    )
  }
}
// The CLI reads process.argv.slice(2): the arguments given to `npm start -- ...`.
await import(pathToFileURL(bundle).href)
