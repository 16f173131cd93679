/**
 * Polls the server's own figures (system.stats) during load phases only. Never faster than
 * every 2 s: each poll spawns `lsof` inside KalamDB and counts as activity that blocks its
 * idle memory trim (PROTOCOL.md §8), so it is opt-in per phase and paused for idle phases.
 */
import { MIN_STATS_POLL_INTERVAL_MS } from '../target/stats'
import type { KalamClient, ServerStats } from '../target/types'
import { sleep } from './clock'

export interface StatsPoller {
  /** Starts (or keeps) polling. */
  resume(): void
  /** Stops polling and forgets the latest figures, so no sample carries stale ones. */
  pause(): void
  readonly active: boolean
  /** The latest poll while active; null when paused or not yet answered. */
  readonly latest: ServerStats | null
  /** Every poll answered so far (for verdicts: T227's queues, T223's counts). */
  readonly history: ServerStats[]
  stop(): Promise<void>
}

export function startStatsPoller(options: {
  client: Pick<KalamClient, 'stats'>
  intervalMs: number
  signal: AbortSignal
  onStats?(s: ServerStats): void
  onError?(e: unknown): void
}): StatsPoller {
  const interval = Math.max(MIN_STATS_POLL_INTERVAL_MS, options.intervalMs)
  let active = false
  let latest: ServerStats | null = null
  const history: ServerStats[] = []
  let ctl: AbortController | null = null
  let loop: Promise<void> = Promise.resolve()

  const run = async (c: AbortController): Promise<void> => {
    while (!c.signal.aborted) {
      try {
        const s = await options.client.stats()
        if (c.signal.aborted) break
        latest = s
        history.push(s)
        options.onStats?.(s)
      } catch (e) {
        if (c.signal.aborted) break
        options.onError?.(e)
      }
      await sleep(interval, c.signal)
    }
  }

  const pause = (): void => {
    active = false
    latest = null
    ctl?.abort()
    ctl = null
  }
  options.signal.addEventListener('abort', pause, { once: true })

  return {
    resume() {
      if (active || options.signal.aborted) return
      active = true
      const c = new AbortController()
      ctl = c
      loop = loop.then(() => run(c))
    },
    pause,
    get active() {
      return active
    },
    get latest() {
      return latest
    },
    history,
    async stop() {
      pause()
      await loop
      options.signal.removeEventListener('abort', pause)
    }
  }
}
