/**
 * T228: ramp inserts from 100/s by a step every 30 s until the server answers with errors
 * or a step's p99 crosses the latency bound. Graceful = the server stays up, no connection
 * is dropped, and overload shows as 429 RATE_LIMIT_EXCEEDED (KalamDB's signal), 503 or
 * rising latency — never as other errors. A few listeners check that WebSockets survive.
 *
 * Around the seed's ramp (ours): a baseline, and after it one flush and a quiet cooldown
 * (--cooldown, 0s: none). The ramp is the one load with no flush of its own, so rows held
 * in memtables and a leak both climb through it; the flush writes the rows out, and what the
 * quiet keeps is what the ramp left behind (the analysis's release). 100 s by default: KalamDB
 * trims idle memory at its first 30 s check after 60 s without SQL or WebSocket traffic
 * (PROTOCOL.md §8), so by 90 s, and the level at the end is read over its last 10 s. On the
 * simulator, clean ramps quiet for 30 s gave back 57-60 % (no verdict), for 90 s 79-88 %.
 */
import type { CriterionResult } from '../../../shared/session'
import { equals } from '../criteria'
import type { ScenarioDefinition } from '../definition'
import { num, type Params } from '../params'
import type { RunRecord } from '../record'

/** Profiler error codes that mean a connection was lost rather than answered. */
export const CONNECTION_FAILURE_CODES = ['UNREACHABLE', 'DISCONNECTED', 'PROTOCOL'] as const

/**
 * The ramp's writers run as the login, which the flush uses too: a second passes first, so
 * the per-user query limit that ended the ramp does not refuse the flush.
 */
const RATE_WINDOW_MS = 1000

export function rampSteps(p: Record<string, number | boolean>): number {
  const span = Math.max(0, num(p, 'maxRatePerSec') - num(p, 'startRatePerSec'))
  return Math.ceil(span / num(p, 'stepRatePerSec')) + 1
}

export const gracefulDegradation: ScenarioDefinition = {
  id: 'graceful-degradation',
  // The writers all run as the login user on purpose: KalamDB's per-user rate limit is its
  // overload answer (PROTOCOL.md §5), and T228 is there to see it answer. Subscribers are
  // still spread, so the per-user subscription limit does not refuse the listeners.
  needs: (p) => ({
    writers: num(p, 'writers'),
    writeRequestsPerSec: 0,
    subscriptions: num(p, 'subscribers')
  }),
  plannedMs: (p) => num(p, 'baselineMs') + rampSteps(p) * num(p, 'stepIntervalMs') + cooldownMs(p),
  async run(ctx) {
    const p = ctx.params
    ctx.phase('baseline', { plannedMs: num(p, 'baselineMs') })
    await ctx.sleep(num(p, 'baselineMs'))
    await ctx.snapshot('baseline-end')
    ctx.phase('load', { plannedMs: rampSteps(p) * num(p, 'stepIntervalMs') })
    const subs = ctx.subscribers(num(p, 'subscribers'))
    await subs.ready
    const start = Math.min(num(p, 'startRatePerSec'), num(p, 'maxRatePerSec'))
    const pool = ctx.writers({ ratePerSec: start, batchSize: num(p, 'batchSize') })
    const result = await ctx.ramp(pool, {
      startRatePerSec: start,
      stepRatePerSec: num(p, 'stepRatePerSec'),
      stepIntervalMs: num(p, 'stepIntervalMs'),
      maxRatePerSec: num(p, 'maxRatePerSec'),
      latencyBoundMs: num(p, 'latencyBoundMs')
    })
    await pool.stop()
    ctx.mark(
      rampSummary(result.stop, result.steps.at(-1)?.ratePerSec ?? null, result.maxCleanRatePerSec)
    )
    await subs.stop()
    await ctx.snapshot('load-end')
    if (num(p, 'cooldownMs') === 0 || ctx.signal.aborted) return
    ctx.phase('cooldown', { plannedMs: cooldownMs(p), pollServer: false })
    await ctx.sleep(RATE_WINDOW_MS)
    if (ctx.signal.aborted) return
    const flush = await ctx.flushNow()
    if (flush && flush.status !== 'completed') {
      ctx.warn(
        `the flush after the ramp ended '${flush.status}' (${flush.message}): rows still held in memtables count in what the quiet keeps`
      )
    }
    await ctx.quiesce()
    await ctx.sleep(num(p, 'cooldownMs'))
  },
  evaluate(r) {
    const connectionFailures = CONNECTION_FAILURE_CODES.reduce((n, c) => n + r.errors.total(c), 0)
    const other = Math.max(0, r.counters.errors - connectionFailures)
    const summary = r.ramp
      ? ` (${rampSummary(r.ramp.stop, r.ramp.steps.at(-1)?.ratePerSec ?? null, r.ramp.maxCleanRatePerSec)}; ${r.counters.rateLimited} answers 429, ${r.counters.unavailable} answers 503)`
      : ''
    const crashed: CriterionResult = equals(
      'Target crashed',
      r.crash ? 1 : 0,
      0,
      r.crash ? 'The target process exited' : 'The target stayed up',
      ''
    )
    return [
      crashed,
      equals(
        'Dropped connections',
        r.counters.disconnects + connectionFailures,
        0,
        `WebSocket disconnects (${r.counters.disconnects}) and failed HTTP connections (${connectionFailures})`,
        ''
      ),
      equals(
        'Errors other than 429 / 503',
        other,
        0,
        `Requests that failed otherwise${other > 0 ? ` (${topCodes(r)})` : ''}`,
        '',
        summary
      )
    ]
  }
}

/** The cooldown's planned length: the wait before its flush, then the quiet (none at 0). */
function cooldownMs(p: Params): number {
  return num(p, 'cooldownMs') === 0 ? 0 : RATE_WINDOW_MS + num(p, 'cooldownMs')
}

function topCodes(r: RunRecord): string {
  return [...r.errors.totals.entries()]
    .filter(
      ([c]) => c !== 'RATE_LIMITED' && !(CONNECTION_FAILURE_CODES as readonly string[]).includes(c)
    )
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([c, n]) => `${c} × ${n}`)
    .join(', ')
}

const STOP_WORDS: Record<string, string> = {
  'rate-limited': 'the server answered 429 RATE_LIMIT_EXCEEDED',
  unavailable: 'the server answered 503',
  errors: 'requests failed',
  latency: 'p99 latency crossed the bound',
  'max-rate': 'the highest rate was reached without overload',
  cancelled: 'the run was stopped'
}

export function rampSummary(stop: string, lastRate: number | null, clean: number | null): string {
  return `ramp ended at ${lastRate ?? '?'} rows/s because ${STOP_WORDS[stop] ?? stop}; highest clean step ${clean === null ? 'none' : `${clean} rows/s`}`
}
