/**
 * Everything a simulator can be started with: KalamDB's defaults (PROTOCOL.md §5, §6)
 * unless a flag changes them, plus the faults. Every setting that KalamDB exposes is echoed
 * in `system.settings`, so clients read the limits the way they would from a real server.
 */

export interface SimFaults {
  /** Bytes retained (allocated, written, never freed) per inserted row. */
  leakBytesPerInsert: number
  /** Bytes retained per subscription; not freed on unsubscribe. */
  leakBytesPerSubscription: number
  /** Closed WebSocket sessions stay registered (counted in system.stats) and keep their memory. */
  leakConnections: boolean
  /** Added to every /v1/api/sql response. */
  slowQueryMs: number
  /** Die like a crash (SIGKILL to itself) this long after start; 0 = never. */
  crashAfterMs: number
  /** Fraction of live notifications silently dropped, spread evenly per subscription. */
  dropNotificationsRatio: number
}

export interface SimConfig {
  /** Listen address; loopback unless asked otherwise. */
  host: string
  /** 0 = a free port. */
  port: number
  /** Start already set up with this dba user (root gets the same password). */
  configured?: { user: string; password: string }
  /** Parent folder of the data directory (a fresh mkdtemp inside it, removed on exit). */
  dataParent?: string
  /** auth.jwt_expiry_hours as ms; refresh tokens live 7 × this. */
  tokenTtlMs: number
  /** rate_limit.max_queries_per_sec (per user, token bucket). */
  maxQueriesPerSec: number
  /** rate_limit.max_auth_requests_per_ip_per_sec. */
  maxAuthRequestsPerSec: number
  /** rate_limit.max_subscriptions_per_user. */
  maxSubscriptionsPerUser: number
  /** rate_limit.max_messages_per_sec (inbound WebSocket frames per connection). */
  maxMessagesPerSec: number
  /** websocket.client_timeout_secs as ms: inbound silence before close 1000 "Heartbeat timeout". */
  wsClientTimeoutMs: number
  /** websocket.auth_timeout_secs as ms. */
  wsAuthTimeoutMs: number
  /** Per-connection bounded notification queue (KalamDB: 128). */
  notificationQueue: number
  defaultQueryLimit: number
  maxQueryLimit: number
  /** flush.default_row_limit. */
  flushRows: number
  /** flush.default_time_interval as ms. */
  flushIntervalMs: number
  /** How often the interval flush policy and stream TTLs are checked. */
  flushCheckIntervalMs: number
  /** Full garbage collection this often so V8's sawtooth does not look like growth; 0 = off. */
  gcIntervalMs: number
  faults: SimFaults
  /** Log lines (startup, dropped notifications, faults) go here; default: none. */
  log?: (line: string) => void
}

export const SERVER_VERSION = '0.4.3-rc.4'
export const SERVER_BUILD_DATE = '2026-05-01 00:00:00 UTC'
export const MAX_WS_MESSAGE_BYTES = 1024 * 1024
export const REQUEST_BODY_LIMIT_BYTES = 10 * 1024 * 1024
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 100
export const MAX_CONNECTIONS = 25_000

export function defaultConfig(overrides: Partial<SimConfig> = {}): SimConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    tokenTtlMs: 24 * 3_600_000,
    maxQueriesPerSec: 100,
    maxAuthRequestsPerSec: 20,
    maxSubscriptionsPerUser: 10,
    maxMessagesPerSec: 50,
    wsClientTimeoutMs: 10_000,
    wsAuthTimeoutMs: 3000,
    notificationQueue: 128,
    defaultQueryLimit: 50,
    maxQueryLimit: 1000,
    flushRows: 10_000,
    flushIntervalMs: 300_000,
    flushCheckIntervalMs: 1000,
    gcIntervalMs: 5000,
    ...overrides,
    faults: {
      leakBytesPerInsert: 0,
      leakBytesPerSubscription: 0,
      leakConnections: false,
      slowQueryMs: 0,
      crashAfterMs: 0,
      dropNotificationsRatio: 0,
      ...overrides.faults
    }
  }
}

