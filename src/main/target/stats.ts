/**
 * The server's own figures: `system.stats` (metric_name, metric_value — always text) and
 * `system.settings` (name, value, …), PROTOCOL.md §8 and §5.
 *
 * Cost of asking: every `system.stats` query makes KalamDB spawn `lsof -p <pid>` to count
 * its open files, and every SQL request counts as activity that keeps the server from its
 * idle memory trim (which needs 60 s without SQL, logins or WebSocket frames). So polling is
 * opt-in per phase, and never more often than MIN_STATS_POLL_INTERVAL_MS unless a caller
 * says so explicitly.
 */
import type { SqlResponse, ServerLimits, ServerStats } from './types'
import type { ServerFigures } from '../../shared/sample'
import { cellText } from './sql'
import { sqlStringList } from './sql-text'

/**
 * The shortest default interval between two `system.stats` polls: each one spawns `lsof`
 * inside KalamDB and blocks its idle memory trim (DESIGN.md's cost rule: ≥ 2 s).
 */
export const MIN_STATS_POLL_INTERVAL_MS = 2000

/** ServerStats field ← metric name(s), first one reported wins. */
const NUMERIC_FIELDS = {
  memoryBytes: ['memory_usage_bytes'],
  rssBytes: ['memory_rss_bytes'],
  cpuPercent: ['cpu_usage_percent'],
  threads: ['thread_count'],
  pid: ['pid'],
  websocketSessions: ['websocket_sessions'],
  websocketSessionsPeak: ['websocket_sessions_peak'],
  activeConnections: ['active_connections'],
  activeConnectionsPeak: ['active_connections_peak'],
  activeSubscriptions: ['active_subscriptions', 'total_live_queries'],
  activeSubscriptionsPeak: ['active_subscriptions_peak'],
  jobsRunning: ['jobs_running'],
  jobsQueued: ['jobs_queued'],
  jobsFailed: ['jobs_failed'],
  // All memtables (active + immutable) is what the process holds; active alone is a fallback.
  memtableBytes: ['rocksdb_memtables_size_bytes', 'rocksdb_active_memtable_size_bytes'],
  sstBytes: ['rocksdb_live_sst_files_size_bytes', 'rocksdb_total_sst_files_size_bytes']
} as const satisfies Partial<Record<keyof ServerStats, readonly string[]>>

const TEXT_FIELDS = {
  allocator: ['allocator_name'],
  version: ['server_version'],
  buildDate: ['server_build_date'],
  gitCommit: ['server_git_commit']
} as const satisfies Partial<Record<keyof ServerStats, readonly string[]>>

/** The metric names ServerStats types: what `stats()` asks for by default. */
export const DEFAULT_STATS_METRICS: readonly string[] = [
  ...new Set([...Object.values(NUMERIC_FIELDS).flat(), ...Object.values(TEXT_FIELDS).flat()])
]

/**
 * The query for the named metrics. The view has ~80 rows, more than the implicit
 * 50-row limit (§4), so a long list also gets an explicit LIMIT.
 */
export function statsSql(names: readonly string[]): string {
  const limit = names.length > 50 ? ' LIMIT 1000' : ''
  return `SELECT metric_name, metric_value FROM system.stats WHERE metric_name IN ${sqlStringList(names)}${limit}`
}

/** Every system.stats query with no filter must say LIMIT 1000 to see all rows. */
export const ALL_STATS_SQL = 'SELECT metric_name, metric_value FROM system.stats LIMIT 1000'

/** Two-column rows (name, value) of the first result set as a map of text. */
export function nameValueMap(response: SqlResponse): Record<string, string> {
  const out: Record<string, string> = {}
  const set = response.results[0]
  if (!set) return out
  for (const row of set.rows) {
    const name = cellText(row[0])
    const value = cellText(row[1])
    if (name !== null && value !== null) out[name] = value
  }
  return out
}

function toNumber(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined
  const n = Number(text)
  return Number.isFinite(n) ? n : undefined
}

/** metric_name → metric_value text, typed. Metrics a server does not report stay absent. */
export function parseServerStats(raw: Record<string, string>, polledAt: number): ServerStats {
  const stats: ServerStats = { polledAt, raw }
  const s = stats as unknown as Record<string, unknown>
  for (const [field, names] of Object.entries(NUMERIC_FIELDS)) {
    for (const name of names) {
      const n = toNumber(raw[name])
      if (n !== undefined) {
        s[field] = n
        break
      }
    }
  }
  for (const [field, names] of Object.entries(TEXT_FIELDS)) {
    const name = names.find((m) => raw[m] !== undefined)
    if (name !== undefined) s[field] = raw[name]
  }
  return stats
}

/** The subset a Sample carries (src/shared/sample.ts ServerFigures). */
export function toServerFigures(stats: ServerStats): ServerFigures {
  const figures: ServerFigures = { polledAt: stats.polledAt }
  const keys = [
    'memoryBytes',
    'cpuPercent',
    'threads',
    'websocketSessions',
    'websocketSessionsPeak',
    'activeConnections',
    'activeSubscriptions',
    'activeSubscriptionsPeak',
    'jobsRunning',
    'jobsQueued',
    'jobsFailed',
    'memtableBytes',
    'sstBytes'
  ] as const
  for (const k of keys) {
    const v = stats[k]
    if (v !== undefined) figures[k] = v
  }
  return figures
}

/** The settings ServerLimits types, by their system.settings names (§5, §6.6). */
export const LIMIT_SETTINGS = {
  maxQueriesPerSec: 'rate_limit.max_queries_per_sec',
  maxSubscriptionsPerUser: 'rate_limit.max_subscriptions_per_user',
  maxMessagesPerSec: 'rate_limit.max_messages_per_sec',
  maxAuthRequestsPerIpPerSec: 'rate_limit.max_auth_requests_per_ip_per_sec',
  defaultQueryLimit: 'limits.default_query_limit',
  maxQueryLimit: 'limits.max_query_limit',
  clientTimeoutSecs: 'websocket.client_timeout_secs'
} as const satisfies Record<keyof ServerLimits, string>

export const ALL_SETTINGS_SQL = 'SELECT name, value FROM system.settings LIMIT 1000'

export function limitsSql(): string {
  return `SELECT name, value FROM system.settings WHERE name IN ${sqlStringList(Object.values(LIMIT_SETTINGS))}`
}

export function parseLimits(settings: Record<string, string>): ServerLimits {
  const limits = {} as ServerLimits
  for (const [field, name] of Object.entries(LIMIT_SETTINGS)) {
    limits[field as keyof ServerLimits] = toNumber(settings[name]) ?? null
  }
  return limits
}
