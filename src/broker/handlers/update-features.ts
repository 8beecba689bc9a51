// UpdateFeatures (key 57), v0-2: changes finalized feature levels (features.ts has what each level
// does here and the checks, with Kafka's messages). All or nothing: the first invalid update is the
// top-level error (INVALID_UPDATE_VERSION) and nothing changes; v0-1 also answer one result per
// feature carrying the top-level outcome, as Kafka's controller does; v2 has no results.
// v0: allow_downgrade (true: a safe downgrade) · v1: upgrade_type, validate_only · v2: no results.
// ACLs: ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED with no results (Kafka's
// getErrorResponse). A feature named twice is INVALID_REQUEST.

import { ApiKey, ErrorCode, errorInfo } from '../../protocol/generated/index.ts'
import type { UpdateFeaturesResponse } from '../../protocol/generated/update-features-response.ts'
import { AclOperation } from '../../security/acl/model.ts'
import { allowsOnCluster } from '../../security/acl/request.ts'
import { UpgradeType } from '../features.ts'
import { defineHandler } from '../handler.ts'

export const updateFeatures = defineHandler({
  apiKey: ApiKey.UpdateFeatures,
  versions: { min: 0, max: 2 },
  async handle(context, request): Promise<UpdateFeaturesResponse> {
    const answer = (errorCode: number, errorMessage: string | null, withResults: boolean) => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      results:
        withResults && context.apiVersion < 2
          ? request.featureUpdates.map((update) => ({ feature: update.feature, errorCode, errorMessage }))
          : [],
    })
    if (!allowsOnCluster(context, AclOperation.ALTER)) {
      const code = ErrorCode.CLUSTER_AUTHORIZATION_FAILED
      return answer(code, errorInfo.get(code)?.message ?? null, false)
    }
    const names = request.featureUpdates.map((update) => update.feature)
    const duplicate = names.find((name, index) => names.indexOf(name) !== index)
    if (duplicate !== undefined) {
      return answer(
        ErrorCode.INVALID_REQUEST,
        `Feature ${duplicate} appears more than once in the request.`,
        false,
      )
    }
    const features = context.services.features
    if (features === undefined) {
      return answer(ErrorCode.UNSUPPORTED_VERSION, 'This broker has no feature store.', false)
    }
    const refused = await features.update(
      request.featureUpdates.map((update) => ({
        feature: update.feature,
        maxVersionLevel: update.maxVersionLevel,
        upgradeType:
          context.apiVersion === 0
            ? update.allowDowngrade
              ? UpgradeType.SAFE_DOWNGRADE
              : UpgradeType.UPGRADE
            : update.upgradeType,
      })),
      request.validateOnly,
    )
    return refused === null
      ? answer(ErrorCode.NONE, null, true)
      : answer(ErrorCode.INVALID_UPDATE_VERSION, refused.message, true)
  },
})
