/**
 * Parsing and formatting of units. Data stays in bytes and milliseconds; these helpers
 * are for the edges only (flags in, text out).
 */
import type { CompareUnit } from './compare'
import { ProfilerError } from './errors'
import type { CriterionResult } from './session'

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * Parses "500ms", "30s", "5m", "1h", "1m30s" into milliseconds.
 * A bare number is rejected: a unit is required so "5" cannot mean two things.
 */
export function parseDuration(text: string, what = 'duration'): number {
  const trimmed = text.trim()
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy
  let total = 0
  let matched = 0
  let m: RegExpExecArray | null
  while ((m = re.exec(trimmed)) !== null) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] as string] as number)
    matched = re.lastIndex
  }
  if (trimmed.length === 0 || matched !== trimmed.length || !Number.isFinite(total)) {
    throw new ProfilerError(
      'BAD_INPUT',
      `invalid ${what} '${text}': use a number with a unit, e.g. 500ms, 30s, 5m`
    )
  }
  return Math.round(total)
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

/** 1536 → "1.5 KiB". Negative values keep their sign (used for deltas). */
export function formatBytes(bytes: number, digits = 1): string {
  if (!Number.isFinite(bytes)) return String(bytes)
  const sign = bytes < 0 ? '-' : ''
  let v = Math.abs(bytes)
  let i = 0
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024
    i++
  }
  return `${sign}${i === 0 ? v.toFixed(0) : v.toFixed(digits)} ${BYTE_UNITS[i]}`
}

/**
 * One end of an interval in bytes. An unbounded end (the data cannot bound it) is stored as
 * ±Number.MAX_VALUE, JSON having no Infinity, and prints as ±∞ rather than as 10^296 TiB.
 */
export function formatBytesBound(bytes: number): string {
  if (!Number.isFinite(bytes) || Math.abs(bytes) >= Number.MAX_VALUE / 2) {
    return bytes > 0 ? '∞' : '-∞'
  }
  return formatBytes(bytes)
}

/** 61_000 → "1m 1s"; 450 → "450 ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
  const totalS = Math.round(ms / 1000)
  const h = Math.floor(totalS / 3600)
  const m = Math.floor((totalS % 3600) / 60)
  const s = totalS % 60
  return h > 0 ? `${h}h ${m}m ${s}s` : `${m}m ${s}s`
}

/**
 * An offset from the start of a run as a clock: 245_000 → "4:05", past an hour "1:02:03".
 * Time axes and phase labels, in the app and in every report.
 */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const ss = String(total % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/** 12.345 → "12.3%". */
export function formatPercent(p: number, digits = 1): string {
  return Number.isFinite(p) ? `${p.toFixed(digits)}%` : String(p)
}

/** 1234567 → "1,234,567"; a fixed locale, so text does not depend on the machine's. */
export function formatCount(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return String(n)
  return n.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits
  })
}

/** Latency and durations under a minute with enough precision to compare: 0.42 ms, 12.3 ms, 450 ms. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms)
  const a = Math.abs(ms)
  if (a < 10) return `${ms.toFixed(2)} ms`
  if (a < 100) return `${ms.toFixed(1)} ms`
  if (a < 10_000) return `${formatCount(Math.round(ms))} ms`
  return formatDuration(ms)
}

/** "12/s", "1,234/s": one decimal under 10. */
function formatPerSec(v: number): string {
  return `${formatCount(v, Math.abs(v) < 10 ? 1 : 0)}/s`
}

/** A criterion's measured value with its unit, or "not measured". */
export function formatMeasured(value: number | null, unit: CriterionResult['unit']): string {
  if (value === null || !Number.isFinite(value)) return 'not measured'
  switch (unit) {
    case 'bytes':
      return formatBytes(value)
    case 'percent':
      return formatPercent(value)
    case 'ms':
      return formatMs(value)
    case 'count':
      return formatCount(value, Number.isInteger(value) ? 0 : 1)
    case 'per-sec':
      return formatPerSec(value)
    case 'ratio':
      return value.toFixed(3)
    default:
      return String(value)
  }
}

/**
 * A compared value in its unit, for tables and sentences ("—" when there is none). The CLI,
 * the reports and the app all print compared values with this, so they read alike.
 */
export function formatInUnit(unit: CompareUnit, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  switch (unit) {
    case 'ms':
      return formatMs(v)
    case 'rows/s':
      return `${formatCount(v, Math.abs(v) < 10 ? 1 : 0)} rows/s`
    case 'per-sec':
      return formatPerSec(v)
    case 'bytes':
      return formatBytes(v)
    case 'bytes/min':
      return `${formatBytes(v)}/min`
    case 'bytes/row':
      return `${formatBytes(v)}/row`
    case 'percent':
      return formatPercent(v)
    case 'count':
      return formatCount(v, Number.isInteger(v) ? 0 : 1)
    case 'ratio':
      return formatPercent(v * 100, 2)
    default:
      return String(v)
  }
}
