/**
 * Time series out of samples, and the two ways reports thin them: bucket means for Mermaid
 * (GitHub renders at most ~100 points legibly, and the issue body has a size limit) and
 * min/max-preserving decimation for the HTML charts (a 1-hour 10 Hz run is 36,000 samples; a
 * spike or a step must survive the thinning, which an average or every-nth pick would hide).
 */
import type { Sample } from '../../shared/sample'

/** One point: time (ms since the epoch) and value. */
export type Point = readonly [t: number, v: number]

/** A numeric field of a sample, or of its server figures, as points; nulls are left out. */
export function pointsOf(
  samples: readonly Sample[],
  pick: (s: Sample) => number | null | undefined
): Point[] {
  const out: Point[] = []
  for (const s of samples) {
    const v = pick(s)
    if (typeof v === 'number' && Number.isFinite(v)) out.push([s.t, v])
  }
  return out
}

/**
 * At most `maxPoints` points: the time range cut into maxPoints/2 equal buckets, each keeping
 * its lowest and highest point in time order. A series that already fits is returned as is.
 */
export function decimateMinMax(points: readonly Point[], maxPoints: number): Point[] {
  return decimateMinMaxBy(
    points,
    maxPoints,
    (p) => p[0],
    (p) => p[1]
  )
}

/** decimateMinMax of any items in time order, by the time and the value `of` them. */
export function decimateMinMaxBy<T>(
  items: readonly T[],
  maxPoints: number,
  timeOf: (x: T) => number,
  valueOf: (x: T) => number
): T[] {
  if (items.length <= maxPoints) return [...items]
  const buckets = Math.max(1, Math.floor(maxPoints / 2))
  const t0 = timeOf(items[0]!)
  const span = timeOf(items[items.length - 1]!) - t0 || 1
  const out: T[] = []
  let i = 0
  for (let b = 0; b < buckets; b++) {
    const end = b === buckets - 1 ? Infinity : t0 + (span * (b + 1)) / buckets
    let lo: T | null = null
    let hi: T | null = null
    while (i < items.length && timeOf(items[i]!) < end) {
      const p = items[i]!
      if (lo === null || valueOf(p) < valueOf(lo)) lo = p
      if (hi === null || valueOf(p) > valueOf(hi)) hi = p
      i++
    }
    if (lo === null || hi === null) continue
    if (lo === hi) out.push(lo)
    else if (timeOf(lo) <= timeOf(hi)) out.push(lo, hi)
    else out.push(hi, lo)
  }
  return out
}

/**
 * Exactly `count` values, one per equal time bucket from `from` to `to`: the mean of the
 * points in the bucket; an empty bucket (a gap in sampling) takes the value interpolated
 * between its neighbours, because Mermaid's line series has no way to say "no data".
 * Empty when the series has no point at all.
 */
export function bucketMeans(
  points: readonly Point[],
  from: number,
  to: number,
  count: number
): number[] {
  if (points.length === 0 || count <= 0) return []
  const span = to - from || 1
  const sums = new Array<number>(count).fill(0)
  const ns = new Array<number>(count).fill(0)
  for (const [t, v] of points) {
    const b = Math.min(count - 1, Math.max(0, Math.floor(((t - from) / span) * count)))
    sums[b]! += v
    ns[b]!++
  }
  const means: (number | null)[] = sums.map((s, b) => (ns[b]! > 0 ? s / ns[b]! : null))
  return fillGaps(means)
}

function fillGaps(values: (number | null)[]): number[] {
  const known = values.flatMap((v, i) => (v === null ? [] : [i]))
  return values.map((v, i) => {
    if (v !== null) return v
    const next = known.find((k) => k > i)
    const prev = [...known].reverse().find((k) => k < i)
    if (prev === undefined) return values[next!] as number
    if (next === undefined) return values[prev] as number
    const a = values[prev] as number
    const b = values[next] as number
    return a + ((b - a) * (i - prev)) / (next - prev)
  })
}

/** Rounds a range outward to values that read well on an axis, with `ticks` steps between. */
export function niceRange(
  min: number,
  max: number,
  ticks = 5
): { min: number; max: number; step: number } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { min: 0, max: 1, step: 0.2 }
  if (max - min < 1e-9) {
    const pad = Math.abs(max) > 0 ? Math.abs(max) * 0.1 : 1
    min -= pad
    max += pad
  }
  const step = niceStep((max - min) / ticks)
  return { min: Math.floor(min / step) * step, max: Math.ceil(max / step) * step, step }
}

/** 1, 2, 2.5 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1
  const pow = 10 ** Math.floor(Math.log10(raw))
  const f = raw / pow
  const m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10
  return m * pow
}
