/**
 * A recording thinned for drawing in a window. Eight hours sampled at 10 Hz are 287,000
 * samples, 168 MiB of JSON: too much to send to a window, and far more points than a chart is
 * pixels wide. Past MAX_VIEW_SAMPLES each span of time keeps its lowest and its highest RSS
 * sample, in time order, as the HTML report's charts do (report/series.ts): a spike or a drop
 * stays on the chart where an average or every n-th sample would lose it. The analysis never
 * reads this: it reads every sample from disk.
 */
import type { Sample } from '../../shared/sample'
import { decimateMinMaxBy } from '../report/series'

/** Samples a session view carries at most (see SessionView.sampleCount). */
export const MAX_VIEW_SAMPLES = 20_000

export function envelopeSamples(
  samples: readonly Sample[],
  max: number = MAX_VIEW_SAMPLES
): Sample[] {
  return decimateMinMaxBy(
    samples,
    max,
    (s) => s.t,
    (s) => s.rssBytes
  )
}
