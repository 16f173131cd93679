import { describe, expect, it } from 'vitest'
import { compareMetric, compareResult, criterion, sessionView } from '../../test/factories'
import { compareRows, criteriaDiff, overlaySpec, significanceOf } from './Sessions.utils'

describe('Sessions.utils', () => {
  describe('criteriaDiff', () => {
    it('pairs criteria by name, computes B − A and flags verdicts that differ', () => {
      const a = [criterion({ name: 'growth', measured: 4 }), criterion({ name: 'only-a' })]
      const b = [criterion({ name: 'growth', measured: 12, pass: false })]
      expect(criteriaDiff(a, b)).toEqual([
        expect.objectContaining({ name: 'growth', delta: 8, changed: true }),
        expect.objectContaining({ name: 'only-a', b: null, delta: null, changed: true })
      ])
      expect(criteriaDiff(null, null)).toEqual([])
    })
  })

  describe('overlaySpec', () => {
    it('puts both sessions on time since their own start', () => {
      const s = overlaySpec(sessionView(), sessionView())
      expect(s.datasets.map((d) => d.label)).toEqual(['A: RSS', 'A: heap', 'B: RSS', 'B: heap'])
      expect(s.datasets[0]!.data.map((p) => p.x)).toEqual([0, 1, 2, 3])
    })
  })
})

describe('Sessions.utils significance', () => {
  describe('significanceOf', () => {
    it('maps criterion rows of a comparison to a call by criterion name', () => {
      expect(significanceOf(compareResult())).toEqual({ 'RSS growth': 'worse (significant)' })
    })
  })

  describe('compareRows', () => {
    it('lists the other metrics, significant ones first', () => {
      const r = compareResult({
        metrics: [
          compareMetric({ id: 'x', significant: false, direction: 'same' }),
          compareMetric({ id: 'y' })
        ]
      })
      expect(compareRows(r).map((m) => m.id)).toEqual(['y', 'x'])
    })
  })
})
