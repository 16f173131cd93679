/**
 * T226: flush every 30 s under 10 writers. No flush may fail, and what each flush leaves
 * behind must not pile up: RSS right after the last flush against RSS right after the first.
 */
import type { CriterionResult } from '../../../shared/session'
import { formatBytes } from '../../../shared/units'
import { median } from '../../analysis/growth'
import { notMeasured } from '../criteria'
import type { ScenarioDefinition } from '../definition'
import { num } from '../params'
import type { RunRecord } from '../record'

/** RSS after a flush: the median of the samples in this window after it completed. */
const AFTER_FLUSH_MS = 2000

export const flushUnderLoad: ScenarioDefinition = {
  id: 'flush-under-load',
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
    const flusher = ctx.flusher(num(p, 'flushIntervalMs'))
    await ctx.sleep(num(p, 'durationMs'))
    await flusher.stop()
    await writers.stop()
    // One more sample window after the last flush, so its RSS can be read.
    await ctx.sleep(AFTER_FLUSH_MS)
  },
  evaluate(r) {
    const done = r.flushes.filter((f) => f.status === 'completed')
    const bad = r.flushes.filter((f) => f.status === 'failed' || f.status === 'timeout')
    let failed: CriterionResult
    if (done.length === 0 && bad.length === 0) {
      failed = notMeasured('Failed flushes', '== 0', 'count', 'No flush has completed yet.')
    } else {
      const pass = bad.length === 0 && done.length > 0
      const rates = done.map((f) => f.rowsPerSec).filter((v): v is number => v !== null)
      failed = {
        name: 'Failed flushes',
        threshold: '== 0',
        measured: bad.length,
        unit: 'count',
        pass,
        reason:
          `${done.length} flush${done.length === 1 ? '' : 'es'} completed` +
          (rates.length > 0 ? ` (median ${Math.round(median(rates) ?? 0)} rows/s)` : '') +
          (bad.length > 0 ? `, ${bad.length} failed: ${bad[0]!.message}` : '') +
          (done.length === 0 ? ', none completed' : '') +
          '.'
      }
    }
    return [failed, betweenFlushes(r, num(r.params, 'maxGrowthPercent'))]
  }
}

function rssAfter(r: RunRecord, t: number): number | null {
  const values = r.samples
    .filter((s) => s.t >= t && s.t <= t + AFTER_FLUSH_MS)
    .map((s) => s.rssBytes)
  return median(values)
}

function betweenFlushes(r: RunRecord, maxPercent: number): CriterionResult {
  const name = 'RSS after the last flush vs after the first'
  const threshold = `< ${maxPercent}%`
  const levels = r.flushes
    .filter((f) => f.status === 'completed')
    .map((f) => rssAfter(r, f.t))
    .filter((v): v is number => v !== null)
  if (levels.length < 2) {
    return notMeasured(
      name,
      threshold,
      'percent',
      `${levels.length} completed flush${levels.length === 1 ? '' : 'es'} with RSS figures after them: at least two are needed.`
    )
  }
  const first = levels[0]!
  const last = levels[levels.length - 1]!
  const growth = ((last - first) / first) * 100
  const pass = growth < maxPercent
  return {
    name,
    threshold,
    measured: Math.round(growth * 10) / 10,
    unit: 'percent',
    pass,
    reason: `RSS after ${levels.length} flushes went from ${formatBytes(first)} to ${formatBytes(last)} (${growth >= 0 ? '+' : ''}${growth.toFixed(1)}%)${pass ? '' : ': memory piles up between flushes'}.`
  }
}
