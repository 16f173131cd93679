/**
 * The engine services the app front ends drive, as one injectable interface: handlers
 * take an Engine, tests pass a fake one, and `defaultEngine()` wires the real modules.
 * Signatures follow the services' own contracts (target/, sampler/, scenarios/, session/,
 * analysis/, report/).
 */
import type { AnalysisResult } from '../../shared/analysis'
import type { Target } from '../../shared/api'
import { ProfilerError } from '../../shared/errors'
import type { RunProgress, RunResult, ScenarioId, ScenarioInfo } from '../../shared/run'
import type { Sample } from '../../shared/sample'
import type { SessionData, SessionEvent } from '../../shared/session'
import type { MemorySnapshot, SnapshotDiff } from '../../shared/snapshot'
import { analyzeSession } from '../analysis'
import type { RunningSampler, SamplerHandlers, SamplerOptions } from '../sampler/types'
import { listSessionDirs, readSession } from '../session/reader'
import type { ConnectOptions, Credentials, KalamClient } from '../target/types'

/** What a scenario run needs (src/main/scenarios/runner.ts). */
export interface RunScenarioOptions {
  scenario: ScenarioId
  url: string
  credentials: Credentials
  pid: number | null
  outDir: string
  quick: boolean
  overrides: Record<string, number | boolean>
  setup?: boolean
  sampleIntervalMs?: number
  signal: AbortSignal
}

export interface RunScenarioHooks {
  onSample?(sample: Sample): void
  onEvent?(event: SessionEvent): void
  onProgress?(progress: RunProgress): void
}

/** The report formats the report module renders (PDF: from the HTML, by the front end). */
export type ReportFormat = 'md' | 'html' | 'json' | 'csv' | 'junit' | 'pdf'

export interface Engine {
  discoverTargets(options: { all: boolean }): Promise<Target[]>
  findPidListeningOn(port: number): Promise<number | null>
  startSampler(options: SamplerOptions, handlers: SamplerHandlers): RunningSampler
  takeSnapshot(
    pid: number,
    options: { dataDir?: string | null; label?: string }
  ): Promise<MemorySnapshot>
  diffSnapshots(before: MemorySnapshot, after: MemorySnapshot): SnapshotDiff
  connectKalam(options: ConnectOptions): Promise<KalamClient>
  scenarioCatalog(): ScenarioInfo[]
  runScenario(options: RunScenarioOptions, hooks: RunScenarioHooks): Promise<RunResult>
  readSession(dir: string): Promise<SessionData>
  listSessionDirs(root: string): Promise<string[]>
  analyzeSession(session: SessionData): AnalysisResult
  renderReport(
    session: SessionData,
    analysis: AnalysisResult,
    format: ReportFormat
  ): Promise<string | Uint8Array>
}

function notBuilt(what: string): never {
  throw new ProfilerError('INTERNAL', `${what} is not available in this build yet`)
}

/** The real services. */
export function defaultEngine(): Engine {
  return {
    discoverTargets: async () => notBuilt('process discovery'),
    findPidListeningOn: async () => notBuilt('process discovery'),
    startSampler: () => notBuilt('the sampler'),
    takeSnapshot: async () => notBuilt('memory snapshots'),
    diffSnapshots: () => notBuilt('snapshot diffs'),
    connectKalam: async () => notBuilt('the KalamDB client'),
    scenarioCatalog: () => [],
    runScenario: async () => notBuilt('scenario runs'),
    readSession,
    listSessionDirs,
    analyzeSession,
    renderReport: async () => notBuilt('reports')
  }
}
