/**
 * Factories for compare's tests (STYLE.md §23): a full, plausible object from a few
 * numbers, with seeded noise so every run of a test sees the same data.
 */
import type { BenchFigure, BenchResult, BenchmarkId } from '../../../shared/bench'
import type { Sample } from '../../../shared/sample'
import type { CriterionResult, SessionData, SessionEvent } from '../../../shared/session'
import { LatencyRecorder } from '../../workload/latency'
import { createCounters } from '../../workload/counters'
import { seededRandom } from '../../analysis/stats'
import { summarizeSamples, type Rng } from '../stats'

export function normal(rng: Rng, mu = 0, sigma = 1): number {
  const u = 1 - rng()
  const v = rng()
  return mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/** Log-normal latencies (ms) around a median. */
export function latencySamples(seed: number, n: number, medianMs: number, spread = 0.25): number[] {
  const rng = seededRandom(seed)
  return Array.from({ length: n }, () => medianMs * Math.exp(normal(rng, 0, spread)))
}

export function figure(
  id: string,
  samples: number[],
  over: Partial<BenchFigure> = {}
): BenchFigure {
  const unit = over.unit ?? 'ms'
  return {
    id,
    benchmark: (over.benchmark ?? id.split('.')[0]) as BenchmarkId,
    label: over.label ?? id,
    unit,
    better: over.better ?? (unit === 'ms' ? 'lower' : 'higher'),
    sampleOf: 'one operation',
    samples,
    stats: summarizeSamples(samples),
    ...over
  }
}

/** A bench result whose latency figures centre on `medianMs` and throughput on `rate`. */
export function benchResult(
  seed: number,
  opts: { medianMs?: number; rate?: number; n?: number; quick?: boolean; version?: string } = {}
): BenchResult {
  const n = opts.n ?? 60
  const med = opts.medianMs ?? 1
  const rate = opts.rate ?? 1000
  const rng = seededRandom(seed * 7919)
  const rates = Array.from({ length: 10 }, () => rate * (1 + normal(rng, 0, 0.03)))
  const figs: BenchFigure[] = [
    figure('write-latency', latencySamples(seed, n, med), { label: 'write latency' }),
    figure('read-latency', latencySamples(seed + 1, n, med * 0.8), { label: 'read latency' }),
    figure('sustained-write.throughput', rates, {
      benchmark: 'sustained-write',
      label: 'sustained write throughput',
      unit: 'rows/s'
    })
  ]
  return {
    schemaVersion: 1,
    kind: 'kalam-profiler-bench',
    startedAt: 1_700_000_000_000 + seed,
    endedAt: 1_700_000_010_000 + seed,
    quick: opts.quick ?? true,
    target: {
      url: 'http://127.0.0.1:8080',
      version: opts.version ?? '0.4.3-rc.4',
      buildDate: null
    },
    machine: { os: 'Linux', arch: 'x64', cpuCores: 2, totalMemoryBytes: 4 * 1024 ** 3 },
    profilerVersion: '0.1.0',
    limits: null,
    workloadUsers: 0,
    benchmarks: [
      {
        id: 'write-latency',
        title: 'Single write latency',
        status: 'ok',
        warmup: { operations: 10, ms: 20 },
        durationMs: 100,
        figures: [figs[0]!],
        notes: []
      },
      {
        id: 'read-latency',
        title: 'Single read latency',
        status: 'ok',
        warmup: { operations: 10, ms: 20 },
        durationMs: 100,
        figures: [figs[1]!],
        notes: []
      },
      {
        id: 'sustained-write',
        title: 'Sustained writes',
        status: 'ok',
        warmup: { operations: 0, ms: 0 },
        durationMs: 10_000,
        figures: [figs[2]!],
        notes: []
      }
    ],
    targets: [
      {
        benchmark: 'write-latency',
        name: 'Write latency',
        threshold: 'p95 < 1 ms',
        measured: figs[0]!.stats.p95,
        unit: 'ms',
        pass: figs[0]!.stats.p95 < 1,
        reason: ''
      }
    ],
    notes: []
  }
}

export interface SessionSpec {
  seed: number
  scenario?: string
  /** Seconds of baseline (no load) then load. */
  baselineS?: number
  loadS?: number
  baseBytes?: number
  /** Memory growth during load, bytes per second. */
  leakBytesPerSec?: number
  /** Per-sample memory noise (σ, bytes). */
  noiseBytes?: number
  insertRate?: number
  insertLatencyMs?: number
  cpu?: number
  parameters?: Record<string, unknown>
  verdicts?: CriterionResult[]
}

/** A recorded session at 1 Hz: baseline, then load with optional steady growth. */
export function session(spec: SessionSpec): SessionData {
  const rng = seededRandom(spec.seed)
  const t0 = 1_700_000_000_000
  const baseS = spec.baselineS ?? 5
  const loadS = spec.loadS ?? 60
  const base = spec.baseBytes ?? 100 * 1024 * 1024
  const noise = spec.noiseBytes ?? 200 * 1024
  const leak = spec.leakBytesPerSec ?? 0
  const rate = spec.insertRate ?? 200
  const samples: Sample[] = []
  const events: SessionEvent[] = [
    { t: t0, type: 'phase', phase: 'baseline' },
    { t: t0 + baseS * 1000, type: 'phase', phase: 'load' },
    { t: t0 + (baseS + loadS) * 1000, type: 'phase', phase: 'teardown' }
  ]
  const counters = createCounters()
  for (let s = 0; s <= baseS + loadS; s++) {
    const inLoad = s > baseS
    const grown = inLoad ? leak * (s - baseS) : 0
    const rss = Math.round(base + grown + normal(rng, 0, noise))
    samples.push({
      t: t0 + s * 1000,
      pid: 4242,
      rssBytes: rss,
      pssBytes: null,
      ussBytes: null,
      heapBytes: Math.round(rss * 0.7),
      fileMappedBytes: Math.round(base * 0.3),
      stackBytes: 132 * 1024,
      swapBytes: 0,
      cpuPercent: s === 0 ? null : Math.max(0, normal(rng, inLoad ? (spec.cpu ?? 30) : 2, 3)),
      cpuUserPercent: null,
      cpuSystemPercent: null,
      threads: 12,
      fds: 40,
      tcpConnections: 10,
      portConnections: 10,
      wsConnections: null
    })
    if (inLoad) {
      counters.inserts += Math.round(rate * (1 + normal(rng, 0, 0.02)))
      counters.requests = counters.inserts
    }
    events.push({ t: t0 + s * 1000 + 1, type: 'counters', ...counters })
  }
  const latency = new LatencyRecorder()
  const lrng = seededRandom(spec.seed + 99)
  for (let i = 0; i < 2000; i++) {
    latency.recordMs('insert', (spec.insertLatencyMs ?? 1) * Math.exp(normal(lrng, 0, 0.3)))
  }
  const file = latency.toFile()
  latency.destroy()
  return {
    dir: `/sessions/${spec.seed}`,
    meta: {
      schemaVersion: 1,
      scenario: spec.scenario ?? 'memory-stability',
      target: { pid: 4242, url: 'http://127.0.0.1:8080', version: '0.4.3-rc.4' },
      startedAt: t0,
      endedAt: t0 + (baseS + loadS) * 1000,
      status: 'passed',
      parameters: spec.parameters ?? { writers: 10, ratePerSec: rate }
    },
    samples,
    events,
    latency: file,
    verdicts: spec.verdicts ?? null,
    snapshots: [],
    skippedLines: 0
  }
}

/**
 * A latency file where a share `quick` of inserts took the usual ~1 ms and the rest waited
 * behind a stall (~40 ms): what a run on a machine that stalled looks like.
 */
export function mixedLatency(seed: number, quick: number): SessionData['latency'] {
  const rng = seededRandom(seed)
  const rec = new LatencyRecorder()
  for (let i = 0; i < 2000; i++) {
    const ms = rng() < quick ? 1 : 40
    rec.recordMs('insert', ms * Math.exp(normal(rng, 0, 0.3)))
  }
  const file = rec.toFile()
  rec.destroy()
  return file
}
