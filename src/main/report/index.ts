/**
 * Reports of a recorded session (issue 8): Markdown for GitHub issues, self-contained HTML,
 * JSON, CSV, JUnit XML and PDF (from the HTML). Entries for the CLI and the app's Export
 * view: renderReport (async, every format), renderTextReport (sync, all but PDF) and
 * writeReport. Every report is made from a redacted copy of the session, whatever the
 * recorder wrote.
 */
import { writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import type { AnalysisResult } from '../../shared/analysis'
import { ProfilerError } from '../../shared/errors'
import type { SessionData } from '../../shared/session'
import { PROFILER_VERSION } from '../version'
import { renderCsv } from './csv'
import { renderHtml } from './html'
import { buildJsonReport, renderJson } from './json'
import { renderJunit } from './junit'
import { renderMarkdown } from './markdown'
import { buildModel } from './model'
import { renderPdf, type PdfOptions } from './pdf'
import { redactSession, redactText, redactValue } from './redact'

export const REPORT_FORMATS = ['md', 'html', 'json', 'csv', 'junit', 'pdf'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]
/** Formats rendered to text in-process (PDF needs a browser to print the HTML). */
export type TextReportFormat = Exclude<ReportFormat, 'pdf'>

/** File extension for each format, for default output names and save dialogs. */
export const REPORT_EXTENSIONS: Record<ReportFormat, string> = {
  md: 'md',
  html: 'html',
  json: 'json',
  csv: 'csv',
  junit: 'xml',
  pdf: 'pdf'
}

/** MIME type for each format (the app's save dialog, the bridge's download). */
export const REPORT_MIME: Record<ReportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  junit: 'application/xml',
  pdf: 'application/pdf'
}

export interface ReportOptions {
  /** Literal secrets to scrub wherever they appear (e.g. the current KALAMDB_PASSWORD). */
  secrets?: readonly string[]
  /** When the report is made (ms since the epoch); default now. */
  now?: number
  /** HTML: embed the full JSON report as an inert data block (default true). */
  embedData?: boolean
  /** HTML: points per chart series (min/max-preserving); default 4000. */
  maxChartPoints?: number
  /** JUnit: the testsuite's hostname attribute; default this machine's name. */
  hostname?: string
  /** Profiler version written in the report; default this build's. */
  profilerVersion?: string
}

/** Parses a --format value; anything else is BAD_INPUT in one line naming the valid ones. */
export function parseReportFormat(value: string): ReportFormat {
  const v = value.trim().toLowerCase()
  const alias: Record<string, ReportFormat> = { markdown: 'md', xml: 'junit', htm: 'html' }
  const f = (REPORT_FORMATS as readonly string[]).includes(v) ? (v as ReportFormat) : alias[v]
  if (!f)
    throw new ProfilerError(
      'BAD_INPUT',
      `unknown report format '${value}': use one of ${REPORT_FORMATS.join(', ')}`
    )
  return f
}

/** Renders a text report synchronously. Pure apart from reading the clock and host name. */
export function renderTextReport(
  session: SessionData,
  analysis: AnalysisResult,
  format: TextReportFormat,
  options: ReportOptions = {}
): string {
  const secrets = options.secrets ?? []
  const clean = redactSession(session, secrets)
  // Findings and reasons quote messages from the session: scrub them the same way.
  const cleanAnalysis = redactValue(analysis, secrets)
  const version = options.profilerVersion ?? PROFILER_VERSION
  const now = options.now ?? Date.now()
  switch (format) {
    case 'json':
      return renderJson(buildJsonReport(clean, cleanAnalysis, version, now))
    case 'csv':
      return renderCsv(clean)
    case 'md':
      return renderMarkdown(buildModel(clean, cleanAnalysis, version, now))
    case 'junit':
      return renderJunit(
        buildModel(clean, cleanAnalysis, version, now),
        redactText(options.hostname ?? hostname())
      )
    case 'html': {
      const embed = options.embedData ?? true
      return renderHtml(buildModel(clean, cleanAnalysis, version, now), {
        maxChartPoints: options.maxChartPoints,
        embeddedJson: embed
          ? JSON.stringify(buildJsonReport(clean, cleanAnalysis, version, now))
          : null
      })
    }
    default:
      throw new ProfilerError('BAD_INPUT', `unknown report format '${String(format)}'`)
  }
}

/**
 * Any format, PDF included (printed from the HTML in headless Chromium). Text formats come
 * back as a string, PDF as a Buffer. The app's Export view calls this; in Electron it prints
 * PDF itself from `renderReport(…, 'html', { embedData: false })`.
 */
export async function renderReport(
  session: SessionData,
  analysis: AnalysisResult,
  format: ReportFormat,
  options: ReportOptions & PdfOptions = {}
): Promise<string | Buffer> {
  if (format !== 'pdf') return renderTextReport(session, analysis, format, options)
  // The printed copy carries no embedded data: a PDF reader could not get at it anyway.
  const html = renderTextReport(session, analysis, 'html', { ...options, embedData: false })
  return renderPdf(html, options)
}

/** Renders and writes a report; returns the bytes written. */
export async function writeReport(
  session: SessionData,
  analysis: AnalysisResult,
  format: ReportFormat,
  file: string,
  options: ReportOptions & PdfOptions = {}
): Promise<{ file: string; bytes: number }> {
  const body = await renderReport(session, analysis, format, options)
  await writeFile(file, body)
  return { file, bytes: typeof body === 'string' ? Buffer.byteLength(body) : body.length }
}

export { renderPdf, findChromium, countPdfPages, CHROMIUM_ENV } from './pdf'
export { redactSession, redactArgv, redactText, redactValue, secretsFromEnv } from './redact'
export { REPORT_KIND, REPORT_SCHEMA_VERSION, type JsonReport } from './json'
export { GITHUB_BODY_LIMIT, MERMAID_MAX_POINTS } from './markdown'
