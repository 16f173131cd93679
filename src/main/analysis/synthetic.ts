/**
 * Memory series with known truth, for tests and demos (STYLE.md §22, after Clinic Doctor's
 * test/generate-process-stat.js): a shape in bytes over time plus reproducible noise from a
 * fixed-seed PRNG. Shapes are the ones the analysis must tell apart: flat, slow leak,
 * sawtooth with flat or rising troughs, step then plateau, growth then release, warm-up.
 */
import type { Point } from './growth'
import { seededRandom } from './stats'

// Tests build their own noise from the same generator.
export { seededRandom }

/** Standard normal deviates from a uniform source (Box–Muller). */
export function gaussian(random: () => number): () => number {
  return () => {
    const u = Math.max(random(), 1e-12)
    const v = random()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }
}

/** A shape: bytes at `ms` since the start of the series. */
export type Shape = (ms: number) => number

export interface SeriesOptions {
  durationMs: number
  /** Sampling interval (default 1 s, the sampler's default). */
  intervalMs?: number
  /** Gaussian noise, standard deviation as a share of the shape's value (default 0). */
  noise?: number
  seed?: number
  /** Time of the first point (default 1.7e12, an ordinary epoch ms). */
  t0?: number
}

/** Samples a shape at a fixed interval, with noise, rounded to whole bytes. */
export function synthesize(shape: Shape, options: SeriesOptions): Point[] {
  const interval = options.intervalMs ?? 1000
  const t0 = options.t0 ?? 1_700_000_000_000
  const normal = gaussian(seededRandom(options.seed ?? 1))
  const noise = options.noise ?? 0
  const out: Point[] = []
  for (let ms = 0; ms <= options.durationMs; ms += interval) {
    const v = shape(ms)
    out.push({ t: t0 + ms, v: Math.round(v * (1 + noise * normal())) })
  }
  return out
}

const MIN = 60_000

/** Flat at `level`. */
export const flat =
  (level: number): Shape =>
  () =>
    level

/** Linear growth of `percentPerMin` of `level` every minute. */
export const linearLeak =
  (level: number, percentPerMin: number): Shape =>
  (ms) =>
    level * (1 + (percentPerMin / 100) * (ms / MIN))

/**
 * Climbs `amplitude` bytes over each `periodMs`, then falls back to the trough at once; the
 * trough rises `troughPercentPerMin` of `level` a minute (0 = flat troughs, no leak).
 */
export const sawtooth =
  (level: number, amplitude: number, periodMs: number, troughPercentPerMin = 0): Shape =>
  (ms) =>
    level * (1 + (troughPercentPerMin / 100) * (ms / MIN)) +
    amplitude * ((ms % periodMs) / periodMs)

/** Flat, then one step of `stepBytes` at `atMs`, flat after. */
export const stepThenPlateau =
  (level: number, stepBytes: number, atMs: number): Shape =>
  (ms) =>
    ms < atMs ? level : level + stepBytes

/** Linear growth until `untilMs`, then exponential decay back to `level` with the half-life. */
export const growthThenRelease =
  (
    level: number,
    percentPerMin: number,
    untilMs: number,
    halfLifeMs: number,
    keptShare = 0
  ): Shape =>
  (ms) => {
    const grown = level * (percentPerMin / 100) * (Math.min(ms, untilMs) / MIN)
    if (ms <= untilMs) return level + grown
    const kept = grown * keptShare
    return level + kept + (grown - kept) * Math.pow(0.5, (ms - untilMs) / halfLifeMs)
  }

/** Warm-up: rises `bytes` towards a plateau with time constant `tauMs`, plus `next` after. */
export const warmup =
  (bytes: number, tauMs: number, next: Shape): Shape =>
  (ms) =>
    next(ms) + bytes * (1 - Math.exp(-ms / tauMs))
