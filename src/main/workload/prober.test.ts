import { describe, expect, it } from 'vitest'
import { ProfilerError } from '../../shared/errors'
import type { SqlOutcome } from '../target/types'
import { startProber } from './prober'
import { testSink, until } from './testing/sink'

describe('workload/prober', () => {
  describe('startProber', () => {
    it('runs the query every interval, records latency and counts failures', async () => {
      const sink = testSink()
      let n = 0
      const prober = startProber({
        runner: {
          async trySql(sql): Promise<SqlOutcome> {
            expect(sql).toBe('SELECT 1')
            n++
            if (n === 2)
              return {
                ok: false,
                error: Object.assign(new ProfilerError('RATE_LIMITED', 'slow'), {
                  httpStatus: 429,
                  serverCode: null
                })
              }
            return { ok: true, response: { results: [], tookMs: 0, elapsedMs: 0 } }
          }
        },
        sql: 'SELECT 1',
        intervalMs: 5,
        sink,
        signal: new AbortController().signal
      })
      await until(() => sink.counters.queries >= 5)
      await prober.stop()
      expect(prober.failed).toBe(1)
      expect(sink.counters.rateLimited).toBe(1)
      expect(sink.latency.count('query')).toBe(sink.counters.queries)
    })
  })
})
