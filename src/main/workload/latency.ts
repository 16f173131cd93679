/**
 * Latency per operation in HdrHistograms (hdr-histogram-js), recorded in µs. Values are
 * clamped into the trackable range rather than dropped: a 2-minute stall is still a
 * latency, and losing it would hide exactly what a stress test looks for.
 */
import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js'
import type { LatencyFile, LatencySummary } from '../../shared/session'

/** 1 µs … 1 h, 3 significant digits: a few tens of KiB per histogram. */
const LOWEST_US = 1
const HIGHEST_US = 3_600_000_000
const SIGNIFICANT_DIGITS = 3

export function createHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    bitBucketSize: 32,
    useWebAssembly: false
  })
}

export function clampUs(us: number): number {
  if (!Number.isFinite(us) || us < LOWEST_US) return LOWEST_US
  return Math.min(Math.round(us), HIGHEST_US)
}

/** One histogram per operation name ('insert', 'query', 'notification', 'flush' …). */
export class LatencyRecorder {
  private readonly histograms = new Map<string, Histogram>()

  record(operation: string, us: number): void {
    let h = this.histograms.get(operation)
    if (!h) {
      h = createHistogram()
      this.histograms.set(operation, h)
    }
    h.recordValue(clampUs(us))
  }

  recordMs(operation: string, ms: number): void {
    this.record(operation, ms * 1000)
  }

  histogram(operation: string): Histogram | undefined {
    return this.histograms.get(operation)
  }

  count(operation: string): number {
    return this.histograms.get(operation)?.totalCount ?? 0
  }

  /** Value at a percentile (0–100) in µs; null when nothing was recorded. */
  percentileUs(operation: string, percentile: number): number | null {
    const h = this.histograms.get(operation)
    if (!h || h.totalCount === 0) return null
    return h.getValueAtPercentile(percentile)
  }

  summary(operation: string, withHistogram = false): LatencySummary | null {
    const h = this.histograms.get(operation)
    return h && h.totalCount > 0 ? summarize(h, withHistogram) : null
  }

  toFile(): LatencyFile {
    const operations: LatencyFile['operations'] = {}
    for (const [name, h] of [...this.histograms].sort(([a], [b]) => a.localeCompare(b))) {
      if (h.totalCount > 0) operations[name] = summarize(h, true)
    }
    return { schemaVersion: 1, unit: 'us', operations }
  }

  destroy(): void {
    for (const h of this.histograms.values()) h.destroy()
    this.histograms.clear()
  }
}

export function summarize(h: Histogram, withHistogram: boolean): LatencySummary {
  const s: LatencySummary = {
    count: h.totalCount,
    minUs: h.minNonZeroValue,
    maxUs: h.maxValue,
    meanUs: Math.round(h.mean * 10) / 10,
    p50Us: h.getValueAtPercentile(50),
    p90Us: h.getValueAtPercentile(90),
    p95Us: h.getValueAtPercentile(95),
    p99Us: h.getValueAtPercentile(99),
    p999Us: h.getValueAtPercentile(99.9)
  }
  if (withHistogram) s.histogram = encodeIntoCompressedBase64(h)
  return s
}
