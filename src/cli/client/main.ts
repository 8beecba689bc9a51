#!/usr/bin/env node
// `streamline-cli`: the client command (bin in package.json; bundled to dist/bundle/streamline-cli.js
// by scripts/bundle.ts). Runs one command line and exits with its code (0 ok, 1 failed, 2 usage).
// No static import: whatever this file imports loads before the `--version` quick path below.

// The version fixed into the bundle by scripts/bundle.ts; undefined when run from source.
declare const STREAMLINE_CLI_VERSION: string | undefined

const interrupt = new AbortController()
let interrupts = 0
process.on('SIGINT', () => {
  interrupts += 1
  if (interrupts > 1) process.exit(130) // a second Ctrl-C: the user wants out now
  interrupt.abort()
})
// `streamline-cli consume … | head`: the reader went away; that is a normal end, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

const args = process.argv.slice(2)
// The quick path: `--version` answers without loading the command tree (scripts call it to probe).
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const version =
    typeof STREAMLINE_CLI_VERSION === 'string'
      ? STREAMLINE_CLI_VERSION
      : (await import('./version.ts')).cliVersion()
  process.stdout.write(`${version}\n`)
  process.exit(0)
}
const { runCli } = await import('./program.ts')
const exitCode = await runCli(args, {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdoutIsTerminal: process.stdout.isTTY === true,
  interrupt: interrupt.signal,
})
process.exitCode = exitCode
// Clients are closed by now; a library timer left behind must not keep a finished command alive.
setTimeout(() => process.exit(exitCode), 1000).unref()
