import { describe, expect, it } from 'vitest'
import { json } from '../../../test/fixtures/kalamdb/fake-server'
import { connectToFake, fakeKalamSlot } from '../../../test/helpers/fake-kalam'
import {
  DEFAULT_STATS_METRICS,
  LIMIT_SETTINGS,
  MIN_STATS_POLL_INTERVAL_MS,
  parseServerStats,
  statsSql,
  toServerFigures
} from './stats'

const kalam = fakeKalamSlot()

/** A success envelope of two TEXT columns, as system.stats / system.settings answer. */
function nameValueEnvelope(cols: [string, string], rows: [string, string][]): string {
  return JSON.stringify({
    status: 'success',
    results: [
      {
        schema: [
          { name: cols[0], data_type: 'Text', index: 0 },
          { name: cols[1], data_type: 'Text', index: 1 }
        ],
        rows,
        row_count: rows.length,
        as_user: 'admin'
      }
    ],
    took: 2.5,
    error: null
  })
}

const STATS_ROWS: [string, string][] = [
  ['memory_usage_bytes', '123456789'],
  ['memory_rss_bytes', '123456789'],
  ['cpu_usage_percent', '12.5'],
  ['thread_count', '41'],
  ['pid', '4242'],
  ['websocket_sessions', '3'],
  ['websocket_sessions_peak', '7'],
  ['active_connections', '4'],
  ['active_subscriptions', '5'],
  ['active_subscriptions_peak', '9'],
  ['jobs_running', '1'],
  ['jobs_queued', '0'],
  ['jobs_failed', '2'],
  ['rocksdb_active_memtable_size_bytes', '1000'],
  ['rocksdb_memtables_size_bytes', '3000'],
  ['rocksdb_live_sst_files_size_bytes', '5000'],
  ['allocator_name', 'mimalloc'],
  ['server_version', '0.4.3-rc.4'],
  ['server_build_date', '2026-04-30'],
  ['server_git_commit', '66dc492b']
]

describe('stats', () => {
  it('polls no more often than every 2 s by default', () => {
    expect(MIN_STATS_POLL_INTERVAL_MS).toBe(2000)
  })

  describe('statsSql', () => {
    it('asks for named metrics with WHERE metric_name IN (…)', () => {
      expect(statsSql(['pid', "o'dd"])).toBe(
        "SELECT metric_name, metric_value FROM system.stats WHERE metric_name IN ('pid', 'o''dd')"
      )
    })

    it('adds LIMIT 1000 when the list is longer than the implicit 50-row limit', () => {
      const names = Array.from({ length: 51 }, (_, i) => `m${i}`)
      expect(statsSql(names)).toMatch(/ LIMIT 1000$/)
      expect(DEFAULT_STATS_METRICS.length).toBeLessThanOrEqual(50)
    })
  })

  describe('parseServerStats', () => {
    it('parses every number from its text and keeps the raw map', () => {
      const raw = Object.fromEntries(STATS_ROWS)
      const stats = parseServerStats(raw, 1000)
      expect(stats).toEqual({
        polledAt: 1000,
        raw,
        memoryBytes: 123456789,
        rssBytes: 123456789,
        cpuPercent: 12.5,
        threads: 41,
        pid: 4242,
        websocketSessions: 3,
        websocketSessionsPeak: 7,
        activeConnections: 4,
        activeSubscriptions: 5,
        activeSubscriptionsPeak: 9,
        jobsRunning: 1,
        jobsQueued: 0,
        jobsFailed: 2,
        memtableBytes: 3000,
        sstBytes: 5000,
        allocator: 'mimalloc',
        version: '0.4.3-rc.4',
        buildDate: '2026-04-30',
        gitCommit: '66dc492b'
      })
      expect(toServerFigures(stats)).not.toHaveProperty('raw')
      expect(toServerFigures(stats)).toMatchObject({ polledAt: 1000, memoryBytes: 123456789 })
    })

    it('leaves out what the server does not report or reports as non-numbers', () => {
      const stats = parseServerStats({ cpu_usage_percent: 'n/a', total_live_queries: '6' }, 5)
      expect(stats).toEqual({
        polledAt: 5,
        raw: { cpu_usage_percent: 'n/a', total_live_queries: '6' },
        activeSubscriptions: 6
      })
    })
  })

  describe('KalamClient.stats', () => {
    it('sends the metric query and types the answer', async () => {
      const client = await connectToFake(kalam, {
        'POST /v1/api/sql': () =>
          json(nameValueEnvelope(['metric_name', 'metric_value'], STATS_ROWS))
      })
      const stats = await client.stats(['pid', 'thread_count'])
      expect(JSON.parse(kalam.fake!.requests.at(-1)!.body)).toEqual({
        sql: statsSql(['pid', 'thread_count'])
      })
      expect(stats.threads).toBe(41)
      expect(stats.polledAt).toBeGreaterThan(0)
    })
  })

  describe('KalamClient.limits', () => {
    it('reads the limits from system.settings', async () => {
      const client = await connectToFake(kalam, {
        'POST /v1/api/sql': () =>
          json(
            nameValueEnvelope(
              ['name', 'value'],
              [
                ['rate_limit.max_queries_per_sec', '100'],
                ['rate_limit.max_subscriptions_per_user', '10'],
                ['rate_limit.max_messages_per_sec', '50'],
                ['rate_limit.max_auth_requests_per_ip_per_sec', '20'],
                ['limits.default_query_limit', '50'],
                ['limits.max_query_limit', '1000']
              ]
            )
          )
      })
      expect(await client.limits()).toEqual({
        maxQueriesPerSec: 100,
        maxSubscriptionsPerUser: 10,
        maxMessagesPerSec: 50,
        maxAuthRequestsPerIpPerSec: 20,
        defaultQueryLimit: 50,
        maxQueryLimit: 1000,
        clientTimeoutSecs: null
      })
      const sql = (JSON.parse(kalam.fake!.requests.at(-1)!.body) as { sql: string }).sql
      for (const name of Object.values(LIMIT_SETTINGS)) expect(sql).toContain(`'${name}'`)
      expect(await client.settings()).toMatchObject({ 'limits.max_query_limit': '1000' })
      expect((JSON.parse(kalam.fake!.requests.at(-1)!.body) as { sql: string }).sql).toBe(
        'SELECT name, value FROM system.settings LIMIT 1000'
      )
    })
  })
})
