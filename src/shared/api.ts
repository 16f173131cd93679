/**
 * The one API between the app's UI and its engine (STYLE.md §4): request/response calls
 * and `on…` event streams, each with a schema. Electron IPC and the web bridge are two
 * transports of this table; both validate every message against it, both ways.
 */
import { z } from 'zod'
import {
  AnalysisResultSchema,
  CompareResultSchema,
  CriterionResultSchema,
  LatencyBucketSchema,
  LatencyFileSchema,
  RunProgressSchema,
  RunResultSchema,
  RecordedSampleSchema,
  SampleSchema,
  ScenarioIdSchema,
  ScenarioInfoSchema,
  SessionEventSchema,
  SessionMetaSchema,
  SnapshotDiffSchema
} from './api-schemas'

/** A KalamDB (or, with --all, any) local process that listens on TCP. */
export const TargetSchema = z.object({
  pid: z.number().int(),
  /** Executable name (/proc/PID/comm). */
  name: z.string(),
  /** Full command line. */
  command: z.string(),
  /** TCP ports the process listens on. */
  listeningPorts: z.array(z.number().int()),
  /** True when a port answered GET /health like KalamDB. */
  isKalamDb: z.boolean(),
  /** The HTTP port (the one whose /health answered), when known. */
  httpPort: z.number().int().nullable(),
  baseUrl: z.string().nullable(),
  version: z.string().nullable(),
  rssBytes: z.number().nullable()
})
export type Target = z.infer<typeof TargetSchema>

/** The six views of the app, in menu and tab order. */
export const VIEWS = [
  'targets',
  'live',
  'scenarios',
  'investigation',
  'sessions',
  'export'
] as const
export type ViewName = (typeof VIEWS)[number]

export const AppInfoSchema = z.object({
  version: z.string(),
  /** Which transport carries this API: the renderer shows it, it never branches on it. */
  transport: z.enum(['electron', 'web']),
  platform: z.string(),
  /** Where new runs are recorded. */
  sessionsDir: z.string(),
  /** Every folder whose sessions are listed (the recording folder first). */
  sessionDirs: z.array(z.string()),
  /** What this front end can do; the UI hides what it cannot (never asks which transport). */
  capabilities: z.object({
    /** Credentials can be saved encrypted (Electron safeStorage). */
    saveCredentials: z.boolean(),
    /** Exports are written by the engine to a place the user picks (a save dialog). */
    saveDialog: z.boolean()
  })
})
export type AppInfo = z.infer<typeof AppInfoSchema>

/**
 * Credentials travel renderer → engine only. They stay in the engine's memory (or, when
 * asked, in Electron's safeStorage); no reply ever carries a password or token back.
 */
export const CredentialsSchema = z.union([
  z.object({ user: z.string().min(1), password: z.string() }).strict(),
  z.object({ token: z.string().min(1) }).strict()
])
export type CredentialsInput = z.infer<typeof CredentialsSchema>

/** What the profiler is attached to. Credentials are described, never returned. */
export const AttachmentSchema = z.object({
  pid: z.number().int().nullable(),
  url: z.string().nullable(),
  httpPort: z.number().int().nullable(),
  version: z.string().nullable(),
  /** The logged-in user, when a password login was used. */
  user: z.string().nullable(),
  auth: z.enum(['password', 'token', 'none']),
  /** Credentials for this URL are stored encrypted on this machine. */
  credentialsSaved: z.boolean(),
  /** The built-in simulator, started from the app. */
  simulator: z.boolean(),
  attachedAt: z.number(),
  /** Why the server side is not watched, when it is not (e.g. no credentials). */
  note: z.string().nullable()
})
export type Attachment = z.infer<typeof AttachmentSchema>

export const SimulatorInfoSchema = z.object({ url: z.string(), pid: z.number().int() })
export type SimulatorInfo = z.infer<typeof SimulatorInfoSchema>

