import { describe, expect, it } from 'vitest'
import { criterion, progress, scenario } from '../../test/factories'
import {
  criteriaTally,
  defaultsSummary,
  initialValues,
  progressInfo,
  toOverrides
} from './Scenarios.utils'

const params = scenario().parameters

describe('Scenarios.utils', () => {
  describe('initialValues', () => {
    it('shows durations in seconds, quick values in quick mode', () => {
      expect(initialValues(params, false)).toEqual({ writers: '10', loadMs: '300' })
      expect(initialValues(params, true)).toEqual({ writers: '2', loadMs: '15' })
    })
  })

  describe('toOverrides', () => {
    it('sends only what changed, in engine units', () => {
      expect(toOverrides(params, { writers: '2', loadMs: '15' }, true)).toEqual({ overrides: {} })
      expect(toOverrides(params, { writers: '4', loadMs: '90' }, true)).toEqual({
        overrides: { writers: 4, loadMs: 90_000 }
      })
    })

    it('names the field and the valid range when a value is wrong', () => {
      expect(toOverrides(params, { writers: 'many', loadMs: '15' }, true)).toEqual({
        error: 'Writers: enter a number (count)'
      })
      expect(toOverrides(params, { writers: '500', loadMs: '15' }, true)).toEqual({
        error: 'Writers: must be from 1 up to 100 count'
      })
    })
  })

  describe('progressInfo', () => {
    it('gives the percentage and the time left', () => {
      expect(progressInfo(progress({ elapsedMs: 5000, totalMs: 20_000, phase: 'load' }))).toEqual({
        percent: 25,
        elapsed: '0:05',
        total: '0:20',
        left: '0:15 left',
        phase: 'load'
      })
    })
  })

  describe('criteriaTally', () => {
    it('counts passed, failed and unmeasured', () => {
      expect(
        criteriaTally([criterion(), criterion({ pass: false }), criterion({ pass: null })])
      ).toBe('1 passed, 1 failed, 1 not measured')
    })
  })

  describe('defaultsSummary', () => {
    it('lists every default with its unit', () => {
      expect(defaultsSummary(params)).toBe('Defaults: Writers 10 count, Load phase 300 seconds.')
    })
  })
})
