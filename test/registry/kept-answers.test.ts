// Goal: the kept answers to GET /schemas/ids/{id} (src/registry/id-answers.ts) and to lookups
// (lookup-answers.ts), both outside the V8 heap, keep the registry's rules: found only at the state's
// count they were built at, dropped by any change, bounded; and an answer already handed out (a
// socket may still be writing it) never changes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { IdAnswers } from '../../src/registry/id-answers.ts'
import { LookupAnswers } from '../../src/registry/lookup-answers.ts'

test('an answer is kept by id at the count it was built at', () => {
  const answers = new IdAnswers()
  answers.set(7, 3, '{"schema":"a"}')
  answers.set(1, 3, '{"schema":"é"}')
  assert.equal(answers.get(7, 3)?.toString(), '{"schema":"a"}')
  assert.equal(answers.get(1, 3)?.toString(), '{"schema":"é"}')
  assert.equal(answers.get(2, 3), undefined)
  assert.equal(answers.get(70_000, 3), undefined)
  assert.equal(answers.size, 2)
})

test('a change drops every answer; one built before the change is not kept', () => {
  const answers = new IdAnswers()
  answers.set(7, 3, 'seven')
  const handedOut = answers.get(7, 3)
  assert.equal(answers.get(7, 4), undefined)
  answers.set(8, 3, 'built before the change')
  assert.equal(answers.get(8, 4), undefined)
  answers.set(7, 4, 'SEVEN')
  assert.equal(answers.get(7, 4)?.toString(), 'SEVEN')
  assert.equal(handedOut?.toString(), 'seven')
})

test('the first answer kept for an id stays; ids out of range are not kept', () => {
  const answers = new IdAnswers()
  answers.set(5, 1, 'first')
  answers.set(5, 1, 'second')
  assert.equal(answers.get(5, 1)?.toString(), 'first')
  answers.set(2 ** 21, 1, 'too large')
  answers.set(-1, 1, 'negative')
  assert.equal(answers.get(2 ** 21, 1), undefined)
  assert.equal(answers.size, 1)
})

test('a full arena starts over in a new one, leaving the answers handed out intact', () => {
  const answers = new IdAnswers()
  const megabyte = 'x'.repeat(1024 * 1024 - 8)
  for (let id = 1; id <= 4; id++) answers.set(id, 1, `${id}${megabyte}`)
  const first = answers.get(1, 1)
  assert.equal(answers.size, 4)
  answers.set(5, 1, `5${megabyte}`)
  assert.equal(answers.size, 1)
  assert.equal(answers.get(1, 1), undefined)
  assert.equal(answers.get(5, 1)?.subarray(0, 1).toString(), '5')
  assert.equal(first?.subarray(0, 1).toString(), '1')
  assert.equal(first?.length, megabyte.length + 1)
})

test('lookups are kept by exact key outside the heap, with the same rules', () => {
  const answers = new LookupAnswers()
  const key = (subject: string, body: string): string => `/subjects/${subject}\n${body}`
  answers.set(key('a', '{"schema":"x"}'), 2, '{"id":1}')
  answers.set(key('a', '{"schema":"é"}'), 2, '{"id":2}')
  assert.equal(answers.get(key('a', '{"schema":"x"}'), 2)?.toString(), '{"id":1}')
  assert.equal(answers.get(key('a', '{"schema":"é"}'), 2)?.toString(), '{"id":2}')
  assert.equal(answers.get(key('a', '{"schema":"x" }'), 2), undefined)
  assert.equal(answers.get(key('b', '{"schema":"x"}'), 2), undefined)
  const handedOut = answers.get(key('a', '{"schema":"x"}'), 2)
  assert.equal(answers.get(key('a', '{"schema":"x"}'), 3), undefined)
  answers.set(key('a', '{"schema":"x"}'), 2, 'built before the change')
  assert.equal(answers.get(key('a', '{"schema":"x"}'), 3), undefined)
  answers.set(key('a', '{"schema":"x"}'), 3, '{"id":9}')
  assert.equal(answers.get(key('a', '{"schema":"x"}'), 3)?.toString(), '{"id":9}')
  assert.equal(handedOut?.toString(), '{"id":1}')
})

test('lookups: many keys colliding in the table are all found; a full table starts over', () => {
  const answers = new LookupAnswers()
  for (let n = 0; n < 16_384; n++) answers.set(`/subjects/s\n${n}`, 1, `${n}`)
  assert.equal(answers.size, 16_384)
  for (let n = 0; n < 16_384; n += 97) assert.equal(answers.get(`/subjects/s\n${n}`, 1)?.toString(), `${n}`)
  answers.set('/subjects/s\nlast', 1, 'last')
  assert.equal(answers.size, 1)
  assert.equal(answers.get('/subjects/s\n0', 1), undefined)
  assert.equal(answers.get('/subjects/s\nlast', 1)?.toString(), 'last')
})
