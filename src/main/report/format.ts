/**
 * Text formatting shared by every report renderer. Data stays in bytes, ms and percent until
 * here (DESIGN.md "Units"); these turn it into what a reader sees, the same way in Markdown,
 * HTML and JUnit.
 */
import { formatBytes } from '../../shared/units'

/** A signed byte delta: "+1.5 MiB", "-300 KiB". */
export function formatBytesDelta(bytes: number): string {
  return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes)
}

/** "2024-05-01 12:00:00 UTC": reports are read in other time zones than they were made in. */
export function formatTime(t: number): string {
  if (!Number.isFinite(t)) return String(t)
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

/** Cuts a string to at most `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`
}

/** Any parameter value as short text: numbers as they are, objects as compact JSON. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '—'
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  try {
    return JSON.stringify(v)
  } catch {
    return String(v)
  }
}

/** Quotes one argv element for a POSIX shell, only when it needs it. */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[\w@%+=:,./-]+$/.test(arg)) return arg
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}
