/**
 * Scenario parameters between the engine's units (ms, bytes, per second) and the form's
 * (seconds, KiB …), run progress in words. Pure.
 */
import type { RunProgress, ScenarioParameter } from '../../../../shared/run'
import type { CriterionResult } from '../../../../shared/session'
import { formatElapsed } from '../../format'

interface FormUnit {
  unit: string
  /** engine value → form value */
  toForm(v: number): number
  /** form value → engine value */
  fromForm(v: number): number
}

const UNITS: Record<Exclude<ScenarioParameter['kind'], 'boolean'>, FormUnit> = {
  count: { unit: 'count', toForm: (v) => v, fromForm: (v) => Math.round(v) },
  rate: { unit: 'per second', toForm: (v) => v, fromForm: (v) => v },
  duration: { unit: 'seconds', toForm: (v) => v / 1000, fromForm: (v) => Math.round(v * 1000) },
  bytes: { unit: 'KiB', toForm: (v) => v / 1024, fromForm: (v) => Math.round(v * 1024) },
  ratio: { unit: 'ratio, 0–1', toForm: (v) => v, fromForm: (v) => v },
  // Criteria bounds: "10" means 10% and "500" 500 ms, the numbers the criteria print.
  percent: { unit: '%', toForm: (v) => v, fromForm: (v) => v },
  ms: { unit: 'ms', toForm: (v) => v, fromForm: (v) => v }
}

export function formUnit(p: ScenarioParameter): string {
  return p.kind === 'boolean' ? '' : UNITS[p.kind].unit
}

/** The unit to print after the label; none when the label already ends in it ("p95 bound (ms)"). */
export function labelUnit(p: ScenarioParameter): string {
  const unit = formUnit(p)
  return unit && !p.label.endsWith(`(${unit})`) ? unit : ''
}

/** The value a field starts with: the default, or the quick value in quick mode. */
export function initialValue(p: ScenarioParameter, quick: boolean): string {
  const v = quick && p.quick !== undefined ? p.quick : p.default
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (p.kind === 'boolean') return v ? 'true' : 'false'
  return String(Math.round(UNITS[p.kind].toForm(v) * 1000) / 1000)
}

export function initialValues(
  params: readonly ScenarioParameter[],
  quick: boolean
): Record<string, string> {
  return Object.fromEntries(params.map((p) => [p.name, initialValue(p, quick)]))
}

/**
 * Overrides for the fields the user changed from what the mode starts with; an error names
 * the field and the valid range.
 */
export function toOverrides(
  params: readonly ScenarioParameter[],
  values: Record<string, string>,
  quick: boolean
): { overrides: Record<string, number | boolean> } | { error: string } {
  const overrides: Record<string, number | boolean> = {}
  for (const p of params) {
    const text = (values[p.name] ?? '').trim()
    if (text === initialValue(p, quick)) continue
    if (p.kind === 'boolean') {
      overrides[p.name] = text === 'true'
      continue
    }
    const n = Number(text)
    if (text === '' || !Number.isFinite(n))
      return { error: `${p.label}: enter a number (${UNITS[p.kind].unit})` }
    const v = UNITS[p.kind].fromForm(n)
    if ((p.min !== undefined && v < p.min) || (p.max !== undefined && v > p.max)) {
      const lo = p.min === undefined ? '' : `from ${UNITS[p.kind].toForm(p.min)}`
      const hi = p.max === undefined ? '' : ` up to ${UNITS[p.kind].toForm(p.max)}`
      return { error: `${p.label}: must be ${lo}${hi} ${UNITS[p.kind].unit}`.replace(/\s+/g, ' ') }
    }
    overrides[p.name] = v
  }
  return { overrides }
}

export interface ProgressInfo {
  percent: number
  elapsed: string
  total: string
  left: string
  phase: string
}

export function progressInfo(p: RunProgress): ProgressInfo {
  const total = Math.max(p.totalMs, 1)
  const elapsed = Math.min(p.elapsedMs, total)
  return {
    percent: Math.round((elapsed / total) * 100),
    elapsed: formatElapsed(elapsed),
    total: formatElapsed(total),
    left: `${formatElapsed(total - elapsed)} left`,
    phase: p.phase
  }
}

/** "2 passed, 1 failed, 1 not measured yet". */
export function criteriaTally(criteria: readonly CriterionResult[]): string {
  const passed = criteria.filter((c) => c.pass === true).length
  const failed = criteria.filter((c) => c.pass === false).length
  const pending = criteria.length - passed - failed
  const parts = [`${passed} passed`, `${failed} failed`]
  if (pending) parts.push(`${pending} not measured`)
  return parts.join(', ')
}

/** "Defaults: Writers 10 count, Load duration 300 seconds …" — what a run does unless changed. */
export function defaultsSummary(params: readonly ScenarioParameter[]): string {
  if (params.length === 0) return 'No parameters.'
  return `Defaults: ${params
    .map((p) => {
      const v = initialValue(p, false)
      return p.kind === 'boolean'
        ? `${p.label} ${v === 'true' ? 'on' : 'off'}`
        : `${p.label} ${v} ${formUnit(p)}`
    })
    .join(', ')}.`
}
