// Compiles one of the bench's C programs (bench/suite/native/) at run time with the machine's C
// compiler, into the bench's scratch dir: no binary is kept in the repository, and CI's runner
// (g++ and make installed) builds it the same way. The first compiler found wins.
import { execFile } from 'node:child_process'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Compilers tried in order, with the arguments that make each compile C. */
const compilers: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['cc', []],
  ['gcc', []],
  ['clang', []],
  ['g++', ['-x', 'c']],
]

export type NativeBuild = { binary: string; compiler: string } | { missing: string }

function compile(
  compiler: string,
  prefix: readonly string[],
  source: string,
  binary: string,
): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      compiler,
      [...prefix, '-O2', '-std=gnu11', '-Wall', '-o', binary, source],
      { timeout: 60_000 },
      (error, _stdout, stderr) =>
        resolve(error === null ? null : `${compiler}: ${stderr.trim() || error.message}`),
    )
  })
}

/** Builds `native/<name>.c` into `outDir`; `missing` says why when no compiler could. */
export async function buildNative(name: string, outDir: string): Promise<NativeBuild> {
  const source = fileURLToPath(new URL(`../native/${name}.c`, import.meta.url))
  const binary = join(outDir, basename(name))
  const errors: string[] = []
  for (const [compiler, prefix] of compilers) {
    const error = await compile(compiler, prefix, source, binary)
    if (error === null) return { binary, compiler }
    errors.push(error.split('\n')[0])
  }
  return { missing: `no C compiler built ${name}.c (${errors.join('; ')})` }
}
