// The dependencies Confluent's schema registry knows without references, beside Google's well-known
// types (which protobufjs carries): confluent/meta.proto (the Meta message of `(confluent.field_meta)`
// options; its `extend` declarations are left out: protobufjs keeps custom options unresolved),
// confluent/type/decimal.proto, google/type/date.proto and google/type/timeofday.proto — what
// Confluent's ProtobufConverter imports for Connect's Decimal, Date and Time. Registered once into
// protobufjs's table of common files (names with a slash are kept as given).

import protobuf from 'protobufjs'

const int32 = (id: number) => ({ type: 'int32', id })

protobuf.common('confluent/meta.proto', {
  nested: {
    confluent: {
      nested: {
        Meta: {
          fields: {
            doc: { type: 'string', id: 1 },
            params: { keyType: 'string', type: 'string', id: 2 },
            tags: { rule: 'repeated', type: 'string', id: 3 },
          },
        },
      },
    },
  },
})

protobuf.common('confluent/type/decimal.proto', {
  nested: {
    confluent: {
      nested: {
        type: {
          nested: {
            Decimal: {
              fields: {
                value: { type: 'bytes', id: 1 },
                precision: { type: 'uint32', id: 2 },
                scale: int32(3),
              },
            },
          },
        },
      },
    },
  },
})

protobuf.common('google/type/date.proto', {
  nested: {
    google: {
      nested: { type: { nested: { Date: { fields: { year: int32(1), month: int32(2), day: int32(3) } } } } },
    },
  },
})

protobuf.common('google/type/timeofday.proto', {
  nested: {
    google: {
      nested: {
        type: {
          nested: {
            TimeOfDay: { fields: { hours: int32(1), minutes: int32(2), seconds: int32(3), nanos: int32(4) } },
          },
        },
      },
    },
  },
})
