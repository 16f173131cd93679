/**
 * Schemas of the data the API carries (samples, events, runs, sessions, analysis,
 * snapshots). Each is checked against the TypeScript contract it validates, so a schema
 * cannot drift from `sample.ts`, `session.ts`, `run.ts`, `analysis.ts` or `snapshot.ts`.
 *
 * Records use loose objects: a field another module adds later passes through instead of
 * being stripped, while every field the UI relies on is checked. Units: bytes, ms, percent.
 */
import { z } from 'zod'
import type { AnalysisResult, LatencyBucket } from './analysis'
import { ATTRIBUTION_PERS } from './analysis'
import type { CompareResult } from './compare'
import type { RunProgress, RunResult, ScenarioInfo } from './run'
import { SCENARIO_IDS } from './run'
import type { RecordedSample, Sample } from './sample'
import type { CriterionResult, LatencyFile, SessionEvent, SessionMeta } from './session'
import { SESSION_STATUSES } from './session'
import type { MemorySnapshot, SnapshotDiff } from './snapshot'
import { MAPPING_KINDS } from './snapshot'

const num = z.number()
const nnum = z.number().nullable()

/** A Sample (DESIGN.md "Sample"). */
export const SampleSchema: z.ZodType<Sample> = z.looseObject({
  t: num,
  pid: z.number().int(),
  rssBytes: num,
  pssBytes: nnum,
  ussBytes: nnum,
  heapBytes: num,
  fileMappedBytes: num,
  stackBytes: num,
  swapBytes: num,
  cpuPercent: nnum,
  cpuUserPercent: nnum,
  cpuSystemPercent: nnum,
  threads: num,
  fds: num,
  tcpConnections: num,
  portConnections: nnum,
  wsConnections: nnum,
  server: z.looseObject({ polledAt: num }).optional()
})

const figure = nnum.optional()

/** A sample read back from a session (RecordedSample): only its time and RSS are certain. */
export const RecordedSampleSchema: z.ZodType<RecordedSample> = z.looseObject({
  t: num,
  rssBytes: num,
  pid: figure,
  pssBytes: figure,
  ussBytes: figure,
  heapBytes: figure,
  fileMappedBytes: figure,
  stackBytes: figure,
  swapBytes: figure,
  cpuPercent: figure,
  cpuUserPercent: figure,
  cpuSystemPercent: figure,
  threads: figure,
  fds: figure,
  tcpConnections: figure,
  portConnections: figure,
  socketsAt: figure,
  wsConnections: figure,
  server: z.looseObject({ polledAt: num }).optional()
})

/** A criterion judged (or not yet measurable: pass null). */
const criterionShape = {
  name: z.string(),
  threshold: z.string(),
  measured: nnum,
  unit: z.enum(['percent', 'bytes', 'ms', 'count', 'per-sec', 'ratio']),
  pass: z.boolean().nullable(),
  reason: z.string().optional()
}

export const CriterionResultSchema: z.ZodType<CriterionResult> = z.looseObject(criterionShape)

const counters = {
  inserts: num,
  requests: num,
  rateLimited: num,
  unavailable: num,
  errors: num,
  subscriptionsOpen: num,
  subscriptionsOpened: num,
  subscriptionsClosed: num,
  connectionsOpen: num,
  connectionsOpened: num,
  connectionsClosed: num,
  notifications: num,
  droppedNotifications: num,
  disconnects: num,
  flushedRows: num,
  queries: num
}

/** The event types SessionEventSchema knows, each with its shape. */
export const SESSION_EVENT_TYPES = [
  'phase',
  'counters',
  'error',
  'disconnect',
  'flush',
  'crash',
  'marker',
  'snapshot',
  'verdict',
  'rate',
  'warning'
] as const satisfies readonly SessionEvent['type'][]

/** One line of events.ndjson. An event of a type not listed here does not cross the API. */
export const SessionEventSchema: z.ZodType<SessionEvent> = z.discriminatedUnion('type', [
  z.looseObject({
    t: num,
    type: z.literal('phase'),
    phase: z.string(),
    durationMs: num.optional()
  }),
  z.looseObject({ t: num, type: z.literal('counters'), ...counters }),
  z.looseObject({
    t: num,
    type: z.literal('error'),
    source: z.string(),
    code: z.string(),
    message: z.string(),
    httpStatus: num.optional(),
    count: num.optional()
  }),
  z.looseObject({
    t: num,
    type: z.literal('disconnect'),
    connection: z.string(),
    code: num,
    reason: z.string(),
    expected: z.boolean()
  }),
  z.looseObject({
    t: num,
    type: z.literal('flush'),
    table: z.string(),
    jobId: z.string().nullable(),
    status: z.enum(['completed', 'failed', 'skipped', 'timeout', 'cancelled']),
    durationMs: num,
    rows: nnum,
    message: z.string().optional()
  }),
  z.looseObject({
    t: num,
    type: z.literal('crash'),
    pid: num,
    exitedAt: num,
    message: z.string()
  }),
  z.looseObject({ t: num, type: z.literal('marker'), label: z.string() }),
  z.looseObject({ t: num, type: z.literal('snapshot'), file: z.string(), label: z.string() }),
  z.looseObject({ ...criterionShape, t: num, type: z.literal('verdict') }),
  z.looseObject({ t: num, type: z.literal('rate'), targetPerSec: num }),
  z.looseObject({ t: num, type: z.literal('warning'), message: z.string() })
])

