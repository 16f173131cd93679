import { afterEach, describe, expect, it, vi } from 'vitest'
import { MIN_STATS_POLL_INTERVAL_MS } from '../target/stats'
import type { ServerStats } from '../target/types'
import { startStatsPoller } from './stats-poller'

afterEach(() => {
  vi.useRealTimers()
})

/** A client whose every poll answers at once, counted. */
function countingClient(): { polls: number; stats(): Promise<ServerStats> } {
  const client = {
    polls: 0,
    stats(): Promise<ServerStats> {
      client.polls++
      return Promise.resolve({ polledAt: client.polls, raw: {} })
    }
  }
  return client
}

describe('workload/stats-poller', () => {
  describe('startStatsPoller', () => {
    // Fake timers: time moves only when the test says so, so no assertion rests on the real clock.
    it('clamps an interval below 2 s to 2 s (each poll spawns lsof inside KalamDB)', async () => {
      vi.useFakeTimers()
      const client = countingClient()
      const poller = startStatsPoller({
        client,
        intervalMs: 500,
        signal: new AbortController().signal
      })
      poller.resume()
      await vi.advanceTimersByTimeAsync(0)
      expect(client.polls).toBe(1)
      // Where 500 ms would have polled three more times, none happens before the floor.
      await vi.advanceTimersByTimeAsync(MIN_STATS_POLL_INTERVAL_MS - 1)
      expect(client.polls).toBe(1)
      await vi.advanceTimersByTimeAsync(1)
      expect(client.polls).toBe(2)
      await vi.advanceTimersByTimeAsync(MIN_STATS_POLL_INTERVAL_MS)
      expect(client.polls).toBe(3)
      expect(poller.history.map((s) => s.polledAt)).toEqual([1, 2, 3])
      await poller.stop()
      await vi.advanceTimersByTimeAsync(10 * MIN_STATS_POLL_INTERVAL_MS)
      expect(client.polls).toBe(3)
    })

    it('keeps an interval above the floor as given', async () => {
      vi.useFakeTimers()
      const client = countingClient()
      const poller = startStatsPoller({
        client,
        intervalMs: 5000,
        signal: new AbortController().signal
      })
      poller.resume()
      await vi.advanceTimersByTimeAsync(4999)
      expect(client.polls).toBe(1)
      await vi.advanceTimersByTimeAsync(1)
      expect(client.polls).toBe(2)
      await poller.stop()
    })
  })
})
