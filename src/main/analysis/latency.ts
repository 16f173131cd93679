/**
 * Latency percentiles from latency.json (recorded in µs, reported in ms), its histograms as a
 * few log-spaced bars, and CPU average and peak from the samples.
 */
import type { LatencyBucket, LatencyPercentiles } from '../../shared/analysis'
import { decodeBuckets } from '../compare/histogram'
import type { Sample } from '../../shared/sample'
import type { LatencyFile } from '../../shared/session'
import { maxOf } from './select'

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
    peakPercent: maxOf(values)
  }
}

/** Enough bars to see the shape (and a second mode), few enough to read their labels. */
export const MAX_LATENCY_BUCKETS = 16

/** The next edge of a 1-2-5 (or, coarse, 1-10) sequence after `edge`. */
function nextEdge(edge: number, coarse: boolean): number {
  if (coarse) return edge * 10
  const decade = 10 ** Math.floor(Math.log10(edge) + 1e-9)
  const m = Math.round(edge / decade)
  return (m === 1 ? 2 : m === 2 ? 5 : 10) * decade
}

/** The largest sequence edge at or below v (v ≥ 1). */
function floorEdge(v: number, coarse: boolean): number {
  const decade = 10 ** Math.floor(Math.log10(v) + 1e-9)
  if (coarse) return decade
  const m = v / decade
  return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * decade
}

/**
 * Histogram bars from recorded values (µs) and their counts: log-spaced edges at 1-2-5 per
 * decade from the fastest to the slowest value, widened to one bar per decade when that would
 * make more than `maxBuckets` bars. Latencies span orders of magnitude, so equal-width bars
 * would put almost everything in the first one. Empty bars between filled ones are kept: a gap
 * is part of the shape. Values below 1 µs count in the first bar. Pure.
 */
export function latencyBuckets(
  valuesUs: readonly number[],
  counts: readonly number[],
  maxBuckets = MAX_LATENCY_BUCKETS
): LatencyBucket[] {
  const pairs = valuesUs
    .map((v, i) => [v, counts[i] ?? 0] as const)
    .filter(([v, c]) => Number.isFinite(v) && v >= 0 && c > 0)
  if (pairs.length === 0) return []
  const lo = Math.max(1, Math.min(...pairs.map(([v]) => v)))
  const hi = Math.max(lo, ...pairs.map(([v]) => v))
  const edgesFor = (coarse: boolean): number[] => {
    const edges = [floorEdge(lo, coarse)]
    while ((edges.at(-1) as number) <= hi) edges.push(nextEdge(edges.at(-1) as number, coarse))
    return edges
  }
  let edges = edgesFor(false)
  if (edges.length - 1 > maxBuckets) edges = edgesFor(true)
  const bars = edges.slice(0, -1).map((from, i) => ({
    fromMs: from / 1000,
    toMs: (edges[i + 1] as number) / 1000,
    count: 0
  }))
  for (const [v, c] of pairs) {
    let i = 0
    while (i < bars.length - 1 && v >= (edges[i + 1] as number)) i++
    const bar = bars[i] as LatencyBucket
    bar.count += c
  }
  return bars
}

/**
 * latency.json's HdrHistograms as bars per operation; operations without a readable
 * histogram or with nothing recorded are left out. Undefined when none has one.
 */
export function latencyHistograms(
  file: LatencyFile | null,
  maxBuckets = MAX_LATENCY_BUCKETS
): Record<string, LatencyBucket[]> | undefined {
  if (!file || typeof file.operations !== 'object' || file.operations === null) return undefined
  const out: Record<string, LatencyBucket[]> = {}
  for (const [op, s] of Object.entries(file.operations)) {
    const decoded = decodeBuckets(s?.histogram)
    if (!decoded || decoded.total <= 0) continue
    const bars = latencyBuckets(decoded.values, decoded.counts, maxBuckets)
    if (bars.length > 0) out[op] = bars
  }
  return Object.keys(out).length > 0 ? out : undefined
}
