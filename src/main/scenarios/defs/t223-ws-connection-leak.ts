/**
 * T223: open 50 subscriptions (one WebSocket each), close 25, wait 30 s: the server must
 * hold exactly what we hold — its websocket_sessions and active_subscriptions (system.stats)
 * against our count — and memory must not have grown. Churn after the closes (ours,
 * --churn-cycles, 20 by default) opens and closes extra connections in cycles: they must all
 * be gone too, so per-connection state the server keeps after a close adds up where it is
 * counted and in memory. Without it a leak of 64 KiB per connection, 1.6 MiB over the seed's
 * 25 closes, was lost in the server's own growth; 200 churned connections find 8 KiB.
 * RSS growth is measured from the baseline's later half: the simulator collected its setup
 * garbage 6 s into the 10 s baseline, and from the whole phase's median clean runs read -5
 * to -8 % and runs leaking 32-64 KiB per subscription passed (2.7 and 8.6 %; now 12 and 18 %).
 */
import { ProfilerError } from '../../../shared/errors'
import type { CriterionResult } from '../../../shared/session'
import { equals, growthCriterion, rssGrowth } from '../criteria'
import type { ScenarioDefinition } from '../definition'
import { num, type Params } from '../params'
import { subscriptionsOpened } from './t221-writers-and-listeners'

/** How long the opened connections are held before the closes (the server settles too). */
const HOLD_MS = 1000
/** Each churn cycle holds its connections this long, then pauses before the next. */
const CHURN_HOLD_MS = 500
const CHURN_PAUSE_MS = 200

function churnMs(p: Params): number {
  const cycles = num(p, 'churnCycles')
  return cycles === 0
    ? 0
    : cycles * (num(p, 'churnConnections') * 100 + CHURN_HOLD_MS + CHURN_PAUSE_MS)
}

function churnNeeds(p: Params): number {
  return num(p, 'churnCycles') > 0 ? num(p, 'churnConnections') : 0
}

export const wsConnectionLeak: ScenarioDefinition = {
  id: 'ws-connection-leak',
  validate(p) {
    if (num(p, 'closeCount') > num(p, 'subscribers')) {
      throw new ProfilerError(
        'BAD_INPUT',
        `--close-count ${num(p, 'closeCount')} is more than --subscribers ${num(p, 'subscribers')}`
      )
    }
  },
  needs: (p) => ({
    writers: 0,
    writeRequestsPerSec: 0,
    subscriptions: num(p, 'subscribers') + churnNeeds(p)
  }),
  plannedMs: (p) =>
    num(p, 'baselineMs') + num(p, 'subscribers') * 100 + HOLD_MS + churnMs(p) + num(p, 'settleMs'),
  async run(ctx) {
    const p = ctx.params
    ctx.phase('baseline', { plannedMs: num(p, 'baselineMs') })
    await ctx.sleep(num(p, 'baselineMs'))
    await ctx.snapshot('baseline-end')
    ctx.phase('load')
    const subs = ctx.subscribers(num(p, 'subscribers'))
    await subs.ready
    ctx.measure('subscriptionsOpened', subs.open)
    await ctx.sleep(HOLD_MS)
    const before = await ctx.readStats()
    ctx.measure('serverSessionsAllOpen', before?.websocketSessions ?? null)
    await subs.close(num(p, 'closeCount'))
    ctx.measure('held', subs.open)
    if (num(p, 'churnCycles') > 0) {
      const churn = ctx.churn({
        connections: num(p, 'churnConnections'),
        cycles: num(p, 'churnCycles'),
        holdMs: CHURN_HOLD_MS,
        pauseMs: CHURN_PAUSE_MS
      })
      const done = await churn.done
      ctx.measure('churnOpened', done.opened)
      ctx.measure('churnFailed', done.failed)
      ctx.mark(
        `churn: ${done.cycles} cycles opened and closed ${done.opened} connections${done.failed > 0 ? ` (${done.failed} failed to open)` : ''}`
      )
    }
    await ctx.snapshot('load-end')
    // Polled through the wait: the analysis judges the server's count after its grace.
    ctx.phase('cooldown', { plannedMs: num(p, 'settleMs'), pollServer: true })
    await ctx.sleep(num(p, 'settleMs'))
    if (ctx.signal.aborted) return
    const after = await ctx.readStats()
    ctx.measure('serverSessions', after?.websocketSessions ?? null)
    ctx.measure('serverSubscriptions', after?.activeSubscriptions ?? null)
    ctx.measure('held', subs.open)
    await subs.stop()
  },
  evaluate(r) {
    const held = r.measures['held'] ?? null
    const sessions = r.measures['serverSessions'] ?? null
    const subsOnServer = r.measures['serverSubscriptions'] ?? null
    const pending = 'The cleanup wait has not ended yet.'
    const count = (name: string, server: number | null, what: string): CriterionResult => {
      if (held === null || !('serverSessions' in r.measures)) {
        return equals(
          name,
          null,
          held ?? num(r.params, 'subscribers') - num(r.params, 'closeCount'),
          what,
          pending
        )
      }
      const stale = server !== null ? server - held : 0
      return equals(
        name,
        server,
        held,
        what,
        `The server reports no ${name === 'Server-reported WebSocket sessions' ? 'websocket_sessions' : 'active_subscriptions'} figure (system.stats).`,
        server !== null && stale > 0
          ? ` — ${stale} closed connection${stale === 1 ? '' : 's'} still held by the server`
          : ''
      )
    }
    return [
      subscriptionsOpened(r),
      count(
        'Server-reported WebSocket sessions',
        sessions,
        `WebSocket sessions the server holds ${Math.round(num(r.params, 'settleMs') / 1000)} s after we closed ${num(r.params, 'closeCount')}`
      ),
      count(
        'Server-reported active subscriptions',
        subsOnServer,
        'Live subscriptions the server holds'
      ),
      growthCriterion(
        'RSS growth',
        rssGrowth(r, 'cooldown', 'baseline', { settled: true }),
        num(r.params, 'maxGrowthPercent'),
        'growth',
        'No RSS figures in the baseline and at the end of the cleanup wait.'
      )
    ]
  }
}
