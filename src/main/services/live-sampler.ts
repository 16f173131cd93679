/**
 * Live watching of the attached process while no scenario runs: the sampler at the chosen
 * interval, and (opt-in, every 5 s at most) the server's own figures from system.stats
 * merged into the samples that follow a poll.
 */
import type { Sample } from '../../shared/sample'
import type { RunningSampler } from '../sampler/types'
import { toServerFigures } from '../target/stats'
import type { KalamClient, ServerStats } from '../target/types'
import type { Engine } from './engine'
import type { LiveStream } from './live-stream'

/**
 * system.stats spawns lsof inside KalamDB and counts as activity that blocks its idle
 * memory trim (DESIGN.md "Cost rule"): never more often than every 2 s; 5 s is enough for
 * connection counts.
 */
export const STATS_POLL_MS = 5000

export interface LiveSamplerOptions {
  pid: number
  port: number | null
  intervalMs: number
  client: KalamClient | null
  pollServer: boolean
  stream: LiveStream
  engine: Pick<Engine, 'startSampler'>
  onExit(info: { pid: number; t: number }): void
  onError(error: Error): void
}

export interface LiveSampler {
  stop(): Promise<void>
}

export function startLiveSampler(o: LiveSamplerOptions): LiveSampler {
  let stats: ServerStats | null = null
  let statsTimer: ReturnType<typeof setInterval> | null = null
  let polling = false
  const poll = (): void => {
    if (!o.client || polling) return
    polling = true
    o.client
      .stats()
      .then((s) => (stats = s))
      // A failed poll leaves the server columns empty; the /proc view goes on.
      .catch(() => (stats = null))
      .finally(() => (polling = false))
  }
  if (o.client && o.pollServer) {
    poll()
    statsTimer = setInterval(poll, Math.max(STATS_POLL_MS, 2000))
  }
  const sampler: RunningSampler = o.engine.startSampler(
    { pid: o.pid, port: o.port, intervalMs: o.intervalMs },
    {
      onSample: (s) => o.stream.pushSample(withServerFigures(s, stats)),
      onExit: (info) => {
        stopPolling()
        o.onExit(info)
      },
      onError: (e) => {
        stopPolling()
        o.onError(e)
      }
    }
  )
  function stopPolling(): void {
    if (statsTimer) clearInterval(statsTimer)
    statsTimer = null
  }
  return {
    async stop() {
      stopPolling()
      await sampler.stop()
    }
  }
}

/** Adds the latest system.stats poll to a sample that has none of its own. */
export function withServerFigures(sample: Sample, stats: ServerStats | null): Sample {
  if (!stats || sample.server) return sample
  return {
    ...sample,
    wsConnections: sample.wsConnections ?? stats.websocketSessions ?? null,
    server: toServerFigures(stats)
  }
}
