import { describe, expect, it } from 'vitest'
import { formatBytes, formatBytesBound, formatDuration, parseDuration } from './units'

describe('units', () => {
  describe('parseDuration', () => {
    it.each([
      ['500ms', 500],
      ['30s', 30_000],
      ['5m', 300_000],
      ['1h', 3_600_000],
      ['1m30s', 90_000],
      ['0.5s', 500]
    ])('parses %s as %d ms', (text, ms) => {
      expect(parseDuration(text)).toBe(ms)
    })

    it.each(['', '5', 'abc', '5x', '-1s', '1s garbage'])(
      'rejects %j with a valid form in the message',
      (text) => {
        expect(() => parseDuration(text, 'interval')).toThrow(
          /invalid interval .*e\.g\. 500ms, 30s, 5m/
        )
      }
    )
  })

  describe('formatBytes', () => {
    it('uses binary units and keeps the sign of a delta', () => {
      expect(formatBytes(512)).toBe('512 B')
      expect(formatBytes(1536)).toBe('1.5 KiB')
      expect(formatBytes(-3 * 1024 * 1024)).toBe('-3.0 MiB')
      expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB')
    })
  })

  describe('formatBytesBound', () => {
    it('prints an unbounded interval end, stored as ±Number.MAX_VALUE, as ±∞', () => {
      expect(formatBytesBound(Number.MAX_VALUE)).toBe('∞')
      expect(formatBytesBound(-Number.MAX_VALUE)).toBe('-∞')
      expect(formatBytesBound(Infinity)).toBe('∞')
      expect(formatBytesBound(-Infinity)).toBe('-∞')
      expect(formatBytesBound(-1536)).toBe('-1.5 KiB')
      expect(formatBytesBound(1e300)).toMatch(/TiB$/)
    })
  })

  describe('formatDuration', () => {
    it('picks a unit a person reads at a glance', () => {
      expect(formatDuration(450)).toBe('450 ms')
      expect(formatDuration(2500)).toBe('2.5 s')
      expect(formatDuration(61_000)).toBe('1m 1s')
      expect(formatDuration(3_725_000)).toBe('1h 2m 5s')
    })
  })
})
