// Building avsc types without compiling their code. avsc compiles code with `new Function` while it
// builds a type: every type's branch constructor (two functions), and each record's constructor,
// reader, skipper, writer and checker. For a registry that is most of an Avro parse: 10,000 small
// record schemas took 1.9 s to build with that code and 0.25 s without it, and the compiled scripts,
// bytecode and their metadata are allocated straight into V8's old generation, ~10-15 KB per schema
// that only a mark-compact frees. 10,000 registrations left ~150 MB of it, whose mark-compacts (13-32 ms)
// then fell into the read phases of the registry's benchmark (issue 15, bench/RESULTS.md).
//
// Registering, looking up and comparing schemas need only what avsc checks while it builds (names,
// namespaces, defaults, logical types) and the schema back (`schema()`, the normalized text). So
// `checkedType` builds with each of those compilers replaced by a stand-in that compiles the real
// function the first time it is called (a record-typed default is built with the record's
// constructor, a union's default may be checked with a record's checker): the same verdicts and the
// same schema as avsc's own build, usually without compiling anything. The stand-ins are installed on
// avsc's prototypes only for the synchronous duration of that build, so no other build sees them. Such
// a type is for reading its name and schema; to encode or decode, `compiledType` is avsc's own build.

import avro from 'avsc'

type Compiler = (this: object, ...options: unknown[]) => unknown

/** The compilers avsc calls while it builds a type, by the prototype that defines them. */
const compilersOf: ReadonlyArray<{ prototype: object; names: readonly string[] }> = [
  { prototype: avro.Type.prototype, names: ['_createBranchConstructor'] },
  {
    prototype: avro.types.RecordType.prototype,
    names: ['_createConstructor', '_createReader', '_createSkipper', '_createWriter', '_createChecker'],
  },
]

/** avsc's own compilers, found by name (none when another avsc version has renamed them). */
const originals = new Map<object, Map<string, Compiler>>()
for (const { prototype, names } of compilersOf) {
  const own = new Map<string, Compiler>()
  for (const name of names) {
    const compiler: unknown = Reflect.get(prototype, name)
    if (typeof compiler === 'function') own.set(name, compiler as Compiler)
  }
  originals.set(prototype, own)
}

/** True when every compiler was found: builds skip code generation (else they are avsc's own). */
export const buildsWithoutCode = compilersOf.every(
  ({ prototype, names }) => originals.get(prototype)?.size === names.length,
)

/**
 * A stand-in for `compiler`, called on a type as avsc calls it: what it returns compiles the real
 * function on first use and forwards to it (called, or constructed with `new`: a record's constructor
 * and a branch constructor are constructed). A branch constructor is null for avsc's `null` branch, so
 * that answer is given as avsc gives it, without compiling.
 */
function deferred(name: string, compiler: Compiler): Compiler {
  return function (this: object, ...options: unknown[]): unknown {
    if (name === '_createBranchConstructor' && Reflect.get(this, 'branchName') === 'null') return null
    let compiled: ((...args: unknown[]) => unknown) | undefined
    const real = (): ((...args: unknown[]) => unknown) => {
      // With the arguments avsc gave (a record constructor's: errorStackTraces, omitRecordMethods).
      compiled ??= compiler.apply(this, options) as (...args: unknown[]) => unknown
      return compiled
    }
    return function (this: unknown, ...args: unknown[]): unknown {
      const target = real()
      return new.target === undefined ? Reflect.apply(target, this, args) : Reflect.construct(target, args)
    }
  }
}

const standIns = new Map<object, Map<string, Compiler>>()
for (const [prototype, own] of originals) {
  standIns.set(prototype, new Map([...own].map(([name, compiler]) => [name, deferred(name, compiler)])))
}

function install(which: Map<object, Map<string, Compiler>>): void {
  for (const [prototype, compilers] of which)
    for (const [name, compiler] of compilers) Reflect.set(prototype, name, compiler)
}

/**
 * Builds `schema` as avsc does (throwing what it throws) without compiling its code, into `registry`
 * (named types defined there are found by later builds into the same registry). Read its name and
 * schema only: never encode or decode with it.
 */
export function checkedType(schema: unknown, registry: Record<string, avro.Type>): avro.Type {
  if (!buildsWithoutCode) return compiledType(schema, registry)
  install(standIns)
  try {
    return avro.Type.forSchema(schema as avro.Schema, { registry })
  } finally {
    install(originals)
  }
}

/** avsc's own build of `schema` into `registry`: a type to encode and decode with. */
export function compiledType(schema: unknown, registry: Record<string, avro.Type>): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { registry })
}