export const ScenarioIdSchema = z.enum(SCENARIO_IDS)

/** A scenario as the Scenarios view shows it. */
export const ScenarioInfoSchema: z.ZodType<ScenarioInfo> = z.looseObject({
  id: ScenarioIdSchema,
  seed: z.string(),
  title: z.string(),
  checks: z.string(),
  criteria: z.array(z.string()),
  parameters: z.array(
    z.looseObject({
      name: z.string(),
      label: z.string(),
      kind: z.enum(['count', 'rate', 'duration', 'bytes', 'ratio', 'percent', 'ms', 'boolean']),
      default: z.union([num, z.boolean()]),
      quick: z.union([num, z.boolean()]).optional(),
      min: num.optional(),
      max: num.optional()
    })
  )
})

export const RunProgressSchema: z.ZodType<RunProgress> = z.looseObject({
  t: num,
  scenario: ScenarioIdSchema,
  phase: z.string(),
  elapsedMs: num,
  totalMs: num,
  achievedRatePerSec: num,
  targetRatePerSec: nnum,
  rssBytes: nnum,
  inserts: num,
  errors: num,
  rateLimited: num,
  notifications: num,
  droppedNotifications: num,
  disconnects: num,
  criteria: z.array(CriterionResultSchema),
  latency: z
    .record(z.string(), z.looseObject({ count: num, p50Ms: num, p95Ms: num, p99Ms: num }))
    .optional()
})

export const RunResultSchema: z.ZodType<RunResult> = z.looseObject({
  dir: z.string(),
  scenario: ScenarioIdSchema,
  status: z.enum(SESSION_STATUSES),
  verdicts: z.array(CriterionResultSchema),
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(2)])
})

