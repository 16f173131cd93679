/**
 * T224: baseline, 2 minutes of writers + listeners, then every connection closed and 60 s of
 * silence — only /proc is read, since any SQL or WebSocket traffic blocks KalamDB's idle
 * trim — and the final RSS must be within 15% of the baseline.
 */
import { growthCriterion, rssGrowth } from '../criteria'
import type { ScenarioDefinition } from '../definition'
import { num } from '../params'

export const memoryRelease: ScenarioDefinition = {
  id: 'memory-release',
  needs: (p) => ({
    writers: num(p, 'writers'),
    writeRequestsPerSec: num(p, 'ratePerSec') / num(p, 'batchSize'),
    subscriptions: num(p, 'subscribers')
  }),
  plannedMs: (p) => num(p, 'baselineMs') + num(p, 'durationMs') + num(p, 'idleMs'),
  async run(ctx) {
    const p = ctx.params
    ctx.phase('baseline', { plannedMs: num(p, 'baselineMs') })
    await ctx.sleep(num(p, 'baselineMs'))
    await ctx.snapshot('baseline-end')
    ctx.phase('load', { plannedMs: num(p, 'durationMs') })
    const subs = ctx.subscribers(num(p, 'subscribers'))
    await subs.ready
    const writers = ctx.writers({
      ratePerSec: num(p, 'ratePerSec'),
      batchSize: num(p, 'batchSize')
    })
    await ctx.sleep(num(p, 'durationMs'))
    await writers.stop()
    ctx.measure('droppedNotifications', await subs.drain())
    await subs.stop()
    await ctx.snapshot('load-end')
    await ctx.quiesce()
    ctx.phase('idle', { plannedMs: num(p, 'idleMs'), pollServer: false })
    await ctx.sleep(num(p, 'idleMs'))
  },
  evaluate(r) {
    return [
      growthCriterion(
        'Final RSS above baseline',
        rssGrowth(r, 'idle'),
        num(r.params, 'maxResidualPercent'),
        'growth',
        r.pid === null
          ? 'Not measurable without --pid: the idle phase reads only /proc, never the server.'
          : 'No RSS figures in the baseline and at the end of the idle phase.'
      )
    ]
  }
}
