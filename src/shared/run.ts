/**
 * Scenario runs as the UI and the CLI see them: the catalogue of scenarios, a run request,
 * live progress and the result. The engine side is src/main/scenarios (runScenario).
 * Units: ms, bytes, per-second rates.
 */
import type { CriterionResult, PhaseName, SessionStatus } from './session'

/** The nine scenario ids (DESIGN.md "Scenarios", a contract). */
export const SCENARIO_IDS = [
  'memory-stability',
  'writers-and-listeners',
  'cpu-under-load',
  'ws-connection-leak',
  'memory-release',
  'query-latency',
  'flush-under-load',
  'actor-stability',
  'graceful-degradation'
] as const
export type ScenarioId = (typeof SCENARIO_IDS)[number]

/** One tunable of a scenario, described for forms and `--help`. */
export interface ScenarioParameter {
  /** Option name, camelCase (`writers`, `ratePerSec`, `durationMs` …); the CLI flag is kebab-case. */
  name: string
  label: string
  /**
   * What the value is, so forms show its unit: 'percent' in per cent (10 means 10%), 'ms' a
   * latency bound in ms (not a phase length like 'duration'), 'ratio' a fraction 0–1.
   */
  kind: 'count' | 'rate' | 'duration' | 'bytes' | 'ratio' | 'percent' | 'ms' | 'boolean'
  default: number | boolean
  /** Value used by --quick. */
  quick?: number | boolean
  min?: number
  max?: number
}

/** What the UI's Scenarios view and `run --help` show of a scenario. */
export interface ScenarioInfo {
  id: ScenarioId
  /** 'T220' … 'T228'. */
  seed: string
  title: string
  /** What it checks, one or two sentences. */
  checks: string
  /** Pass criteria in words with their thresholds, e.g. "RSS growth < 10% over the load phase". */
  criteria: string[]
  parameters: ScenarioParameter[]
}

/** Progress of a running scenario, about once a second. */
export interface RunProgress {
  t: number
  scenario: ScenarioId
  phase: PhaseName | string
  elapsedMs: number
  /** Planned total; the ramp of graceful-degradation may end it early. */
  totalMs: number
  achievedRatePerSec: number
  targetRatePerSec: number | null
  rssBytes: number | null
  inserts: number
  errors: number
  rateLimited: number
  notifications: number
  droppedNotifications: number
  disconnects: number
  /** Criteria judged so far (live pass/fail in the UI); null pass = not yet measurable. */
  criteria: CriterionResult[]
  /**
   * Latency percentiles so far per operation ('insert', 'query', 'notification' …), in ms;
   * optional: the Live view draws p50/p95/p99 over time from it when present.
   */
  latency?: Record<string, { count: number; p50Ms: number; p95Ms: number; p99Ms: number }>
}

export interface RunResult {
  dir: string
  scenario: ScenarioId
  status: SessionStatus
  verdicts: CriterionResult[]
  /** 0 passed, 1 criteria failed, 2 could not run (DESIGN.md CLI contract). */
  exitCode: 0 | 1 | 2
}
