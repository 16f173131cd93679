/**
 * Sawtooth detection. Allocator arenas being trimmed, GC cycles and memtable flushes make
 * memory climb and then fall back at once, over and over. Peaks of such a series say how
 * full the buffer got; troughs say what stays behind. A leak shows as rising troughs, so a
 * sawtooth is judged by its troughs, not its peaks or its mean (issue 6).
 */
import { median, type Point } from './growth'
import { minOf } from './select'
import { mad, pointNoise, theilSen } from './stats'

/**
 * A fall counts as a sawtooth drop when it is at least this many robust standard deviations
 * of the sample-to-sample change: normal noise falls 5σ once in 3.5 million samples, while a
 * flush or an arena trim falls tens of σ. Three such falls are needed (MIN_DROPS).
 */
export const DROP_SIGMA = 5

/**
 * …and at least this share of the level: a drop of 0.5 % of RSS is noise-sized in practice
 * and not worth changing how the series is judged. The level is that of the part that moves,
 * when the caller knows it (RSS's anonymous pages, see detectSawtooth).
 */
export const DROP_MIN_FRACTION = 0.01

/**
 * A spike (down and straight back up) is not a drop: the recovery over the next two samples
 * must stay under this share of the fall. A sawtooth climbs back slowly.
 */
export const SPIKE_RECOVERY_FRACTION = 0.5

/**
 * Before each drop the series must have climbed at least this share of the drop since the
 * previous trough: a sawtooth refills what it drops; an exponential release falls run after
 * run without climbing and is not a sawtooth.
 */
export const CLIMB_FRACTION = 0.5

/** A drop counts when it is at least this share of the large drops (the 80th percentile). */
export const MIN_DROP_SHARE = 0.4

interface Drop {
  /** Index of the diff that starts the fall (the point before it is the peak). */
  start: number
  /** Index of the point the steepest fall lands on (where the climb after it is measured). */
  end: number
  size: number
}

/** The typical drop is at least this share of the series' range (5th to 95th percentile). */
export const MIN_DROP_RANGE_SHARE = 0.25

/** Drops needed before a series is called a sawtooth: three falls make three full cycles. */
export const MIN_DROPS = 3

/**
 * The last climb, cut short by the end of the window, gives a trough when it has at least this
 * share of a typical climb's samples (and LAST_CLIMB_MIN_SAMPLES): its trough is read on the
 * first half of what there is, with the rate of the whole climbs. Half a climb was asked
 * before, and a recorded leak sampled every 5 s (12 samples a 65 s cycle, 4 in the last climb)
 * kept three troughs of its four, too few to call the leak that they plainly showed; a third
 * changes nothing else among the recordings and evaluation cases.
 */
export const LAST_CLIMB_SHARE = 1 / 3
/** …and never fewer samples than this, however sparse the sampling: a trough of one is luck. */
export const LAST_CLIMB_MIN_SAMPLES = 3

/**
 * A climb's rate is fitted on at most this many of its samples, evenly spread. Theil–Sen's
 * pairs grow as the square of the points: a 20-minute climb sampled at 10 Hz has 12,000
 * samples and 72 million pairs (580 MiB and 3 s for four such climbs), and an hour-long one
 * would not fit in memory. 2,000 samples (a 200 s climb at 10 Hz) make 2 million pairs.
 */
export const MAX_CLIMB_POINTS = 2000

export interface Sawtooth {
  /** Drops found. */
  drops: number
  /**
   * The level right after each drop, estimated from the first half of the climb that follows
   * (see detectSawtooth). Many samples make a far steadier trough than the lowest one.
   */
  troughs: Point[]
  /** Median number of samples per climb (half of them make a trough). */
  samplesPerCycle: number
  /** Median time between drops. */
  periodMs: number
  /** Median size of a drop, bytes. */
  dropBytes: number
  /**
   * How well a single trough is known from the sampling alone, bytes (σ): a trough is read
   * between two samples, so it is uncertain by the climb over one sampling interval (÷ √12, a
   * uniform phase). A floor, not the whole noise: troughs also move from cycle to cycle.
   */
  troughNoise: number
}

/**
 * Finds the drops of a sawtooth and the trough after each. Null when the series is not a
 * sawtooth (fewer than MIN_DROPS clear, non-spike drops). `dropLevelBytes`: the level a drop's
 * floor (DROP_MIN_FRACTION) is a share of, when not the series' own.
 */
