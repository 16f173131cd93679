/**
 * The engine services the app front ends drive, as one injectable interface: handlers
 * take an Engine, tests pass a fake one, and `defaultEngine()` wires the real modules.
 * Signatures follow the services' own contracts (target/, sampler/, scenarios/, session/,
 * analysis/, report/).
 */
import type { AnalysisResult } from '../../shared/analysis'
import type { Target } from '../../shared/api'
import type { CompareResult } from '../../shared/compare'
import type { RunProgress, RunResult, ScenarioId, ScenarioInfo } from '../../shared/run'
import type { Sample } from '../../shared/sample'
import type { SessionData, SessionEvent } from '../../shared/session'
import type { MemorySnapshot, SnapshotDiff } from '../../shared/snapshot'
import { analyzeSession } from '../analysis'
import { compareSessions } from '../compare'
import { renderReport } from '../report'
import { scenarioCatalog } from '../scenarios/catalog'
import { runScenario } from '../scenarios/runner'
import { connectKalam } from '../target/client'
import { discoverTargets, findPidListeningOn } from '../target/discovery'
import { startSampler } from '../sampler/sampler'
import { takeSnapshot } from '../sampler/snapshot'
import { diffSnapshots } from '../sampler/snapshot-diff'
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
  /** Things the user should know before and during the run (user plan, warnings). */
  onNotice?(message: string): void
}

/** The report formats the report module renders (PDF: from the HTML, by the front end). */
export type ReportFormat = 'md' | 'html' | 'json' | 'csv' | 'junit' | 'pdf'

export interface Engine {
  discoverTargets(options: { all: boolean }): Promise<Target[]>
  findPidListeningOn(port: number): Promise<number | null>
  startSampler(options: SamplerOptions, handlers: SamplerHandlers): RunningSampler
  takeSnapshot(
    pid: number,
    /** dataDir undefined = guessed from the process. */
    options: { dataDir?: string | null; label?: string }
  ): Promise<MemorySnapshot>
  diffSnapshots(before: MemorySnapshot, after: MemorySnapshot): SnapshotDiff
  connectKalam(options: ConnectOptions): Promise<KalamClient>
  scenarioCatalog(): ScenarioInfo[]
  runScenario(options: RunScenarioOptions, hooks: RunScenarioHooks): Promise<RunResult>
  readSession(dir: string): Promise<SessionData>
  listSessionDirs(root: string): Promise<string[]>
  analyzeSession(session: SessionData): AnalysisResult
  compareSessions(a: SessionData, b: SessionData): CompareResult
  renderReport(
    session: SessionData,
    analysis: AnalysisResult,
    format: ReportFormat,
    options?: { secrets?: readonly string[]; embedData?: boolean }
  ): Promise<string | Uint8Array>
}

/** The real services. */
export function defaultEngine(): Engine {
  return {
    discoverTargets: (options) => discoverTargets(options),
    findPidListeningOn,
    startSampler,
    takeSnapshot,
    diffSnapshots,
    connectKalam,
    scenarioCatalog,
    runScenario: (options, hooks) => runScenario(options, hooks),
    readSession,
    listSessionDirs,
    analyzeSession,
    compareSessions: (a, b) => compareSessions(a, b),
    renderReport
  }
}
