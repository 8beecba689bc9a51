// Feature flags (KIP-584): the features this broker supports, the levels finalized for the cluster
// (ApiVersions v3+ reports both), and UpdateFeatures (key 57) changing them, with the rules and
// messages of Kafka's FeatureControlManager.updateFeature.
//
// What each level really changes here:
// - group.version: 1 enables the KIP-848 consumer protocol (ConsumerGroupHeartbeat); 0 makes
//   ConsumerGroupHeartbeat answer UNSUPPORTED_VERSION, as Kafka with group.version=0. Classic groups
//   are not affected.
// - metadata.version: exactly 3.9-IV0 (level 21), the version whose APIs and records this broker
//   speaks; there is no metadata log to upgrade, so no other level is supported.
// - kraft.version: 0, a static one-voter quorum (DescribeQuorum); KIP-853 dynamic quorums are not.
//
// Finalized levels are persisted in `<data dir>/features.json` (atomic rewrite before the answer);
// the epoch counts the changes (Kafka reports the metadata offset of the last feature record).

import { JsonStateFile } from '../storage/state-file.ts'

export interface FeatureRange {
  minVersion: number
  maxVersion: number
}

/** What this broker supports, by feature name (sorted as Kafka lists them). */
export const supportedFeatures: ReadonlyMap<string, FeatureRange> = new Map([
  ['group.version', { minVersion: 0, maxVersion: 1 }],
  ['kraft.version', { minVersion: 0, maxVersion: 0 }],
  ['metadata.version', { minVersion: 21, maxVersion: 21 }],
])

/** The levels a new cluster starts with: every feature at its highest supported level. */
const bootstrapLevels: ReadonlyMap<string, number> = new Map([
  ['group.version', 1],
  ['kraft.version', 0],
  ['metadata.version', 21],
])

/** Kafka's FeatureUpdate.UpgradeType wire values. */
export const UpgradeType = { UPGRADE: 1, SAFE_DOWNGRADE: 2, UNSAFE_DOWNGRADE: 3 } as const

export interface FeatureUpdate {
  feature: string
  maxVersionLevel: number
  upgradeType: number
}

/** null: every update is valid (and applied unless validate-only); otherwise the first refusal. */
export type FeatureUpdateError = { feature: string; message: string } | null

interface StoredFile {
  version: 1
  epoch: number
  levels: Record<string, number>
}

export class FeatureStore {
  private readonly stateFile: JsonStateFile<StoredFile>
  private levels = new Map(bootstrapLevels)
  private epochValue = 0
  /** Named in refusals as Kafka names its controller ("Local controller <id>"). */
  private readonly nodeId: number

  constructor(options: { dataDir: string | undefined; nodeId: number }) {
    this.stateFile = new JsonStateFile(options.dataDir, 'features.json', 1)
    this.nodeId = options.nodeId
  }

  async load(): Promise<void> {
    const stored = await this.stateFile.read()
    if (stored === null) return
    this.epochValue = stored.epoch
    for (const [feature, level] of Object.entries(stored.levels)) {
      if (supportedFeatures.has(feature)) this.levels.set(feature, level)
    }
  }

  /** The finalized level of a feature (0 when it is not finalized). */
  level(feature: string): number {
    return this.levels.get(feature) ?? 0
  }

  get epoch(): number {
    return this.epochValue
  }

  /** Finalized features with a level above 0, as ApiVersions lists them. */
  finalized(): Array<{ name: string; level: number }> {
    return [...this.levels]
      .filter(([, level]) => level > 0)
      .map(([name, level]) => ({ name, level }))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  /** Kafka's updateFeatures: all or nothing; the first invalid update refuses the request. */
  async update(updates: readonly FeatureUpdate[], validateOnly: boolean): Promise<FeatureUpdateError> {
    for (const update of updates) {
      const message = this.refusalOf(update)
      if (message !== null) {
        return {
          feature: update.feature,
          message: `Invalid update version ${update.maxVersionLevel} for feature ${update.feature}. ${message}`,
        }
      }
    }
    if (validateOnly || updates.length === 0) return null
    for (const update of updates) this.levels.set(update.feature, update.maxVersionLevel)
    this.epochValue += 1
    await this.stateFile.write(() => ({
      version: 1,
      epoch: this.epochValue,
      levels: Object.fromEntries(this.levels),
    }))
    return null
  }

  /** FeatureControlManager.updateFeature's checks, in its order, with its messages. */
  private refusalOf(update: FeatureUpdate): string | null {
    const { feature, maxVersionLevel: level, upgradeType } = update
    if (!Object.values(UpgradeType).includes(upgradeType as 1 | 2 | 3)) {
      return 'The controller does not support the given upgrade type.'
    }
    if (level < 0) return 'A feature version cannot be less than 0.'
    const range = supportedFeatures.get(feature) ?? { minVersion: 0, maxVersion: 0 }
    if (level < range.minVersion || level > range.maxVersion) {
      return range.maxVersion === 0
        ? `Local controller ${this.nodeId} does not support this feature.`
        : `Local controller ${this.nodeId} only supports versions SupportedVersionRange[min_version:${range.minVersion}, max_version:${range.maxVersion}]`
    }
    const current = this.level(feature)
    if (level < current && upgradeType === UpgradeType.UPGRADE) {
      return "Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade."
    }
    if (level > current && upgradeType !== UpgradeType.UPGRADE) return "Can't downgrade to a newer version."
    return null
  }
}
