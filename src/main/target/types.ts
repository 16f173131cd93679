/**
 * The KalamDB client's contract (implemented in ./client.ts, used by the workload engine,
 * scenarios, `probe` and `bench`). It speaks only KalamDB's protocol as
 * ../shared/kalamdb/PROTOCOL.md describes it: HTTP SQL with Bearer tokens, WebSocket live
 * queries. Units: ms, bytes, percent.
 */
import type { ProfilerError } from '../../shared/errors'

/** Login with a password (exchanged for a Bearer token), or a token given by the user. */
export type Credentials = { user: string; password: string } | { token: string }

export interface ConnectOptions {
  /** Base URL, e.g. http://127.0.0.1:8080 (no path). */
  url: string
  credentials: Credentials
  /** When the server needs its initial setup, POST /v1/api/auth/setup with these credentials. */
  setup?: boolean
  /** Upper bound of pooled keep-alive HTTP connections (default 16). */
  maxSockets?: number
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number
  signal?: AbortSignal
}

/** GET /health. */
export interface Health {
  status: string
  version: string | null
  apiVersion: string | null
  buildDate: string | null
}

export interface SqlColumn {
  name: string
  /** 'BigInt', 'Text' … or an object such as {"Decimal": {...}}. */
  dataType: string | Record<string, unknown>
  index: number
  flags?: string[]
}

/** A cell as the server encodes it: BIGINT and _seq stay exact strings. */
export type SqlCell = string | number | boolean | null | SqlCell[] | { [k: string]: unknown }

export interface SqlResultSet {
  schema: SqlColumn[]
  rows: SqlCell[][]
  rowCount: number
  message?: string
  asUser?: string
}

export interface SqlResponse {
  results: SqlResultSet[]
  /** Server-side time (`took`). */
  tookMs: number
  /** Round trip measured by the client. */
  elapsedMs: number
}

/**
 * A failed request. `code` is the profiler's (RATE_LIMITED for 429 RATE_LIMIT_EXCEEDED,
 * AUTH_FAILED, TOKEN_EXPIRED, SETUP_REQUIRED, SERVER_ERROR, UNREACHABLE, PROTOCOL, TIMEOUT …);
 * `httpStatus` and `serverCode` are what the server said.
 */
export interface KalamError extends ProfilerError {
  readonly httpStatus: number | null
  readonly serverCode: string | null
}

export type SqlOutcome = { ok: true; response: SqlResponse } | { ok: false; error: KalamError }

export interface SqlOptions {
  params?: unknown[]
  namespace?: string
  signal?: AbortSignal
}

/** The server's own figures (system.stats), typed. Absent = the server did not report it. */
export interface ServerStats {
  polledAt: number
  /** Every metric_name → metric_value the poll returned. */
  raw: Record<string, string>
  memoryBytes?: number
  rssBytes?: number
  cpuPercent?: number
  threads?: number
  pid?: number
  websocketSessions?: number
  websocketSessionsPeak?: number
  activeConnections?: number
  activeConnectionsPeak?: number
  activeSubscriptions?: number
  activeSubscriptionsPeak?: number
  jobsRunning?: number
  jobsQueued?: number
  jobsFailed?: number
  memtableBytes?: number
  sstBytes?: number
  allocator?: string
  version?: string
  buildDate?: string
  gitCommit?: string
  /**
   * Rows of system.live (COUNT(*)): the subscriptions the server lists. Only with
   * `stats(names, { liveQueries: true })`; system.stats' own active_subscriptions is above.
   */
  liveQueries?: number
}

export interface StatsOptions {
  /** Also count system.live, in the same request (a batch of two SELECTs). */
  liveQueries?: boolean
}

/** system.live summed: the subscriptions the server holds, by status and by user. */
export interface LiveQueries {
  polledAt: number
  /** Every row of system.live (COUNT(*), exact). */
  total: number
  /** status (active | paused | completed | error) → subscriptions. */
  byStatus: Record<string, number>
  /** user_id → subscriptions. */
  byUser: Record<string, number>
  /** More rows than the 1000 a SELECT may list: the breakdowns cover only the first 1000. */
  truncated: boolean
}

/** Limits that bite stress workloads (system.settings); null = not reported. */
export interface ServerLimits {
  maxQueriesPerSec: number | null
  maxSubscriptionsPerUser: number | null
  maxMessagesPerSec: number | null
  maxAuthRequestsPerIpPerSec: number | null
  defaultQueryLimit: number | null
  maxQueryLimit: number | null
  clientTimeoutSecs: number | null
}

