// ApiVersions (key 18), v0-4: the APIs and version ranges this broker serves, derived from the
// handler registry so nothing is advertised that is not handled.
// v1: throttleTimeMs · v3: flexible, client software name/version (KIP-511) · v4: same as v3 (KIP-896).
// A request of a version above ours is answered in v0 by the router (KIP-511).
// Known gaps: no feature flags (supportedFeatures/finalizedFeatures are empty).

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { defineHandler } from '../handler.ts'

/** Kafka's rule for client software names and versions (ApiVersionsRequest.isValid). */
const softwareNameOrVersion = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/

export const apiVersions = defineHandler({
  apiKey: ApiKey.ApiVersions,
  versions: { min: 0, max: 4 },
  async handle(context, request) {
    const valid =
      context.apiVersion < 3 ||
      (softwareNameOrVersion.test(request.clientSoftwareName) &&
        softwareNameOrVersion.test(request.clientSoftwareVersion))
    return {
      errorCode: valid ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST,
      apiKeys: context.services.supportedApis.map((api) => ({ ...api })),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    }
  },
})
