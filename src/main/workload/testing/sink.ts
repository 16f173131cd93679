/** A WorkloadSink for tests, with its events collected. */
import type { SessionEvent } from '../../../shared/session'
import { ErrorTally, createCounters } from '../counters'
import { LatencyRecorder } from '../latency'
import type { WorkloadSink } from '../types'

export function testSink(): WorkloadSink & { events: SessionEvent[] } {
  const events: SessionEvent[] = []
  return {
    counters: createCounters(),
    latency: new LatencyRecorder(),
    errors: new ErrorTally(),
    event: (e) => events.push(e),
    events
  }
}

/** Polls until `cond` holds; bounded in time (fails the test instead of hanging). */
export async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now()
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}
