/** T225: a SELECT every second under 10 writers: p50 < 100 ms, p95 < 500 ms. */
import { below } from '../criteria'
import type { ScenarioDefinition } from '../definition'
import { num } from '../params'

/** Fewer probes than this and percentiles say nothing. */
const MIN_QUERIES = 5

export const queryLatency: ScenarioDefinition = {
  id: 'query-latency',
  needs: (p) => ({
    writers: num(p, 'writers'),
    writeRequestsPerSec: num(p, 'ratePerSec') / num(p, 'batchSize'),
    subscriptions: 0
  }),
  plannedMs: (p) => num(p, 'durationMs'),
  async run(ctx) {
    const p = ctx.params
    ctx.phase('load', { plannedMs: num(p, 'durationMs') })
    const writers = ctx.writers({
      ratePerSec: num(p, 'ratePerSec'),
      batchSize: num(p, 'batchSize')
    })
    const prober = ctx.prober(num(p, 'probeIntervalMs'))
    await ctx.sleep(num(p, 'durationMs'))
    await prober.stop()
    await writers.stop()
  },
  evaluate(r) {
    const n = r.latency.count('query')
    const at = (q: number): number | null => {
      const us = r.latency.percentileUs('query', q)
      return n >= MIN_QUERIES && us !== null ? us / 1000 : null
    }
    const few = `Only ${n} queries answered: too few for percentiles.`
    return [
      below(
        'Query latency p50',
        at(50),
        num(r.params, 'maxP50Ms'),
        'ms',
        `p50 over ${n} queries`,
        few
      ),
      below(
        'Query latency p95',
        at(95),
        num(r.params, 'maxP95Ms'),
        'ms',
        `p95 over ${n} queries`,
        few
      )
    ]
  }
}
