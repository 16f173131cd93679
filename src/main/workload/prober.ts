/**
 * The query prober: one SELECT every interval, open model like the writers (a slow answer
 * delays the next probe but not its intended start, and the wait counts as latency).
 */
import { nowMs, sleep } from './clock'
import { safeTrySql, type SqlRunner, type Stoppable, type WorkloadSink } from './types'

export interface ProberOptions {
  runner: SqlRunner
  sql: string
  intervalMs: number
  sink: WorkloadSink
  signal: AbortSignal
  /** Histogram name (default 'query'). */
  operation?: string
}

export interface Prober extends Stoppable {
  readonly failed: number
}

export function startProber(options: ProberOptions): Prober {
  const { runner, sink } = options
  const op = options.operation ?? 'query'
  const ctl = new AbortController()
  const onAbort = (): void => ctl.abort()
  options.signal.addEventListener('abort', onAbort, { once: true })
  let failed = 0

  const loop = (async () => {
    const start = nowMs()
    for (let k = 0; !ctl.signal.aborted; k++) {
      const intended = start + k * options.intervalMs
      await sleep(intended - nowMs(), ctl.signal)
      if (ctl.signal.aborted) break
      sink.counters.requests++
      const outcome = await safeTrySql(runner, options.sql, { signal: ctl.signal })
      if (ctl.signal.aborted) break
      if (outcome.ok) {
        sink.counters.queries++
        sink.latency.record(op, (nowMs() - intended) * 1000)
        continue
      }
      failed++
      const e = outcome.error
      if (e.code === 'RATE_LIMITED' || e.httpStatus === 429) sink.counters.rateLimited++
      else if (e.httpStatus === 503) sink.counters.unavailable++
      else sink.counters.errors++
      sink.errors.add('prober', e.code, e.message, e.httpStatus)
    }
  })()

  return {
    get failed() {
      return failed
    },
    async stop() {
      ctl.abort()
      await loop
      options.signal.removeEventListener('abort', onAbort)
    }
  }
}
