// The push-interval rules of ClientTelemetry with a fixed clock: the CI once saw the re-fetch after an
// UNKNOWN_SUBSCRIPTION_ID push land in the same millisecond as that push, and the next push was
// throttled because "first push after a Get" compared the two timestamps.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ZERO_UUID } from '../../src/protocol/codec-helpers.ts'
import { ErrorCode } from '../../src/protocol/generated/index.ts'
import type { PushTelemetryRequest } from '../../src/protocol/generated/push-telemetry-request.ts'
import { ClientMetricsStore } from '../../src/telemetry/client-metrics-store.ts'
import { ClientTelemetry } from '../../src/telemetry/client-telemetry.ts'

const client = {
  client_id: 'timing',
  client_software_name: 'test',
  client_software_version: '1',
  client_source_address: '127.0.0.1',
  client_source_port: '1',
}

function pushOf(clientInstanceId: string, subscriptionId: number): PushTelemetryRequest {
  return {
    clientInstanceId,
    subscriptionId,
    terminating: false,
    compressionType: 0,
    metrics: Buffer.alloc(0),
  }
}

test('a re-fetch in the same millisecond as the refused push still allows the next push at once', async () => {
  const telemetry = new ClientTelemetry({
    store: new ClientMetricsStore(undefined),
    sink: { accept: () => {}, forget: () => {} },
  })
  const now = 1_000_000
  const first = telemetry.getSubscriptions(ZERO_UUID, client, now)
  const id = first.clientInstanceId
  assert.equal(
    await telemetry.push(pushOf(id, first.subscriptionId + 1), client, now),
    ErrorCode.UNKNOWN_SUBSCRIPTION_ID,
  )
  const refetched = telemetry.getSubscriptions(id, client, now)
  assert.equal(refetched.errorCode, ErrorCode.NONE)
  assert.equal(await telemetry.push(pushOf(id, refetched.subscriptionId), client, now), ErrorCode.NONE)
  assert.equal(
    await telemetry.push(pushOf(id, refetched.subscriptionId), client, now),
    ErrorCode.THROTTLING_QUOTA_EXCEEDED,
    'the second push without a Get between waits for the interval',
  )
  assert.equal(
    await telemetry.push(pushOf(id, refetched.subscriptionId), client, now + refetched.pushIntervalMs),
    ErrorCode.NONE,
  )
})