/** session.json as read back (only the first six fields are guaranteed). */
export const SessionMetaSchema: z.ZodType<SessionMeta> = z.looseObject({
  schemaVersion: z.literal(1),
  scenario: z.string(),
  target: z.looseObject({
    pid: z.number().nullable(),
    url: z.string().optional(),
    version: z.string().optional()
  }),
  startedAt: num,
  endedAt: nnum,
  status: z.string(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  endReason: z.string().optional()
})

const LatencySummarySchema = z.looseObject({
  count: num,
  minUs: num,
  maxUs: num,
  meanUs: num,
  p50Us: num,
  p90Us: num,
  p95Us: num,
  p99Us: num,
  p999Us: num,
  histogram: z.string().optional()
})

export const LatencyFileSchema: z.ZodType<LatencyFile> = z.looseObject({
  schemaVersion: z.literal(1),
  unit: z.literal('us'),
  operations: z.record(z.string(), LatencySummarySchema)
})

/** A bar of a latency histogram, bucketed by the engine (the UI never decodes HdrHistograms). */
export const LatencyBucketSchema: z.ZodType<LatencyBucket> = z.looseObject({
  fromMs: num,
  toMs: num,
  count: num
})

const MemoryFiguresSchema = z.looseObject({
  mappings: num,
  sizeBytes: num,
  rssBytes: num,
  pssBytes: num,
  privateDirtyBytes: num,
  swapBytes: num
})
const MappingKindSchema = z.enum(MAPPING_KINDS)
const DataLabelSchema = z.enum(['rocksdb-sst', 'rocksdb-other', 'parquet', 'other'])

export const MemorySnapshotSchema: z.ZodType<MemorySnapshot> = z.looseObject({
  schemaVersion: z.literal(1),
  t: num,
  pid: num,
  label: z.string().optional(),
  tookMs: num,
  dataDir: z.string().nullable(),
  totals: MemoryFiguresSchema,
  byKind: z.record(MappingKindSchema, MemoryFiguresSchema),
  groups: z.array(
    MemoryFiguresSchema.extend({
      key: z.string(),
      kind: MappingKindSchema,
      dataLabel: DataLabelSchema.optional(),
      deleted: z.boolean().optional()
    })
  )
})

export const SnapshotDiffSchema: z.ZodType<SnapshotDiff> = z.looseObject({
  beforeT: num,
  afterT: num,
  totalDeltaRssBytes: num,
  byKind: z.record(MappingKindSchema, z.object({ deltaRssBytes: num, deltaPercent: nnum })),
  rows: z.array(
    z.looseObject({
      key: z.string(),
      kind: MappingKindSchema,
      dataLabel: DataLabelSchema.optional(),
      beforeRssBytes: num,
      afterRssBytes: num,
      deltaRssBytes: num,
      deltaPercent: nnum,
      deltaPssBytes: num,
      deltaPrivateDirtyBytes: num,
      deltaSwapBytes: num,
      status: z.enum(['grew', 'shrank', 'new', 'gone', 'same'])
    })
  )
})

const pair = z.tuple([num, num])
const MetricAnalysisSchema = z.looseObject({
  verdict: z.enum(['leak', 'stable', 'inconclusive']),
  reason: z.string(),
  baselineBytes: num,
  finalBytes: num,
  growthPercent: num,
  slopeBytesPerMin: num,
  slopeCi95: pair,
  releasedPercent: nnum,
  releaseHalfLifeSec: nnum.optional(),
  samplesUsed: num.optional(),
  window: z.object({ from: num, to: num }).optional(),
  sawtooth: z.boolean().optional(),
  reasonCode: z.string().optional(),
  lateSlopeBytesPerMin: nnum.optional(),
  leakMarginBytesPerMin: num.optional(),
  bytesPerMemtableByte: nnum.optional()
})

/** The analysis of a session (DESIGN.md "`analyze --json`"). */
export const AnalysisResultSchema: z.ZodType<AnalysisResult> = z.looseObject({
  schemaVersion: z.literal(1),
  status: z.enum(['passed', 'failed', 'target-crashed', 'interrupted', 'no-criteria']),
  metrics: z.partialRecord(
    z.enum([
      'rssBytes',
      'heapBytes',
      'fileMappedBytes',
      'stackBytes',
      'pssBytes',
      'ussBytes',
      'swapBytes'
    ]),
    MetricAnalysisSchema
  ),
  attribution: z.array(
    z.looseObject({
      metric: z.string(),
      per: z.enum(ATTRIBUTION_PERS),
      bytesPerUnit: num,
      ci95: pair,
      r2: num,
      beforeFlush: z.boolean().optional(),
      troughs: num.optional()
    })
  ),
  criteria: z.array(CriterionResultSchema),
  findings: z.array(
    z.looseObject({
      severity: z.enum(['problem', 'warning', 'info']),
      text: z.string(),
      metric: z.string().optional()
    })
  ),
  connections: z
    .looseObject({
      expected: nnum,
      sockets: nnum,
      serverReported: nnum,
      stale: z.boolean()
    })
    .optional(),
  latency: z
    .record(
      z.string(),
      z.looseObject({ count: num, p50Ms: num, p95Ms: num, p99Ms: num, maxMs: num })
    )
    .optional(),
  cpu: z.object({ averagePercent: num, peakPercent: num }).nullable().optional(),
  snapshotDiff: SnapshotDiffSchema.nullable().optional(),
  durationMs: num.optional(),
  sampleCount: num.optional()
})

const CompareSideSchema = z.looseObject({
  label: z.string(),
  kind: z.enum(['session', 'bench']),
  scenario: z.string().optional(),
  version: z.string().nullable().optional(),
  buildDate: z.string().nullable().optional(),
  startedAt: num,
  quick: z.boolean().optional()
})
const direction = z.enum(['worse', 'better', 'same'])

/** Two runs side by side with a significance call per metric (src/shared/compare.ts). */
export const CompareResultSchema: z.ZodType<CompareResult> = z.looseObject({
  schemaVersion: z.literal(1),
  kind: z.enum(['sessions', 'bench']),
  verdict: z.enum(['regression', 'improvement', 'no-significant-difference']),
  summary: z.string(),
  a: CompareSideSchema,
  b: CompareSideSchema,
  settings: z.looseObject({ alpha: num, noise: num, memoryNoise: num }),
  metrics: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      group: z.enum(['memory', 'release', 'latency', 'throughput', 'cpu', 'criteria', 'benchmark']),
      unit: z.enum([
        'ms',
        'rows/s',
        'bytes/row',
        'bytes',
        'bytes/min',
        'percent',
        'count',
        'per-sec',
        'ratio'
      ]),
      better: z.enum(['lower', 'higher']),
      a: nnum,
      b: nnum,
      a95: pair.nullable().optional(),
      b95: pair.nullable().optional(),
      change: nnum,
      changeCi95: pair.nullable().optional(),
      delta: nnum,
      pValue: nnum.optional(),
      test: z.string(),
      significant: z.boolean(),
      direction,
      reason: z.string(),
      counts: z.boolean().optional(),
      contextDirection: direction.optional()
    })
  ),
  notes: z.array(z.string())
})
