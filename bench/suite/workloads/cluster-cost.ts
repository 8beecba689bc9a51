// The object-store bill of a cluster (issue 20), from what the cluster workload measured: object PUTs
// per GB ingested at the rate of 1 TB a day, priced with AWS S3 Standard list prices (us-east-1), beside
// WarpStream's documented default (the Agents flush a file every 250 ms, `batchTimeout`) priced the same
// way. The prices and assumptions are constants here so the arithmetic can be read and checked.

/** AWS S3 Standard, us-east-1 list prices (per request and per GB-month, first 50 TB). */
export const s3Prices = {
  putPerRequest: 0.005 / 1000,
  getPerRequest: 0.0004 / 1000,
  storagePerGbMonth: 0.023,
} as const

export const bytesPerGb = 1e9
/** 1 TB a day of produced (uncompressed) record bytes. */
export const ingestBytesPerDay = 1e12
export const ingestBytesPerSecond = ingestBytesPerDay / 86_400
export const daysPerMonth = 30
/** Kafka's default `retention.ms` (7 days): what the bucket holds in steady state. */
export const retentionDays = 7
/** WarpStream Agents' documented default batchTimeout: one file per Agent at most every 250 ms. */
export const warpStreamBatchTimeoutMs = 250

export interface MonthlyCost {
  puts: number
  putDollars: number
  /** One ranged GET per object for one consumer group that reads everything (reads not cached). */
  getDollars: number
  storageDollars: number
  totalDollars: number
}

/** The month's bill for 1 TB/day when each GB ingested costs `putsPerGb` object PUTs. */
export function monthlyCostAt(putsPerGb: number): MonthlyCost {
  const gbPerMonth = (ingestBytesPerDay / bytesPerGb) * daysPerMonth
  const puts = putsPerGb * gbPerMonth
  const putDollars = puts * s3Prices.putPerRequest
  const getDollars = puts * s3Prices.getPerRequest
  const storageDollars = (ingestBytesPerDay / bytesPerGb) * retentionDays * s3Prices.storagePerGbMonth
  return {
    puts,
    putDollars,
    getDollars,
    storageDollars,
    totalDollars: putDollars + getDollars + storageDollars,
  }
}

/** PUTs per GB of WarpStream at 1 TB/day with `agents` Agents each flushing every batchTimeout. */
export function warpStreamPutsPerGb(agents: number): number {
  const filesPerSecond = (agents * 1000) / warpStreamBatchTimeoutMs
  return filesPerSecond / (ingestBytesPerSecond / bytesPerGb)
}
