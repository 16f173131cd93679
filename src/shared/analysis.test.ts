import { describe, expect, it } from 'vitest'
import { fitText } from './analysis'

describe('shared/analysis', () => {
  describe('fitText', () => {
    it('says how many troughs a fit was made on, and nothing more for a fit on samples', () => {
      expect(fitText({ r2: 0.9712 })).toBe('0.97')
      expect(fitText({ r2: 0.987, troughs: 4 })).toBe('0.99 on 4 troughs')
    })
  })
})
