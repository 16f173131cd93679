import { describe, expect, it } from 'vitest'
import { analysisFor } from '../../../test/fixtures/report/analysis'
import { sessionInMemory } from '../../../test/fixtures/report/sessions'
import { renderTextReport } from './index'

/** RFC 4180 enough for our cells (quoted fields may hold commas and doubled quotes). */
function parseCsv(text: string): string[][] {
  return text
    .trimEnd()
    .split('\n')
    .map((line) =>
      [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)]
        .slice(0, -1)
        .map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"'))
    )
}

describe('report/csv', () => {
  describe('renderCsv', () => {
    const s = sessionInMemory({ kind: 'passed' })
    const rows = parseCsv(renderTextReport(s, analysisFor(s), 'csv'))
    const header = rows[0]!

    it('has one row per sample and a header naming every unit', () => {
      expect(rows).toHaveLength(s.samples.length + 1)
      expect(header.slice(0, 8)).toEqual([
        't_ms',
        'time_utc',
        'elapsed_s',
        'phase',
        'pid',
        'rss_bytes',
        'pss_bytes',
        'uss_bytes'
      ])
      expect(header).toEqual(
        expect.arrayContaining([
          'heap_bytes',
          'file_mapped_bytes',
          'cpu_percent',
          'cpu_user_percent',
          'threads_count',
          'fds_count',
          'ws_connections_count'
        ])
      )
      for (const h of header)
        expect(h).toMatch(/^(t_ms|time_utc|elapsed_s|phase|pid|.+_(bytes|percent|count|ms))$/)
    })

    it('flattens the server figures into server_* columns', () => {
      expect(header.filter((h) => h.startsWith('server_'))).toEqual([
        'server_polled_at_ms',
        'server_active_subscriptions_count',
        'server_cpu_percent',
        'server_jobs_running_count',
        'server_memory_bytes',
        'server_memtable_bytes',
        'server_sst_bytes',
        'server_websocket_sessions_count'
      ])
      const col = header.indexOf('server_memory_bytes')
      expect(rows[1]![col]).toBe(String(s.samples[0]!.server!.memoryBytes))
      // Samples without a poll leave the cells empty rather than repeating a stale value.
      expect(rows[2]![col]).toBe('')
    })

    it('writes values as recorded, null as an empty cell, and the phase of each sample', () => {
      const r = rows[1]!
      expect(r[header.indexOf('rss_bytes')]).toBe(String(s.samples[0]!.rssBytes))
      expect(r[header.indexOf('cpu_percent')]).toBe('')
      expect(r[header.indexOf('elapsed_s')]).toBe('0.000')
      expect(r[header.indexOf('phase')]).toBe('setup')
      expect(rows.at(-1)![header.indexOf('phase')]).toBe('cooldown')
    })
  })
})