export interface FlushOutcome {
  status: 'completed' | 'failed' | 'skipped' | 'timeout' | 'cancelled'
  jobId: string | null
  durationMs: number
  message: string
}

export interface LiveChange {
  subscriptionId: string
  changeType: 'insert' | 'update' | 'delete'
  rows: Record<string, unknown>[]
  oldValues?: Record<string, unknown>[]
  /** When the frame arrived (ms since the epoch, sub-ms precision). */
  receivedAt: number
}

export interface LiveClose {
  code: number
  reason: string
  /** True when this client asked for the close. */
  expected: boolean
  /** For a close nobody asked for: a DISCONNECTED error with one line saying what happened. */
  error?: KalamError
}

export interface LiveHandlers {
  onChange?(change: LiveChange): void
  /** An `error` frame (subscription failure, rate limit …); the connection stays open. */
  onError?(error: { subscriptionId: string; code: string; message: string }): void
  onClose?(close: LiveClose): void
  /**
   * A frame this client could not read (malformed JSON, a gzip frame that does not inflate,
   * a binary frame that is not gzip): a PROTOCOL error. The frame is skipped; the
   * connection stays open.
   */
  onProtocolError?(error: KalamError): void
}

export interface LiveOptions {
  /** `{"type":"ping"}` interval (default 4000; the server drops sockets silent for 10 s). */
  pingIntervalMs?: number
  /** false adds `?compress=false` (the server then sends text frames only). Default true. */
  compress?: boolean
  /** Limit for the handshake and for each subscribe to be acknowledged (default 15 s). */
  timeoutMs?: number
}

export interface SubscribeOptions {
  batchSize?: number
  lastRows?: number
  /** Resume after this _seq (exact decimal string). */
  from?: string
  /** Skip the initial load (sends no `options`): only the ack comes back. */
  noInitialData?: boolean
}

export interface SubscriptionAck {
  subscriptionId: string
  schema: SqlColumn[]
  /** Exact decimal string (the server's number exceeds 2^53). */
  lastSeqId: string | null
  /** Rows of the initial load, all batches paged through. */
  initialRows: Record<string, unknown>[]
}

/** One WebSocket to /v1/ws, authenticated, pinging every ≤ 5 s. */
export interface LiveConnection {
  readonly open: boolean
  /** Frames received so far (text + binary). */
  readonly framesReceived: number
  /** Frames that could not be read (see LiveHandlers.onProtocolError). Optional for test fakes. */
  readonly protocolErrors?: number
  /** The user and role the server confirmed in `auth_success` (optional for test fakes). */
  readonly user?: string | null
  readonly role?: string | null
  subscribe(id: string, sql: string, options?: SubscribeOptions): Promise<SubscriptionAck>
  /** The server sends no acknowledgement for an unsubscribe. */
  unsubscribe(id: string): void
  /** Closes with 1000; resolves when the socket is closed. */
  close(): Promise<void>
}

export interface KalamClient {
  readonly url: string
  /** The logged-in user and role, when known. */
  readonly user: string | null
  readonly role: string | null
  health(): Promise<Health>
  /** Throws a KalamError for any failure. */
  sql(sql: string, options?: SqlOptions): Promise<SqlResponse>
  /** Never throws for what the server answers: 429 and errors are outcomes to count. */
  trySql(sql: string, options?: SqlOptions): Promise<SqlOutcome>
  /** system.stats, asking only for the named metrics (default: the ones ServerStats types). */
  stats(names?: string[], options?: StatsOptions): Promise<ServerStats>
  /**
   * system.live counted by status and user. Optional only so that test fakes written before
   * it still satisfy the contract: connectKalam's client always has it.
   */
  liveQueries?(): Promise<LiveQueries>
  /** system.settings as name → value. */
  settings(): Promise<Record<string, string>>
  limits(): Promise<ServerLimits>
  /** STORAGE FLUSH TABLE, then system.jobs polled to a terminal status. */
  flushTable(
    table: string,
    options?: { timeoutMs?: number; signal?: AbortSignal }
  ): Promise<FlushOutcome>
  openLive(handlers?: LiveHandlers, options?: LiveOptions): Promise<LiveConnection>
  /** Closes pooled sockets and live connections. */
  close(): Promise<void>
}
