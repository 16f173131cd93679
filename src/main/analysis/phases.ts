/**
 * Phase spans from `phase` events: each event marks the start of a phase, which lasts until
 * the next phase event (or the end of the session).
 */
import type { SessionEvent } from '../../shared/session'

export interface PhaseSpan {
  phase: string
  /** Start, ms since the epoch. */
  from: number
  /** End: the next phase's start, or `end` for the last one. */
  to: number
}

/** Phases in time order. `end` closes the last one (the last sample's time, usually). */
export function phaseSpans(events: readonly SessionEvent[], end: number): PhaseSpan[] {
  const starts = events
    .filter((e): e is Extract<SessionEvent, { type: 'phase' }> => e.type === 'phase')
    .sort((a, b) => a.t - b.t)
  return starts.map((e, i) => ({
    phase: e.phase,
    from: e.t,
    to: Math.max(e.t, i + 1 < starts.length ? (starts[i + 1] as { t: number }).t : end)
  }))
}

/** The first span of a phase by name, or null. */
export function findPhase(spans: readonly PhaseSpan[], phase: string): PhaseSpan | null {
  return spans.find((s) => s.phase === phase) ?? null
}

/**
 * Load window: from the first `load` phase start to the end of the last `load` phase.
 * Null when the session has no load phase.
 */
export function loadSpan(spans: readonly PhaseSpan[]): PhaseSpan | null {
  const loads = spans.filter((s) => s.phase === 'load')
  if (loads.length === 0) return null
  return {
    phase: 'load',
    from: (loads[0] as PhaseSpan).from,
    to: (loads[loads.length - 1] as PhaseSpan).to
  }
}
