/**
 * Samples and the server's own figures (DESIGN.md "Sample"): the latest system.stats poll is
 * attached to samples taken while polling is on; without a pid, the polls are the samples.
 */
import type { Sample } from '../../shared/sample'
import { toServerFigures } from '../target/stats'
import type { ServerStats } from '../target/types'

/** `latest` null (not polling, or no answer yet) = no server figures, never a stale copy. */
export function withServerFigures(s: Sample, latest: ServerStats | null): Sample {
  return latest
    ? { ...s, wsConnections: latest.websocketSessions ?? null, server: toServerFigures(latest) }
    : { ...s, wsConnections: null }
}

/**
 * A sample made of a system.stats poll, for runs without a pid. Fields only /proc can give
 * are null ("not measured"), never zero; null when the server reports no memory figure.
 */
export function sampleFromStats(s: ServerStats): Sample | null {
  const rss = s.rssBytes ?? s.memoryBytes
  if (rss === undefined) return null
  const unknown = null as unknown as number
  return {
    t: s.polledAt,
    pid: s.pid ?? 0,
    rssBytes: rss,
    pssBytes: null,
    ussBytes: null,
    heapBytes: unknown,
    fileMappedBytes: unknown,
    stackBytes: unknown,
    swapBytes: unknown,
    cpuPercent: s.cpuPercent ?? null,
    cpuUserPercent: null,
    cpuSystemPercent: null,
    threads: s.threads ?? unknown,
    fds: unknown,
    tcpConnections: unknown,
    portConnections: null,
    wsConnections: null
  }
}