/** Live sampling while attached and no scenario runs. */
export const LiveSettingsSchema = z.object({
  /** Sample interval, ms (100 ms … 60 s). */
  intervalMs: z.number().int().min(100).max(60_000),
  /** Poll the server's system.stats (every 5 s; it blocks KalamDB's idle memory trim). */
  pollServer: z.boolean()
})
export type LiveSettings = z.infer<typeof LiveSettingsSchema>

export const RunStateSchema = z.object({
  scenario: ScenarioIdSchema,
  quick: z.boolean(),
  startedAt: z.number(),
  state: z.enum(['running', 'stopping']),
  progress: RunProgressSchema.nullable()
})
export type RunState = z.infer<typeof RunStateSchema>

/** Everything a (re)loaded UI needs to pick up where the engine is. */
export const AppStateSchema = z.object({
  attachment: AttachmentSchema.nullable(),
  simulator: SimulatorInfoSchema.nullable(),
  run: RunStateSchema.nullable(),
  /** The last finished run, so a reloaded UI still shows its verdict. */
  lastRun: RunResultSchema.nullable(),
  live: LiveSettingsSchema.extend({ sampling: z.boolean() })
})
export type AppState = z.infer<typeof AppStateSchema>

/** A recorded session as the Sessions view lists it. `dir` is also its id. */
export const SessionSummarySchema = z.object({
  dir: z.string(),
  name: z.string(),
  scenario: z.string(),
  status: z.string(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  target: z.object({
    pid: z.number().nullable(),
    url: z.string().nullable(),
    version: z.string().nullable()
  }),
  criteriaPassed: z.number().int(),
  criteriaFailed: z.number().int(),
  criteriaUnmeasured: z.number().int()
})
export type SessionSummary = z.infer<typeof SessionSummarySchema>

/**
 * A bench result saved by `kalam-profiler bench --save`, as the Sessions view lists it.
 * `path` is also its id: `bench:compare` takes it, and reads it only when it lies in a
 * bench history folder.
 */
export const BenchSummarySchema = z.object({
  path: z.string(),
  /** The path as shown: "<history folder>/<version>[+<build>]/<date>-<time>.json". */
  label: z.string(),
  /** The history folder it was found in. */
  dir: z.string(),
  /** KalamDB version and build (git commit, else build date) as the server reported them. */
  version: z.string().nullable(),
  build: z.string().nullable(),
  url: z.string().nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  /** `bench --quick`: few samples, noisier figures. */
  quick: z.boolean(),
  /** Benchmarks run, and how many of them failed. */
  benchmarks: z.number().int(),
  failed: z.number().int(),
  /** The seed's Performance Targets met and missed. */
  targetsPassed: z.number().int(),
  targetsFailed: z.number().int()
})
export type BenchSummary = z.infer<typeof BenchSummarySchema>

/** The bench history folders, the results in them (newest first) and the files that are not. */
export const BenchListSchema = z.object({
  dirs: z.array(z.string()),
  results: z.array(BenchSummarySchema),
  unreadable: z.array(z.object({ path: z.string(), reason: z.string() }))
})
export type BenchList = z.infer<typeof BenchListSchema>

/**
 * A snapshot as lists show it. `id` is what `snapshots:diff` takes: live ones are
 * `live:<n>`, recorded ones `<session dir>#<name>`.
 */
export const SnapshotSummarySchema = z.object({
  id: z.string(),
  t: z.number(),
  pid: z.number(),
  label: z.string().nullable(),
  rssBytes: z.number()
})
export type SnapshotSummary = z.infer<typeof SnapshotSummarySchema>

/** A session opened in full: what the charts and tables of the UI need. */
export const SessionViewSchema = z.object({
  summary: SessionSummarySchema,
  meta: SessionMetaSchema,
  /**
   * The samples to draw: all of them up to 20,000, past that each span of time's highest and
   * lowest RSS (main/session/envelope.ts). The analysis reads every sample from disk.
   */
  samples: z.array(RecordedSampleSchema),
  /** Samples in the recording (more than `samples` holds when it was thinned). */
  sampleCount: z.number().int().nonnegative(),
  events: z.array(SessionEventSchema),
  latency: LatencyFileSchema.nullable(),
  /**
   * latency.json's histograms as a few log-spaced bars per operation (ms), for the
   * Investigation view's histogram. Absent from engines older than it, or without histograms.
   */
  latencyHistograms: z.record(z.string(), z.array(LatencyBucketSchema)).optional(),
  verdicts: z.array(CriterionResultSchema).nullable(),
  snapshots: z.array(SnapshotSummarySchema),
  skippedLines: z.number().int()
})
export type SessionView = z.infer<typeof SessionViewSchema>

export const EXPORT_FORMATS = ['md', 'html', 'json', 'csv', 'junit', 'pdf'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/**
 * Where an export went: written by the engine where the user chose, cancelled, or handed
 * to the UI to download (a browser cannot be given a path; base64 keeps PDF bytes intact).
 */
export const ExportResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('saved'), path: z.string(), bytes: z.number() }),
  z.object({ kind: z.literal('cancelled') }),
  z.object({
    kind: z.literal('download'),
    filename: z.string(),
    mimeType: z.string(),
    base64: z.string()
  })
])
export type ExportResult = z.infer<typeof ExportResultSchema>

