/** What one benchmark hands back to the runner. */
import type { BenchFigure } from '../../../shared/bench'

export interface BenchRun {
  figures: BenchFigure[]
  notes: string[]
  warmup: { operations: number; ms: number }
}
