/**
 * Effective parameters of a run: the catalogue's defaults, the quick values under --quick,
 * then the caller's overrides — each checked against the parameter's kind and range, so a
 * typo or a parameter another scenario has is a clear one-line error before any load.
 */
import { ProfilerError } from '../../shared/errors'
import type { ScenarioId } from '../../shared/run'
import { parameterFlag, scenarioInfo } from './catalog'

export type Params = Record<string, number | boolean>

export function resolveParameters(
  id: ScenarioId,
  quick: boolean,
  overrides: Record<string, unknown> = {}
): Params {
  const info = scenarioInfo(id)
  const out: Params = {}
  for (const p of info.parameters)
    out[p.name] = quick && p.quick !== undefined ? p.quick : p.default
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) continue
    const p = info.parameters.find((q) => q.name === name)
    if (!p) {
      throw new ProfilerError(
        'BAD_INPUT',
        `${info.seed} (${id}) has no parameter ${parameterFlag(name)}: it takes ${info.parameters.map((q) => parameterFlag(q.name)).join(', ')}`
      )
    }
    if (p.kind === 'boolean') {
      if (typeof value !== 'boolean')
        throw new ProfilerError('BAD_INPUT', `${parameterFlag(name)}: expected true or false`)
      out[name] = value
      continue
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ProfilerError('BAD_INPUT', `${parameterFlag(name)}: expected a number`)
    }
    if ((p.min !== undefined && value < p.min) || (p.max !== undefined && value > p.max)) {
      throw new ProfilerError(
        'BAD_INPUT',
        `${parameterFlag(name)}: ${value} is outside ${p.min ?? '-∞'} … ${p.max ?? '∞'}`
      )
    }
    out[name] = value
  }
  return out
}

/** A numeric parameter (the catalogue guarantees it exists for the scenario that asks). */
export function num(params: Params, name: string): number {
  const v = params[name]
  if (typeof v !== 'number') throw new Error(`parameter ${name} is not a number`)
  return v
}
