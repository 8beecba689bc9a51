// ApiVersions (key 18), v0-4: the APIs and version ranges this broker serves, derived from the
// handler registry so nothing is advertised that is not handled.
// v1: throttleTimeMs · v3: flexible, client software name/version (KIP-511) · v4: same as v3 (KIP-896).
// A request of a version above ours is answered in v0 by the router (KIP-511).
// v3+: the supported features and the finalized levels with their epoch (KIP-584, features.ts);
// features finalized at level 0 are not listed, as Kafka.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { type FeatureStore, supportedFeatures } from '../features.ts'
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
    if (valid && context.apiVersion >= 3 && context.session !== undefined) {
      context.session.clientSoftware = {
        name: request.clientSoftwareName,
        version: request.clientSoftwareVersion,
      }
    }
    return {
      errorCode: valid ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST,
      apiKeys: context.services.supportedApis.map((api) => ({ ...api })),
      throttleTimeMs: 0,
      ...featuresOf(context.apiVersion >= 3 ? context.services.features : undefined),
      zkMigrationReady: false,
    }
  },
})

/** The feature fields (tagged, v3+); empty with epoch -1 when there is no store or the version is older. */
function featuresOf(features: FeatureStore | undefined) {
  if (features === undefined) {
    return { supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [] }
  }
  return {
    supportedFeatures: [...supportedFeatures].map(([name, range]) => ({ name, ...range })),
    finalizedFeaturesEpoch: BigInt(features.epoch),
    finalizedFeatures: features
      .finalized()
      .map(({ name, level }) => ({ name, maxVersionLevel: level, minVersionLevel: level })),
  }
}
