// Every bound on what clients can make the broker hold, with its default and the reason for it.
// Kafka's own config name is given where one exists.

export interface BrokerLimits {
  /** `socket.request.max.bytes` (Kafka default 100 MiB): the largest request frame accepted. A larger
   * size prefix closes the connection before anything is allocated. */
  requestBytesMax: number
  /** `connections.max.idle.ms` (Kafka default 10 min): a connection with no traffic is closed. */
  connectionsMaxIdleMs: number
  /** Requests read from one connection but not yet answered. Past this the broker stops reading from
   * the socket until responses drain (back-pressure, so a pipelining client cannot grow our queues).
   * Kafka processes one request per connection at a time (it mutes the channel); clients pipeline up
   * to max.in.flight.requests.per.connection (default 5). */
  inflightRequestsPerConnectionMax: number
  /** `max.connections`: concurrent client connections over all listeners; past this new connections
   * are closed at once (Kafka makes them wait instead). */
  connectionsMax: number
  /** `max.connections.per.ip` (Kafka default unlimited): concurrent connections from one address; more
   * are closed at once, as Kafka does. */
  connectionsPerIpMax: number
  /** `max.connections.per.ip.overrides`: `address:count` pairs, comma-separated, that replace
   * connectionsPerIpMax for those addresses (IP literals; host names are not resolved). */
  connectionsPerIpOverrides: string
  /** Bytes one connection may hold: request frames read and not yet answered, plus responses not yet
   * taken by the client. Past this the broker stops reading from the socket until they drain, so a
   * client that pipelines large requests, or does not read its responses, cannot grow memory. */
  connectionBufferedBytesMax: number
  /** `quota.window.num` (Kafka default 11): samples a client quota's rate is measured over. */
  quotaWindowNum: number
  /** `quota.window.size.seconds` (Kafka default 1): the length of one sample. */
  quotaWindowSizeSeconds: number
  /** The longest a Fetch long-polls, whatever max_wait_ms asks (clients use 500 ms to 30 s). */
  fetchWaitMsMax: number
  /** `max.incremental.fetch.session.cache.slots` (Kafka default 1000): fetch sessions kept; the least
   * recently used is evicted for a new one. */
  fetchSessionsMax: number
  /** `min.incremental.fetch.session.eviction.ms` (Kafka default 2 min): idle fetch sessions expire. */
  fetchSessionIdleMs: number
  /** A Fetch (v10+) reads a partition's records of at least this many bytes as a log slice streamed to
   * the socket in pooled 1 MiB chunks instead of reading them into memory first (src/broker/handlers/fetch/
   * streamed-records.ts); 2147483647 turns streaming off. */
  fetchStreamBytesMin: number
}

export const defaultBrokerLimits: BrokerLimits = {
  requestBytesMax: 100 * 1024 * 1024,
  connectionsMaxIdleMs: 10 * 60 * 1000,
  inflightRequestsPerConnectionMax: 100,
  connectionsMax: 10_000,
  connectionsPerIpMax: 0x7fffffff,
  connectionsPerIpOverrides: '',
  connectionBufferedBytesMax: 64 * 1024 * 1024,
  quotaWindowNum: 11,
  quotaWindowSizeSeconds: 1,
  fetchWaitMsMax: 5 * 60 * 1000,
  fetchSessionsMax: 1000,
  fetchSessionIdleMs: 120_000,
  fetchStreamBytesMin: 64 * 1024,
}
