import { describe, expect, it } from 'vitest'
import { processSample } from '../../../test/helpers/sample'
import type { ServerStats } from '../target/types'
import { withServerFigures } from './live-sampler'

const stats: ServerStats = {
  polledAt: 1500,
  raw: { memory_usage_bytes: '123456789', allocator: 'mimalloc' },
  memoryBytes: 123_456_789,
  websocketSessions: 3,
  memtableBytes: 3000,
  allocator: 'mimalloc'
}

describe('services/live-sampler', () => {
  describe('withServerFigures', () => {
    it("adds the latest poll's figures, and its WebSocket sessions where the sample has none", () => {
      const s = withServerFigures(processSample(2000, 100), stats)
      expect(s.server).toEqual({
        polledAt: 1500,
        memoryBytes: 123_456_789,
        websocketSessions: 3,
        memtableBytes: 3000
      })
      expect(s.wsConnections).toBe(3)
      // The sample's own count wins.
      expect(
        withServerFigures(processSample(2000, 100, { wsConnections: 7 }), stats).wsConnections
      ).toBe(7)
    })

    it('leaves a sample alone without a poll, or with figures of its own', () => {
      const bare = processSample(2000, 100)
      expect(withServerFigures(bare, null)).toBe(bare)
      const own = processSample(2000, 100, { server: { polledAt: 1900, memoryBytes: 1 } })
      expect(withServerFigures(own, stats)).toBe(own)
    })
  })
})