const empty = z.object({}).strict()
const sessionRef = z.object({ dir: z.string().min(1) }).strict()
const done = z.object({}).strict()

/** Request/response calls, `domain:action` names (k6-studio style). */
export const apiCalls = {
  'app:info': { request: empty, response: AppInfoSchema },
  'app:state': { request: empty, response: AppStateSchema },
  'targets:list': {
    request: z.object({ all: z.boolean().optional() }).strict(),
    response: z.array(TargetSchema)
  },
  /** Attach by pid, by URL, or both; a URL without a pid finds the process listening on it. */
  'target:attach': {
    request: z
      .object({
        pid: z.number().int().positive().optional(),
        url: z.url({ protocol: /^https?$/ }).optional(),
        credentials: CredentialsSchema.optional(),
        /** Use credentials saved earlier for this URL. */
        useSaved: z.boolean().optional(),
        /** Save the credentials encrypted (where the capability exists). */
        remember: z.boolean().optional(),
        /** Run the server's initial setup with these credentials when it needs it. */
        setup: z.boolean().optional()
      })
      .strict()
      .refine((r) => r.pid !== undefined || r.url !== undefined, 'give a pid or a URL'),
    response: AttachmentSchema
  },
  'target:detach': { request: empty, response: done },
  'target:forget-credentials': {
    request: z.object({ url: z.string().min(1) }).strict(),
    response: done
  },
  'live:configure': {
    request: LiveSettingsSchema.partial().strict(),
    response: LiveSettingsSchema
  },
  /** What the live stream carried so far (up to one hour), so a reloaded UI redraws. */
  'live:history': {
    request: empty,
    response: z.object({ samples: z.array(SampleSchema), events: z.array(SessionEventSchema) })
  },
  /** Starts the built-in simulator as its own process and attaches to it. */
  'sim:start': {
    request: empty,
    response: z.object({ simulator: SimulatorInfoSchema, attachment: AttachmentSchema })
  },
  'sim:stop': { request: empty, response: done },
  'scenarios:list': { request: empty, response: z.array(ScenarioInfoSchema) },
  /** Starts a run on the attached target; progress and verdicts arrive as events. */
  'scenario:start': {
    request: z
      .object({
        scenario: ScenarioIdSchema,
        quick: z.boolean(),
        overrides: z.record(z.string(), z.union([z.number(), z.boolean()])).optional()
      })
      .strict(),
    response: RunStateSchema
  },
  'scenario:stop': { request: empty, response: done },
  'snapshot:take': {
    request: z.object({ label: z.string().max(200).optional() }).strict(),
    response: SnapshotSummarySchema
  },
  /** Live snapshots and those of the given session, oldest first. */
  'snapshots:list': {
    request: z.object({ dir: z.string().optional() }).strict(),
    response: z.array(SnapshotSummarySchema)
  },
  'snapshots:diff': {
    request: z.object({ before: z.string().min(1), after: z.string().min(1) }).strict(),
    response: SnapshotDiffSchema
  },
  'sessions:list': { request: empty, response: z.array(SessionSummarySchema) },
  'session:open': { request: sessionRef, response: SessionViewSchema },
  'session:delete': { request: sessionRef, response: done },
  'session:analyze': { request: sessionRef, response: AnalysisResultSchema },
  /** Two sessions of one scenario with a significance call per metric (A = reference). */
  'sessions:compare': {
    request: z.object({ a: z.string().min(1), b: z.string().min(1) }).strict(),
    response: CompareResultSchema
  },
  /** Saved bench results in the bench history folder(s) (`bench --save`). */
  'bench:list': { request: empty, response: BenchListSchema },
  /** Two saved bench results (paths from `bench:list`; A = reference): `compare --json`. */
  'bench:compare': {
    request: z.object({ a: z.string().min(1), b: z.string().min(1) }).strict(),
    response: CompareResultSchema
  },
  'session:export': {
    request: z.object({ dir: z.string().min(1), format: z.enum(EXPORT_FORMATS) }).strict(),
    response: ExportResultSchema
  }
} as const

