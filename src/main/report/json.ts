/**
 * The JSON report: everything a session holds plus the analysis, in one schema-versioned
 * document (docs/report-json-schema.md). Other tools read this; keep changes additive and
 * bump REPORT_SCHEMA_VERSION on any change that is not.
 */
import { basename } from 'node:path'
import type { AnalysisResult } from '../../shared/analysis'
import type { Sample } from '../../shared/sample'
import type {
  CriterionResult,
  LatencyFile,
  SessionData,
  SessionEvent,
  SessionMeta
} from '../../shared/session'

/** Names the document type, so a reader can tell it from session.json or `analyze --json`. */
export const REPORT_KIND = 'kalamdb-profiler-report'
export const REPORT_SCHEMA_VERSION = 1

/** The JSON report, top level. Times ms since the epoch, sizes bytes, latency µs (as recorded). */
export interface JsonReport {
  kind: typeof REPORT_KIND
  schemaVersion: typeof REPORT_SCHEMA_VERSION
  generatedAt: number
  generator: { name: 'kalamdb-profiler'; version: string }
  session: {
    /** The session directory's name (not its full path: reports travel). */
    name: string
    meta: SessionMeta
    /** Lines of samples.ndjson/events.ndjson that could not be read. */
    skippedLines: number
  }
  analysis: AnalysisResult
  verdicts: CriterionResult[] | null
  samples: Sample[]
  events: SessionEvent[]
  latency: LatencyFile | null
  snapshots: SessionData['snapshots']
}

export function buildJsonReport(
  session: SessionData,
  analysis: AnalysisResult,
  profilerVersion: string,
  generatedAt: number
): JsonReport {
  return {
    kind: REPORT_KIND,
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt,
    generator: { name: 'kalamdb-profiler', version: profilerVersion },
    session: {
      name: basename(session.dir),
      meta: session.meta,
      skippedLines: session.skippedLines
    },
    analysis,
    verdicts: session.verdicts,
    samples: session.samples,
    events: session.events,
    latency: session.latency,
    snapshots: session.snapshots
  }
}

/** Indented for people, except samples and events: one line each keeps a long run's file small. */
export function renderJson(report: JsonReport): string {
  const lines = (items: unknown[]): string =>
    items.length === 0
      ? '[]'
      : `[\n${items.map((x) => `    ${JSON.stringify(x)}`).join(',\n')}\n  ]`
  const { samples, events, ...rest } = report
  const head = JSON.stringify(rest, null, 2)
  return `${head.slice(0, -2)},\n  "samples": ${lines(samples)},\n  "events": ${lines(events)}\n}\n`
}
