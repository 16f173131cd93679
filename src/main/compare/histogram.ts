/**
 * Latency histograms of a session (latency.json, HdrHistogram in µs) as the comparison
 * needs them: bucket counts for a rank test, and quantiles with a distribution-free
 * confidence interval (order statistics), without expanding millions of values.
 */
import { decodeFromCompressedBase64 } from 'hdr-histogram-js'
import type { RankGroup } from './stats'
import { quantileRankInterval } from './stats'

/** The parts of hdr-histogram-js's JsHistogram used here (its public Histogram type hides them). */
interface BucketView {
  totalCount: number
  countsArrayLength: number
  getCountAtIndex(index: number): number
  valueFromIndex(index: number): number
  medianEquivalentValue(value: number): number
  getValueAtPercentile(percentile: number): number
  destroy(): void
}

/** A decoded histogram: buckets in ascending value order (µs), and total count. */
export interface Buckets {
  values: number[]
  counts: number[]
  total: number
}

/** Decodes `LatencySummary.histogram`; null when it is absent or unreadable. */
export function decodeBuckets(encoded: string | undefined): Buckets | null {
  if (!encoded) return null
  let h: BucketView
  try {
    h = decodeFromCompressedBase64(encoded, 'packed', false) as unknown as BucketView
  } catch {
    return null
  }
  try {
    const values: number[] = []
    const counts: number[] = []
    for (let i = 0; i < h.countsArrayLength; i++) {
      const c = h.getCountAtIndex(i)
      if (c > 0) {
        values.push(h.medianEquivalentValue(h.valueFromIndex(i)))
        counts.push(c)
      }
    }
    return { values, counts, total: h.totalCount }
  } finally {
    h.destroy()
  }
}

/** Merges two histograms' buckets into rank groups (equal values are ties). */
export function rankGroups(a: Buckets, b: Buckets): RankGroup[] {
  const map = new Map<number, RankGroup>()
  a.values.forEach((v, i) => map.set(v, { value: v, a: a.counts[i]!, b: 0 }))
  b.values.forEach((v, i) => {
    const g = map.get(v)
    if (g) g.b += b.counts[i]!
    else map.set(v, { value: v, a: 0, b: b.counts[i]! })
  })
  return [...map.values()]
}

/** The value at a 1-based rank. */
export function valueAtRank(h: Buckets, rank: number): number {
  let seen = 0
  for (let i = 0; i < h.values.length; i++) {
    seen += h.counts[i]!
    if (seen >= rank) return h.values[i]!
  }
  return h.values[h.values.length - 1] ?? NaN
}

/** The q-quantile (nearest rank) and its 95% order-statistic interval, in the histogram's unit. */
export function quantileWithCi(h: Buckets, q: number): { value: number; ci95: [number, number] } {
  const rank = Math.max(1, Math.ceil(q * h.total))
  const [lo, hi] = quantileRankInterval(h.total, q)
  return { value: valueAtRank(h, rank), ci95: [valueAtRank(h, lo), valueAtRank(h, hi)] }
}
