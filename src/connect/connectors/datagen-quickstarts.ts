// The quickstart schemas of Confluent's kafka-connect-datagen (orders, users, pageviews): the same
// field names and types, values drawn from the same kind of ranges. Values are a pure function of the
// iteration number (a seeded generator), so a restarted task continues the same sequence.

import type { Schema, StructValue } from '../sdk/data.ts'

export interface Quickstart {
  keyField: string
  schema: Schema
  generate(iteration: number, random: () => number): StructValue
}

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)]
const between = (low: number, high: number, random: () => number) =>
  low + Math.floor(random() * (high - low + 1))
const baseTimeMs = Date.UTC(2024, 0, 1)

export const quickstarts: Record<string, Quickstart> = {
  orders: {
    keyField: 'orderid',
    schema: {
      type: 'struct',
      optional: false,
      name: 'ksql.orders',
      fields: [
        { field: 'ordertime', type: 'int64', optional: false },
        { field: 'orderid', type: 'int32', optional: false },
        { field: 'itemid', type: 'string', optional: false },
        { field: 'orderunits', type: 'float64', optional: false },
        {
          field: 'address',
          type: 'struct',
          optional: false,
          name: 'ksql.address',
          fields: [
            { field: 'city', type: 'string', optional: false },
            { field: 'state', type: 'string', optional: false },
            { field: 'zipcode', type: 'int64', optional: false },
          ],
        },
      ],
    },
    generate: (iteration, random) => ({
      ordertime: baseTimeMs + iteration * 1000 + between(0, 999, random),
      orderid: iteration,
      itemid: `Item_${between(1, 999, random)}`,
      orderunits: Math.round(random() * 1000) / 100,
      address: {
        city: `City_${between(1, 99, random)}`,
        state: `State_${between(1, 99, random)}`,
        zipcode: between(10000, 99999, random),
      },
    }),
  },
  users: {
    keyField: 'userid',
    schema: {
      type: 'struct',
      optional: false,
      name: 'ksql.users',
      fields: [
        { field: 'registertime', type: 'int64', optional: false },
        { field: 'userid', type: 'string', optional: false },
        { field: 'regionid', type: 'string', optional: false },
        { field: 'gender', type: 'string', optional: false },
      ],
    },
    generate: (iteration, random) => ({
      registertime: baseTimeMs + iteration * 1000 + between(0, 999, random),
      userid: `User_${between(1, 9, random)}`,
      regionid: `Region_${between(1, 9, random)}`,
      gender: pick(['MALE', 'FEMALE', 'OTHER'], random),
    }),
  },
  pageviews: {
    keyField: 'viewtime',
    schema: {
      type: 'struct',
      optional: false,
      name: 'ksql.pageviews',
      fields: [
        { field: 'viewtime', type: 'int64', optional: false },
        { field: 'userid', type: 'string', optional: false },
        { field: 'pageid', type: 'string', optional: false },
      ],
    },
    generate: (iteration, random) => ({
      viewtime: baseTimeMs + iteration * 1000 + between(0, 999, random),
      userid: `User_${between(1, 9, random)}`,
      pageid: `Page_${between(1, 99, random)}`,
    }),
  },
}

/** mulberry32: a small seeded generator (same seed, same numbers). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
