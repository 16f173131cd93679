/**
 * system.stats, system.live and system.settings: the server's self-reported figures with
 * KalamDB's metric names (PROTOCOL.md §8), values taken from this very process.
 */
import type { Engine } from '../engine/engine'
import type { Column } from '../engine/types'
import {
  SERVER_BUILD_DATE,
  SERVER_VERSION,
  MAX_CONNECTIONS,
  settingsRows,
  type SimConfig
} from '../config'
import type { LiveQueries } from './live'
import { ProcessMetrics } from './metrics'
import { liveIdOf, type WsServer } from './ws'

export interface ViewDeps {
  config: SimConfig
  engine: Engine
  live: LiveQueries
  ws: WsServer
  metrics: ProcessMetrics
  startedAt: number
  dataDir: string
  port: () => number
  planCacheSize: () => number
}

const text = (name: string): Column => ({
  name,
  type: 'Text',
  notNull: false,
  primaryKey: false,
  unique: false
})
const col = (name: string, type: Column['type']): Column => ({
  name,
  type,
  notNull: false,
  primaryKey: false,
  unique: false
})

export function registerSystemViews(d: ViewDeps): void {
  d.engine.systemTables.set('stats', {
    columns: [text('metric_name'), text('metric_value')],
    rows: () => statsRows(d)
  })
  d.engine.systemTables.set('settings', {
    columns: [text('name'), text('value'), text('description'), text('category')],
    rows: () => settingsRows(d.config, d.dataDir, d.port())
  })
  d.engine.systemTables.set('live', {
    pk: 'live_id',
    columns: [
      text('live_id'),
      text('connection_id'),
      text('subscription_id'),
      text('namespace_id'),
      text('table_name'),
      text('user_id'),
      text('query'),
      col('options', 'Json'),
      text('status'),
      col('created_at', 'Timestamp'),
      col('last_update', 'Timestamp'),
      col('changes', 'BigInt'),
      col('node_id', 'BigInt'),
      col('last_ping_at', 'Timestamp')
    ],
    rows: () =>
      d.live
        .all()
        .map((s) => [
          liveIdOf(s),
          s.conn.id,
          s.id,
          s.table?.namespace ?? 'system',
          s.table?.name ?? '',
          s.conn.user,
          s.sql,
          s.optionsJson,
          'active',
          s.createdAt * 1000,
          s.lastUpdate * 1000,
          BigInt(s.changes),
          1n,
          s.conn.lastInbound * 1000
        ])
  })
}

function statsRows(d: ViewDeps): string[][] {
  const uptimeS = Math.floor((Date.now() - d.startedAt) / 1000)
  const mem = d.metrics.memory()
  const sys = ProcessMetrics.system()
  const fds = d.metrics.fds()
  const st = d.engine.storageStats()
  const mb = (b: number): string => (b / 1048576).toFixed(2)
  const jobs = d.engine.jobs
  const m: [string, string | number | boolean][] = [
    ['server_uptime_seconds', uptimeS],
    ['server_uptime_human', human(uptimeS)],
    ['memory_usage_bytes', mem.rss],
    ['memory_usage_mb', mb(mem.rss)],
    ['memory_usage_source', 'rss'],
    ['memory_rss_bytes', mem.rss],
    ['memory_rss_mb', mb(mem.rss)],
    ['memory_virtual_bytes', mem.virtual],
    ['memory_virtual_mb', mb(mem.virtual)],
    ['memory_rss_gap_bytes', 0],
    ['memory_rss_gap_mb', '0.00'],
    ['cpu_usage_percent', d.metrics.cpuPercent().toFixed(2)],
    ['system_total_memory_mb', sys.totalMb],
    ['system_used_memory_mb', sys.usedMb],
    ['thread_count', d.metrics.threads()],
    ['pid', process.pid],
    // The real server reports "mimalloc"; the simulator is a Node process and says what it uses.
    ['allocator_name', 'system (node)'],
    ['cpu_logical_cores', sys.logicalCores],
    ['cpu_physical_cores', sys.logicalCores],
    ['server_workers_configured', Math.min(sys.logicalCores, 8)],
    ['server_workers_effective', Math.min(sys.logicalCores, 8)],
    ['max_connections', MAX_CONNECTIONS],
    ['connection_backlog', 2048],
    ['worker_max_blocking_threads', 512],
    ['datafusion_query_parallelism', sys.logicalCores],
    ['datafusion_max_partitions', 8],
    ['datafusion_memory_limit_mb', 32],
    ['open_files_total', fds.total],
    ['open_files_regular', fds.regular],
    ['open_files_directories', fds.directories],
    ['open_files_unix', fds.unix],
    ['open_files_ipv4', fds.ipv4],
    ['open_files_other', fds.other],
    ['total_users', d.engine.users.size],
    ['total_namespaces', d.engine.namespaces.size],
    ['total_tables', d.engine.tables.size],
    ['total_storages', 1],
    ['total_jobs', jobs.size],
    ['jobs_running', jobs.count('running')],
    ['jobs_queued', jobs.count('new') + jobs.count('queued')],
    ['jobs_failed', jobs.count('failed')],
    ['storage_backend', 'rocksdb'],
    ['storage_partition_count', st.partitions],
    ['rocksdb_physical_cf_count', d.engine.tables.size + 8],
    ['rocksdb_estimate_num_keys', st.liveRows],
    ['rocksdb_estimate_live_data_size_bytes', st.sstBytes],
    ['rocksdb_active_memtable_entries', st.activeEntries],
    ['rocksdb_immutable_memtable_entries', st.immutableEntries],
    ['rocksdb_active_memtable_size_bytes', st.memtableBytes],
    ['rocksdb_live_sst_files_size_bytes', st.sstBytes],
    ['rocksdb_total_sst_files_size_bytes', st.sstBytes],
    ['rocksdb_memtables_size_bytes', st.memtableBytes],
    ['rocksdb_pending_compaction_bytes', 0],
    ['total_live_queries', d.live.activeSubscriptions],
    ['active_connections', d.ws.activeConnections],
    ['active_connections_peak', d.ws.connectionsPeak],
    ['max_connections_configured', MAX_CONNECTIONS],
    ['active_subscriptions', d.live.activeSubscriptions],
    ['active_subscriptions_peak', d.live.activeSubscriptionsPeak],
    ['websocket_sessions', d.ws.sessions],
    ['websocket_sessions_peak', d.ws.sessionsPeak],
    ['schema_cache_size', d.engine.tables.size],
    ['schema_registry_size', d.engine.tables.size],
    ['schema_cache_total_entries', d.engine.tables.size],
    ['plan_cache_size', d.planCacheSize()],
    ['topic_cache_topic_count', 0],
    ['topic_cache_table_route_count', 0],
    ['topic_cache_total_routes', 0],
    ['string_interner_unique_strings', d.engine.users.size + d.engine.tables.size],
    ['node_id', 1],
    ['server_version', SERVER_VERSION],
    ['server_build_date', SERVER_BUILD_DATE],
    ['server_git_branch', 'kalam-profiler-sim'],
    ['server_git_commit', 'simulator'],
    ['cluster_mode', 'standalone']
  ]
  return m.map(([k, v]) => [k, String(v)])
}

function human(s: number): string {
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  return `${d}d ${h}h ${m}m ${s % 60}s`
}
