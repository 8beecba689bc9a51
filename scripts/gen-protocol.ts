// Generates src/protocol/generated/ from Kafka's protocol definitions.
//
//   npm run gen:protocol                      # reads ../shared/kafka-spec, writes src/protocol/generated
//   npm run gen:protocol -- --spec DIR        # another copy of the spec
//   npm run gen:protocol -- --check           # exit 1 if the committed files are stale
//
// Versions Kafka added after the spec snapshot come from protocol-gen/later-versions.ts.
// One file per message of messages/ and internal/ (types, defaults, a decoder and an encoder per version, a schema for tests),
// error-codes.ts from errors.tsv, and index.ts with the ApiKey table. Output is deterministic.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { emitErrorsFile, parseErrorsTsv } from './protocol-gen/errors-file.ts'
import {
  emitApiCodecsFile,
  emitIndexFile,
  emitSchemasIndexFile,
  pairApis,
} from './protocol-gen/index-file.ts'
import { applyLaterVersions } from './protocol-gen/later-versions.ts'
import { emitMessageFile, emitSchemaFile } from './protocol-gen/message-file.ts'
import { kebabCase } from './protocol-gen/names.ts'
import { readSpecFolder } from './protocol-gen/spec.ts'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const defaultSpecDir = resolve(repoRoot, '..', 'shared', 'kafka-spec')
export const generatedDir = join(repoRoot, 'src', 'protocol', 'generated')

/** "kafka-spec @1eb7644", from the commit the spec README names. */
function sourceLabel(specDir: string): string {
  const readme = join(specDir, 'README.md')
  const commit = existsSync(readme)
    ? /commit ([0-9a-f]{7,40})/.exec(readFileSync(readme, 'utf8'))?.[1]
    : undefined
  return commit === undefined ? 'kafka-spec' : `kafka-spec @${commit.slice(0, 7)}`
}

/** Every generated file, by file name, from the spec in `specDir`. */
export function generateProtocolFiles(specDir: string): Map<string, string> {
  const source = sourceLabel(specDir)
  // messages/: the protocol; internal/: the key/value schemas of __consumer_offsets and
  // __transaction_state records (same format, type "data").
  const internalDir = join(specDir, 'internal')
  const messages = [
    ...readSpecFolder(join(specDir, 'messages')),
    ...(existsSync(internalDir) ? readSpecFolder(internalDir) : []),
  ]
  applyLaterVersions(messages)
  const files = new Map<string, string>()
  for (const message of messages) {
    files.set(`${kebabCase(message.name)}.ts`, emitMessageFile(message, source))
    files.set(`${kebabCase(message.name)}.schema.ts`, emitSchemaFile(message, source))
  }
  files.set(
    'error-codes.ts',
    emitErrorsFile(parseErrorsTsv(readFileSync(join(specDir, 'errors.tsv'), 'utf8')), source),
  )
  files.set('index.ts', emitIndexFile(messages, pairApis(messages), source))
  files.set('schemas.ts', emitSchemasIndexFile(messages, source))
  files.set('api-codecs.ts', emitApiCodecsFile(pairApis(messages), source))
  return files
}

function main(argv: string[]): number {
  const specIndex = argv.indexOf('--spec')
  const specDir = specIndex >= 0 ? resolve(argv[specIndex + 1]) : defaultSpecDir
  const files = generateProtocolFiles(specDir)
  if (argv.includes('--check')) {
    const stale = [...files].filter(([name, text]) => {
      const path = join(generatedDir, name)
      return !existsSync(path) || readFileSync(path, 'utf8') !== text
    })
    const extra = readdirSync(generatedDir).filter((name) => !files.has(name))
    for (const [name] of stale) process.stderr.write(`stale: ${name}\n`)
    for (const name of extra) process.stderr.write(`not generated: ${name}\n`)
    return stale.length + extra.length === 0 ? 0 : 1
  }
  rmSync(generatedDir, { recursive: true, force: true })
  mkdirSync(generatedDir, { recursive: true })
  for (const [name, text] of files) writeFileSync(join(generatedDir, name), text)
  process.stdout.write(`wrote ${files.size} files to ${generatedDir}\n`)
  return 0
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2))
}