export function detectSawtooth(
  points: readonly Point[],
  { dropLevelBytes }: { dropLevelBytes?: number } = {}
): Sawtooth | null {
  if (points.length < 10) return null
  const values = despike(points.map((p) => p.v))
  const diffs = values.slice(1).map((v, i) => v - (values[i] as number))
  const level = dropLevelBytes ?? median(values) ?? 0
  const threshold = Math.max(DROP_SIGMA * 1.4826 * mad(diffs), DROP_MIN_FRACTION * Math.abs(level))
  if (threshold <= 0) return null

  // Runs of consecutive falls, merged: at 10 Hz a trim takes a few samples. The bottom of a
  // drop is where its steepest single fall lands: noise may extend the run by a sample or two
  // into the next climb, and measuring troughs from there would bias them up by the climb.
  // …unless a later fall of the run is drop-sized itself (at least the threshold): that is no
  // noise but the drop's next stage, and the bottom is where the last such fall lands. PSS
  // read every 5 s catches a flush half done (373 → 349 → 338 MiB): taking the middle sample
  // for the bottom put every trough off by a varying part of the drop, so troughs rising
  // 1 %/min read as flat and a few-cycle sawtooth was called stable.
  let drops: Drop[] = []
  // Lowest value since the last drop's bottom, kept as we go (no rescans).
  let lowSinceDrop = values[0] as number
  let i = 0
  while (i < diffs.length) {
    if ((diffs[i] as number) >= 0) {
      lowSinceDrop = Math.min(lowSinceDrop, values[i + 1] as number)
      i++
      continue
    }
    const start = i
    let size = 0
    let steepest = i
    while (i < diffs.length && (diffs[i] as number) < 0) {
      if ((diffs[i] as number) < (diffs[steepest] as number)) steepest = i
      size -= diffs[i++] as number
    }
    let last = steepest
    for (let j = steepest + 1; j < i; j++) {
      if ((diffs[j] as number) <= -threshold) last = j
    }
    const end = last + 1 // index of the point the last drop-sized fall lands on
    const bottomLow = minOf(values.slice(end, i + 1))
    if (size < threshold || isSpike(values, i, size)) {
      lowSinceDrop = Math.min(lowSinceDrop, bottomLow, values[start] as number)
      continue
    }
    // A sawtooth climbs back before it falls again. A fall that follows a drop without a
    // climb is the drop's next stage (a flush, then the GC that frees it) and joins it; a
    // decay falls stage after stage and so stays one drop, never a sawtooth.
    const climbed = (values[start] as number) - lowSinceDrop
    const prev = drops[drops.length - 1]
    // The window's first fall asks less: the judged window opens after the warm-up, anywhere
    // in a cycle, so most of the climb before it may be unseen. A climb above the noise will
    // do. (Asking half a drop of it lost the first trough of every window that opened late in
    // a cycle: a 50 s sawtooth judged over 4.5 minutes kept 4 troughs of 5, and troughs rising
    // 1 %/min read flat. Asking no climb at all would take a fall from a flat stretch, a
    // release before the load's flushes, for a drop; tried, it also turned 18 more evaluation
    // verdicts wrong at seeds 11-40, among 10 Hz sawtooths of 20 s.)
    const firstMidClimb = !prev && climbed >= threshold
    if (climbed >= CLIMB_FRACTION * size || firstMidClimb) {
      drops.push({ start, end, size })
    } else if (prev) {
      prev.end = end
      prev.size = (values[prev.start] as number) - bottomLow
    }
    lowSinceDrop = bottomLow
  }
  // Small falls within a climb (a young-generation GC, an arena trim) are not the sawtooth's
  // drops: only drops of at least MIN_DROP_SHARE of the typical large one count.
  const sizes = drops.map((d) => d.size).sort((a, b) => a - b)
  const large = sizes[Math.min(sizes.length - 1, Math.floor(0.8 * sizes.length))] ?? 0
  drops = drops.filter((d) => d.size >= MIN_DROP_SHARE * large)
  if (drops.length < MIN_DROPS) return null
  // A sawtooth's drops are a large part of what the series does: dips of a few pages in a
  // climb of tens of MiB (an allocator trim under a steady leak) leave it a climb.
  const sorted = [...values].sort((a, b) => a - b)
  const range =
    (sorted[Math.floor(0.95 * (sorted.length - 1))] as number) -
    (sorted[Math.floor(0.05 * (sorted.length - 1))] as number)
  if ((median(drops.map((d) => d.size)) ?? 0) < MIN_DROP_RANGE_SHARE * range) return null

  const segments = drops.map((d, k) => {
    const next = drops[k + 1]
    return { from: d.end, to: next ? next.start : points.length - 1 }
  })
  // Climbs of one sawtooth climb alike (the same buffer fills at the same rate), so one climb
  // rate — the median of each climb's own Theil–Sen slope — serves all; each trough is then the
  // median of (value − rate × time since the drop) over the first half of its climb: near the
  // drop (a drop missed in the noise later on cannot bend it) and far less noisy than a minimum.
  const halves = segments.map(({ from, to }) => {
    const end = from + Math.max(0, Math.ceil((to - from + 1) / 2) - 1)
    return { from, end, fullEnd: to }
  })
  const climbRates = segments
    .filter(({ from, to }) => to - from + 1 >= 4)
    .map(({ from, to }) => {
      const stride = Math.ceil((to - from + 1) / MAX_CLIMB_POINTS)
      const t0 = (points[from] as Point).t
      const xs: number[] = []
      const ys: number[] = []
      for (let i = from; i <= to; i += stride) {
        xs.push((points[i] as Point).t - t0)
        ys.push(values[i] as number)
      }
      return theilSen(xs, ys).slope
    })
  const rate = median(climbRates) ?? 0
  // A climb cut short by the end of the window is kept when long enough (LAST_CLIMB_SHARE).
  const typical = median(segments.map((g) => g.to - g.from + 1)) ?? 1
  const lastEnough = Math.max(LAST_CLIMB_MIN_SAMPLES, LAST_CLIMB_SHARE * typical)
  const whole = halves.filter(
    (h, k) => k < halves.length - 1 || h.fullEnd - h.from + 1 >= lastEnough
  )
  const troughs: Point[] = whole.map(({ from, end }) => {
    // The drop happened between the sample before `from` and `from`: the trough is read at
    // the middle of that interval, so sparse samples (PSS every 5 s) do not bias it up.
    const t0 =
      from > 0
        ? ((points[from - 1] as Point).t + (points[from] as Point).t) / 2
        : (points[from] as Point).t
    const levels: number[] = []
    for (let j = from; j <= end; j++) {
      levels.push((values[j] as number) - rate * ((points[j] as Point).t - t0))
    }
    return { t: t0, v: median(levels) as number }
  })
  const gaps = drops
    .slice(1)
    .map(
      (d, k) => (points[d.end] as Point).t - (points[(drops[k] as { end: number }).end] as Point).t
    )
  const intervals = points.slice(1).map((p, i) => p.t - (points[i] as Point).t)
  const interval = median(intervals) ?? 0
  // A trough is read between two samples: it is uncertain by the climb over one sampling
  // interval (÷ √12, a uniform phase). Troughs that move from cycle to cycle are not modelled
  // here: their own scatter shows it, and the trend is judged on that scatter (trend.ts).
  const phaseNoise = (Math.abs(rate) * interval) / Math.sqrt(12)
  return {
    drops: drops.length,
    troughs,
    troughNoise: phaseNoise,
    periodMs: median(gaps) ?? 0,
    dropBytes: median(drops.map((d) => d.size)) ?? 0,
    samplesPerCycle: median(segments.map((g) => g.to - g.from + 1)) ?? 1
  }
}

