import { describe, expect, it } from 'vitest'
import type { ScenarioParameter } from '../../../../shared/run'
import { criterion, progress, scenario } from '../../test/factories'
import {
  criteriaTally,
  defaultsSummary,
  formUnit,
  initialValues,
  labelUnit,
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

  describe('criteria bounds', () => {
    // As the catalogue has them (src/main/scenarios/catalog.ts): 10 means 10%, 500 means 500 ms.
    const bounds: ScenarioParameter[] = [
      {
        name: 'maxGrowthPercent',
        label: 'Allowed RSS growth (%)',
        kind: 'percent',
        default: 10,
        quick: 10,
        min: 0,
        max: 1000
      },
      { name: 'maxP95Ms', label: 'p95 bound (ms)', kind: 'ms', default: 500, quick: 500, min: 0 }
    ]

    it('shows percentages in % and latency bounds in ms, not as a ratio or a count', () => {
      expect(bounds.map(formUnit)).toEqual(['%', 'ms'])
      // The label already names the unit: not printed twice.
      expect(bounds.map(labelUnit)).toEqual(['', ''])
      expect(initialValues(bounds, false)).toEqual({ maxGrowthPercent: '10', maxP95Ms: '500' })
      expect(defaultsSummary(bounds)).toBe(
        'Defaults: Allowed RSS growth (%) 10 %, p95 bound (ms) 500 ms.'
      )
    })

    it('sends the numbers as typed and checks the range in the same unit', () => {
      expect(toOverrides(bounds, { maxGrowthPercent: '25', maxP95Ms: '750' }, false)).toEqual({
        overrides: { maxGrowthPercent: 25, maxP95Ms: 750 }
      })
      expect(toOverrides(bounds, { maxGrowthPercent: '1500', maxP95Ms: '500' }, false)).toEqual({
        error: 'Allowed RSS growth (%): must be from 0 up to 1000 %'
      })
    })
  })
})