/** Rows of system.settings: name, value, description, category. */
export function settingsRows(c: SimConfig, dataDir: string, port: number): string[][] {
  const secs = (ms: number): string => String(Math.max(1, Math.round(ms / 1000)))
  const rows: string[][] = [
    ['server.host', c.host, 'HTTP listen address', 'server'],
    ['server.port', String(port), 'HTTP and WebSocket port', 'server'],
    ['server.workers', '2', 'HTTP worker threads', 'server'],
    [
      'auth.jwt_expiry_hours',
      String(c.tokenTtlMs / 3_600_000),
      'Access token lifetime in hours',
      'auth'
    ],
    ['auth.allow_remote_setup', 'false', 'Allow /v1/api/auth/setup from non-local peers', 'auth'],
    [
      'rate_limit.max_queries_per_sec',
      String(c.maxQueriesPerSec),
      'SQL queries per second per user',
      'rate_limit'
    ],
    [
      'rate_limit.max_auth_requests_per_ip_per_sec',
      String(c.maxAuthRequestsPerSec),
      'Authentication requests per second per IP',
      'rate_limit'
    ],
    [
      'rate_limit.max_subscriptions_per_user',
      String(c.maxSubscriptionsPerUser),
      'Live subscriptions per user',
      'rate_limit'
    ],
    [
      'rate_limit.max_messages_per_sec',
      String(c.maxMessagesPerSec),
      'Inbound WebSocket messages per second per connection',
      'rate_limit'
    ],
    [
      'rate_limit.max_requests_per_ip_per_sec',
      '200',
      'Requests per second per IP (loopback exempt)',
      'rate_limit'
    ],
    [
      'rate_limit.max_connections_per_ip',
      '100',
      'Connections per IP (loopback exempt)',
      'rate_limit'
    ],
    [
      'rate_limit.request_body_limit_bytes',
      String(REQUEST_BODY_LIMIT_BYTES),
      'Maximum request body size',
      'rate_limit'
    ],
    [
      'rate_limit.enable_connection_protection',
      'true',
      'Per-IP connection protection',
      'rate_limit'
    ],
    [
      'websocket.client_timeout_secs',
      secs(c.wsClientTimeoutMs),
      'Close connections silent for longer than this',
      'websocket'
    ],
    [
      'websocket.auth_timeout_secs',
      secs(c.wsAuthTimeoutMs),
      'Time allowed to authenticate a new connection',
      'websocket'
    ],
    [
      'websocket.heartbeat_interval_secs',
      secs(heartbeatCheckMs(c)),
      'Interval of the inbound-silence check',
      'websocket'
    ],
    [
      'limits.default_query_limit',
      String(c.defaultQueryLimit),
      'LIMIT added to a SELECT without one',
      'limits'
    ],
    ['limits.max_query_limit', String(c.maxQueryLimit), 'Largest LIMIT honoured', 'limits'],
    [
      'performance.max_connections',
      String(MAX_CONNECTIONS),
      'Maximum WebSocket connections',
      'performance'
    ],
    [
      'performance.request_timeout',
      '30',
      'Request timeout in seconds (not enforced)',
      'performance'
    ],
    [
      'security.max_ws_message_size',
      String(MAX_WS_MESSAGE_BYTES),
      'Largest inbound WebSocket text frame',
      'security'
    ],
    [
      'flush.default_row_limit',
      String(c.flushRows),
      'Rows buffered before an automatic flush',
      'flush'
    ],
    [
      'flush.default_time_interval',
      secs(c.flushIntervalMs),
      'Seconds before buffered rows are flushed',
      'flush'
    ],
    [
      'flush.check_interval_seconds',
      secs(c.flushCheckIntervalMs),
      'Interval of the automatic flush check',
      'flush'
    ],
    ['storage.data_path', dataDir, 'Data directory', 'storage'],
    [
      'simulator.leak_bytes_per_insert',
      String(c.faults.leakBytesPerInsert),
      'Fault: bytes retained per inserted row',
      'simulator'
    ],
    [
      'simulator.leak_bytes_per_subscription',
      String(c.faults.leakBytesPerSubscription),
      'Fault: bytes retained per subscription',
      'simulator'
    ],
    [
      'simulator.leak_connections',
      String(c.faults.leakConnections),
      'Fault: closed WebSocket sessions stay registered',
      'simulator'
    ],
    [
      'simulator.slow_query_ms',
      String(c.faults.slowQueryMs),
      'Fault: delay added to every SQL request',
      'simulator'
    ],
    [
      'simulator.crash_after_ms',
      String(c.faults.crashAfterMs),
      'Fault: crash this long after start (0 = never)',
      'simulator'
    ],
    [
      'simulator.drop_notifications_ratio',
      String(c.faults.dropNotificationsRatio),
      'Fault: fraction of notifications dropped',
      'simulator'
    ]
  ]
  return rows
}

/** KalamDB checks every heartbeat_interval (5 s) for connections silent past client_timeout. */
export function heartbeatCheckMs(c: SimConfig): number {
  return Math.max(100, Math.min(5000, Math.floor(c.wsClientTimeoutMs / 2)))
}