/** A point this many noise σ away from both neighbours, which agree, is a spike. */
export const SPIKE_SIGMA = 5

/**
 * Removes spikes one or two samples wide: values far (SPIKE_SIGMA) from both neighbours, on
 * the same side, while the neighbours agree with each other (within half that distance), are
 * replaced by the neighbours' mean. The corners of a sawtooth are kept: there the neighbours
 * disagree.
 */
export function despike(values: readonly number[]): number[] {
  const sigma = pointNoise(values)
  const out = [...values]
  // Spikes one and two samples wide: the points before and after must agree.
  for (const width of [1, 2]) {
    for (let i = 1; i + width < out.length; i++) {
      const a = out[i - 1] as number
      const b = out[i + width] as number
      const inner = out.slice(i, i + width)
      const near = Math.min(...inner.map((v) => Math.min(Math.abs(v - a), Math.abs(v - b))))
      const sameSide = inner.every(
        (v) =>
          Math.sign(v - a) === Math.sign(v - b) &&
          Math.sign(v - a) === Math.sign((inner[0] as number) - a)
      )
      if (sameSide && near > 0 && near > SPIKE_SIGMA * sigma && Math.abs(a - b) < 0.5 * near) {
        for (let j = 0; j < width; j++) out[i + j] = (a + b) / 2
      }
    }
  }
  return out
}

function isSpike(values: readonly number[], bottom: number, size: number): boolean {
  const base = values[bottom] as number
  const after = values.slice(bottom + 1, bottom + 3)
  if (after.length === 0) return false
  const recovered = Math.max(...after) - base
  return recovered > SPIKE_RECOVERY_FRACTION * size
}
