/** Text for numbers at the edge of the UI: every figure leaves here with its unit. */
import { formatBytesBound } from '../../shared/units'

// The figures the reports print too come from one place, so the app and a report agree.
export {
  formatBytes,
  formatDuration,
  formatElapsed,
  formatInUnit,
  formatMeasured,
  formatMs,
  formatPercent
} from '../../shared/units'

/** 1234.5 → "1,235/s". */
export function formatRate(perSec: number): string {
  return `${Math.round(perSec).toLocaleString('en-US')}/s`
}

/** Counts keep a unit word so "25" is never ambiguous. */
export function formatCount(n: number, unit: string): string {
  return `${Math.round(n).toLocaleString('en-US')} ${unit}`
}

/** A local date and time, e.g. "2026-11-25 16:41:55". */
export function formatDateTime(t: number): string {
  const d = new Date(t)
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

/** Bytes per minute, signed: "+38.0 MiB/min" (an unbounded interval end: "+∞/min"). */
export function formatSlope(bytesPerMin: number): string {
  return `${bytesPerMin >= 0 ? '+' : ''}${formatBytesBound(bytesPerMin)}/min`
}
