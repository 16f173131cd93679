/**
 * Latency percentiles from latency.json (recorded in µs, reported in ms) and CPU average and
 * peak from the samples.
 */
import type { LatencyPercentiles } from '../../shared/analysis'
import type { Sample } from '../../shared/sample'
import type { LatencyFile } from '../../shared/session'

/** Per operation; operations with no recorded value are left out. Undefined without a file. */
export function latencyPercentiles(
  file: LatencyFile | null
): Record<string, LatencyPercentiles> | undefined {
  if (!file || typeof file.operations !== 'object' || file.operations === null) return undefined
  const out: Record<string, LatencyPercentiles> = {}
  for (const [op, s] of Object.entries(file.operations)) {
    if (!s || typeof s.count !== 'number' || s.count <= 0) continue
    out[op] = {
      count: s.count,
      p50Ms: usToMs(s.p50Us),
      p95Ms: usToMs(s.p95Us),
      p99Ms: usToMs(s.p99Us),
      maxMs: usToMs(s.maxUs)
    }
  }
  return out
}

function usToMs(us: unknown): number {
  return typeof us === 'number' && Number.isFinite(us) ? us / 1000 : 0
}

/** Average and peak of cpuPercent over the samples in the window; null when none measured. */
export function cpuSummary(
  samples: readonly Sample[],
  window?: { from: number; to: number }
): { averagePercent: number; peakPercent: number } | null {
  const values = samples
    .filter((s) => !window || (s.t >= window.from && s.t <= window.to))
    .map((s) => s.cpuPercent)
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
  if (values.length === 0) return null
  return {
    averagePercent: values.reduce((a, b) => a + b, 0) / values.length,
    peakPercent: Math.max(...values)
  }
}