/** The verdict of a finished run (or why it could not finish). */
export const RunFinishedSchema = z.object({
  scenario: ScenarioIdSchema,
  result: RunResultSchema.nullable(),
  /** Set when the run could not run or broke (one line). */
  error: z.object({ code: z.string(), message: z.string() }).nullable()
})
export type RunFinished = z.infer<typeof RunFinishedSchema>

/** Event streams pushed by the engine; payloads are batched where they are frequent. */
export const apiEvents = {
  /** Emitted once when the engine is ready; lets a UI show it is connected. */
  onReady: z.object({ t: z.number() }),
  /** Attachment, simulator or run changed. */
  onState: AppStateSchema,
  /** Samples of the attached target, batched about every 250 ms (live or from a run). */
  onSamples: z.object({ samples: z.array(SampleSchema) }),
  /** Session events (phases, counters, flushes, errors …), batched with the samples. */
  onEvents: z.object({ events: z.array(SessionEventSchema) }),
  /** Progress of the running scenario, about once a second. */
  onRunProgress: RunProgressSchema,
  /** A run ended: its verdicts, or why it did not finish. */
  onVerdicts: RunFinishedSchema,
  /** The attached process exited. */
  onTargetCrashed: z.object({ pid: z.number(), t: z.number(), message: z.string() }),
  /** The application menu asked for a view (Electron). */
  onNavigate: z.object({ view: z.enum(VIEWS) })
} as const

/** Electron IPC channels of the API (the web bridge has its own message kinds). */
export const IPC_CHANNELS = {
  /** invoke(name, payload) → CallResult. */
  call: 'api:call',
  /** Sent once by the preload when the page can receive events. */
  ready: 'api:ready',
  /** main → page: (name, payload). */
  event: 'api:event'
} as const

export type CallName = keyof typeof apiCalls
export type EventName = keyof typeof apiEvents
export type CallRequest<N extends CallName> = z.input<(typeof apiCalls)[N]['request']>
export type CallResponse<N extends CallName> = z.output<(typeof apiCalls)[N]['response']>
export type EventPayload<N extends EventName> = z.output<(typeof apiEvents)[N]>

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(apiCalls, name)
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(apiEvents, name)
}

/** What a call returns over any transport: errors cross as data, never as stacks. */
export const CallResultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() })
  })
])
export type CallResult = z.infer<typeof CallResultSchema>
