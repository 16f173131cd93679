import { describe, expect, it } from 'vitest'
import type { FlushOutcome } from '../target/types'
import { flushOnce, startFlusher } from './flusher'
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

  describe('flushOnce', () => {
    const target = (
      sink: ReturnType<typeof testSink>,
      flushTable: () => Promise<FlushOutcome>,
      signal = new AbortController().signal
    ) => ({ client: { flushTable }, table: 't.t', sink, timeoutMs: 1000, signal })

    it('records a completed flush as the flusher does: event, flushed rows, latency', async () => {
      const sink = testSink()
      const r = await flushOnce(
        target(sink, async () => ({
          status: 'completed',
          jobId: 'FL-1',
          durationMs: 5,
          message: 'done'
        })),
        2500
      )
      expect(r).toMatchObject({ status: 'completed', jobId: 'FL-1', rows: 2500 })
      expect(sink.counters.flushedRows).toBe(2500)
      expect(sink.latency.count('flush')).toBe(1)
      expect(sink.events).toEqual([
        expect.objectContaining({ type: 'flush', status: 'completed', rows: 2500, table: 't.t' })
      ])
    })

    it('records a thrown flush as failed, with its message, and moves no rows', async () => {
      const sink = testSink()
      const r = await flushOnce(
        target(sink, async () => {
          throw new Error('Too many queries per second')
        }),
        2500
      )
      expect(r).toMatchObject({ status: 'failed', rows: 0, message: 'Too many queries per second' })
      expect(sink.counters.flushedRows).toBe(0)
      expect(sink.errors.total('FLUSH_FAILED')).toBe(1)
      expect(sink.events).toEqual([
        expect.objectContaining({ type: 'flush', status: 'failed', rows: null })
      ])
    })

    it('records nothing when the run stopped while it waited', async () => {
      const sink = testSink()
      const ctl = new AbortController()
      const r = await flushOnce(
        target(
          sink,
          async () => {
            ctl.abort()
            throw new Error('aborted')
          },
          ctl.signal
        ),
        2500
      )
      expect(r).toBeNull()
      expect(sink.events).toEqual([])
      expect(sink.errors.total('FLUSH_FAILED')).toBe(0)
    })
  })
})
