import { describe, expect, it } from 'vitest'
import type { CompareUnit } from './compare'
import {
  formatBytes,
  formatBytesBound,
  formatCount,
  formatDuration,
  formatElapsed,
  formatInUnit,
  formatMeasured,
  formatMs,
  formatPercent,
  parseDuration
} from './units'

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

  describe('formatElapsed', () => {
    it('reads an offset in ms as a clock, hours only past an hour, never negative', () => {
      expect(formatElapsed(0)).toBe('0:00')
      expect(formatElapsed(245_000)).toBe('4:05')
      expect(formatElapsed(59_600)).toBe('1:00')
      expect(formatElapsed(3_723_000)).toBe('1:02:03')
      expect(formatElapsed(-5_000)).toBe('0:00')
    })
  })

  describe('formatCount', () => {
    it('groups thousands in a fixed locale and keeps the digits asked for', () => {
      expect(formatCount(1234567)).toBe('1,234,567')
      expect(formatCount(12.345, 1)).toBe('12.3')
      expect(formatCount(Number.NaN)).toBe('NaN')
    })
  })

  describe('formatMs', () => {
    it.each([
      [0.4213, '0.42 ms'],
      [4.567, '4.57 ms'],
      [45.67, '45.7 ms'],
      [4567, '4,567 ms'],
      [61_000, '1m 1s']
    ])('%d ms reads %s', (ms, text) => {
      expect(formatMs(ms)).toBe(text)
    })
  })

  describe('formatPercent', () => {
    it('keeps a value that is no number readable', () => {
      expect(formatPercent(12.345)).toBe('12.3%')
      expect(formatPercent(Number.POSITIVE_INFINITY)).toBe('Infinity')
    })
  })

  describe('formatMeasured', () => {
    it('prints a criterion value in its unit, or says it was not measured', () => {
      expect(formatMeasured(3.14159, 'percent')).toBe('3.1%')
      expect(formatMeasured(1536, 'bytes')).toBe('1.5 KiB')
      expect(formatMeasured(12.34, 'ms')).toBe('12.3 ms')
      expect(formatMeasured(25, 'count')).toBe('25')
      expect(formatMeasured(2.5, 'count')).toBe('2.5')
      expect(formatMeasured(987.6, 'per-sec')).toBe('988/s')
      expect(formatMeasured(4.56, 'per-sec')).toBe('4.6/s')
      expect(formatMeasured(null, 'ms')).toBe('not measured')
      expect(formatMeasured(Number.NaN, 'ms')).toBe('not measured')
    })
  })

  describe('formatInUnit', () => {
    it.each<[CompareUnit, number, string]>([
      ['ms', 0.4213, '0.42 ms'],
      ['rows/s', 987.6, '988 rows/s'],
      ['rows/s', 4.56, '4.6 rows/s'],
      ['per-sec', 1234, '1,234/s'],
      ['bytes', 1536, '1.5 KiB'],
      ['bytes/min', 2048, '2.0 KiB/min'],
      ['bytes/row', 300, '300 B/row'],
      ['percent', 12.345, '12.3%'],
      ['count', 25, '25'],
      ['ratio', 0.0123, '1.23%']
    ])('%s: %d reads %s', (unit, v, text) => {
      expect(formatInUnit(unit, v)).toBe(text)
    })

    it('prints a dash where there is no value', () => {
      expect(formatInUnit('ms', null)).toBe('—')
      expect(formatInUnit('bytes', undefined)).toBe('—')
      expect(formatInUnit('bytes', Number.NaN)).toBe('—')
    })
  })
})
