import { describe, expect, it } from 'vitest'
import { ScenarioInfoSchema } from '../../shared/api-schemas'
import { SCENARIO_IDS } from '../../shared/run'
import { parameterFlag, resolveScenarioId, scenarioCatalog } from './catalog'
import { DEFINITIONS } from './definitions'
import { resolveParameters } from './params'

describe('scenarios/catalog', () => {
  describe('scenarioCatalog', () => {
    it('lists the nine scenarios T220…T228 in order, each with criteria and a quick value per parameter', () => {
      const c = scenarioCatalog()
      expect(c.map((s) => s.id)).toEqual([...SCENARIO_IDS])
      expect(c.map((s) => s.seed)).toEqual([
        'T220',
        'T221',
        'T222',
        'T223',
        'T224',
        'T225',
        'T226',
        'T227',
        'T228'
      ])
      for (const s of c) {
        expect(s.criteria.length).toBeGreaterThan(0)
        for (const p of s.parameters) expect(p.quick, `${s.id}.${p.name}`).toBeDefined()
      }
    })

    it("carries the seed's numbers as defaults", () => {
      const byId = Object.fromEntries(
        scenarioCatalog().map((s) => [
          s.id,
          Object.fromEntries(s.parameters.map((p) => [p.name, p.default]))
        ])
      )
      expect(byId['memory-stability']).toMatchObject({
        writers: 10,
        durationMs: 300_000,
        maxGrowthPercent: 10
      })
      expect(byId['writers-and-listeners']).toMatchObject({
        writers: 10,
        subscribers: 20,
        durationMs: 300_000
      })
      expect(byId['cpu-under-load']).toMatchObject({
        ratePerSec: 1000,
        maxAvgCpuPercent: 60,
        maxPeakCpuPercent: 80
      })
      expect(byId['ws-connection-leak']).toMatchObject({
        subscribers: 50,
        closeCount: 25,
        settleMs: 30_000,
        // Ours, not the seed's: 200 connections opened and closed, so that a leak per closed
        // connection outgrows what a clean server grows in the window (trend.ts).
        churnCycles: 20,
        churnConnections: 10
      })
      expect(byId['memory-release']).toMatchObject({
        durationMs: 120_000,
        idleMs: 60_000,
        maxResidualPercent: 15
      })
      expect(byId['query-latency']).toMatchObject({
        probeIntervalMs: 1000,
        maxP50Ms: 100,
        maxP95Ms: 500
      })
      expect(byId['flush-under-load']).toMatchObject({ flushIntervalMs: 30_000 })
      expect(byId['actor-stability']).toMatchObject({ maxQueue: 1000 })
      expect(byId['graceful-degradation']).toMatchObject({
        startRatePerSec: 100,
        stepIntervalMs: 30_000,
        // Ours around the seed's ramp: a baseline, and a flush and a quiet after it.
        baselineMs: 10_000,
        cooldownMs: 100_000
      })
    })

    it('gives percentages and latency bounds kinds that say so, and the API accepts them', () => {
      for (const s of scenarioCatalog()) {
        for (const p of s.parameters) {
          if (p.label.endsWith('(%)')) expect(p.kind, `${s.id}.${p.name}`).toBe('percent')
          if (p.label.endsWith('(ms)')) expect(p.kind, `${s.id}.${p.name}`).toBe('ms')
        }
        expect(ScenarioInfoSchema.safeParse(s).success, s.id).toBe(true)
      }
    })

    it('plans T223 with its churn by default, and without it in a quick run', () => {
      const plan = (quick: boolean): number =>
        DEFINITIONS['ws-connection-leak'].plannedMs(resolveParameters('ws-connection-leak', quick))
      // 10 s baseline, 50 opens, 1 s held, 20 cycles of 10 opens, 0.5 s held, 0.2 s apart, 30 s.
      expect(plan(false)).toBe(10_000 + 5_000 + 1_000 + 20 * (1_000 + 500 + 200) + 30_000)
      expect(plan(true)).toBe(2_000 + 5_000 + 1_000 + 3_000)
    })

    it('plans T228 with its baseline, ramp and cooldown, and no cooldown at 0', () => {
      const plan = (quick: boolean, over: Record<string, number> = {}): number =>
        DEFINITIONS['graceful-degradation'].plannedMs({
          ...resolveParameters('graceful-degradation', quick),
          ...over
        })
      // 100 to 3,000 rows/s by 100: 30 steps of 30 s; the cooldown waits 1 s, then flushes.
      expect(plan(false)).toBe(10_000 + 30 * 30_000 + 1_000 + 100_000)
      // 100 to 700 by 200: 4 steps of 3 s.
      expect(plan(true)).toBe(2_000 + 4 * 3_000 + 1_000 + 3_000)
      expect(plan(false, { cooldownMs: 0 })).toBe(10_000 + 30 * 30_000)
    })

    it('keeps every quick run well under a minute of planned time', () => {
      for (const id of SCENARIO_IDS) {
        const planned = DEFINITIONS[id].plannedMs(resolveParameters(id, true))
        expect(planned, id).toBeLessThan(45_000)
      }
    })
  })

  describe('resolveScenarioId', () => {
    it('accepts ids and seed numbers in any case', () => {
      expect(resolveScenarioId('memory-release')).toBe('memory-release')
      expect(resolveScenarioId('T223')).toBe('ws-connection-leak')
      expect(resolveScenarioId('t228')).toBe('graceful-degradation')
      expect(resolveScenarioId('221')).toBe('writers-and-listeners')
    })

    it('names the valid ones for anything else', () => {
      expect(() => resolveScenarioId('T229')).toThrow(
        /unknown scenario 'T229': expected one of memory-stability \(T220\)/
      )
    })
  })

  describe('parameterFlag', () => {
    it('drops unit suffixes and kebab-cases', () => {
      expect(parameterFlag('ratePerSec')).toBe('--rate')
      expect(parameterFlag('durationMs')).toBe('--duration')
      expect(parameterFlag('batchSize')).toBe('--batch-size')
      expect(parameterFlag('maxP95Ms')).toBe('--max-p95')
      expect(parameterFlag('stepIntervalMs')).toBe('--step-interval')
    })
  })
})

describe('scenarios/params', () => {
  describe('resolveParameters', () => {
    it('takes defaults, then quick values, then overrides', () => {
      expect(resolveParameters('memory-stability', false)).toMatchObject({
        durationMs: 300_000,
        writers: 10
      })
      expect(resolveParameters('memory-stability', true)).toMatchObject({
        durationMs: 12_000,
        writers: 5
      })
      expect(
        resolveParameters('memory-stability', true, { writers: 3, ratePerSec: 50 })
      ).toMatchObject({
        writers: 3,
        ratePerSec: 50,
        durationMs: 12_000
      })
    })

    it('refuses a parameter the scenario does not have, and values out of range, in one line', () => {
      expect(() => resolveParameters('memory-stability', false, { subscribers: 3 })).toThrow(
        /T220 \(memory-stability\) has no parameter --subscribers: it takes --writers, --rate/
      )
      expect(() => resolveParameters('memory-stability', false, { writers: 0 })).toThrow(
        /--writers: 0 is outside 1/
      )
    })
  })
})
