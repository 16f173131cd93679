import { describe, expect, it } from 'vitest'
import type { FlushOutcome } from '../target/types'
import { startFlusher } from './flusher'
import { testSink, until } from './testing/sink'

describe('workload/flusher', () => {
  describe('startFlusher', () => {
    it('flushes every interval, records each flush with rows/s and counts failures', async () => {
      const sink = testSink()
      const outcomes: FlushOutcome['status'][] = ['completed', 'failed', 'completed']
      let n = 0
      const flusher = startFlusher({
        client: {
          async flushTable(): Promise<FlushOutcome> {
            sink.counters.inserts += 0
            const status = outcomes[n++] ?? 'skipped'
            return { status, jobId: `FL-${n}`, durationMs: 5, message: status }
          }
        },
        table: 't.t',
        intervalMs: 10,
        sink,
        signal: new AbortController().signal
      })
      sink.counters.inserts = 1000
      await until(() => flusher.flushes.length >= 3)
      await flusher.stop()
      const [a, b, c] = flusher.flushes
      expect(a).toMatchObject({ status: 'completed', jobId: 'FL-1', rows: 1000 })
      expect(b).toMatchObject({ status: 'failed', rows: 0 })
      // Rows carried over a failed flush are the next completed flush's.
      expect(c).toMatchObject({ status: 'completed', rows: 0 })
      expect(sink.counters.flushedRows).toBe(1000)
      expect(sink.errors.total('FLUSH_FAILED')).toBe(1)
      expect(sink.events.filter((e) => e.type === 'flush').length).toBeGreaterThanOrEqual(3)
    })
  })
})
