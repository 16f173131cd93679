import { describe, expect, it } from 'vitest'
import { quantileSorted } from '../compare/stats'
import { maxOf, medianInPlace, minOf, quantileInPlace, select } from './select'
import { seededRandom } from './stats'

/** Random lists: few distinct values (many ties) or spread ones, in random, rising or falling order. */
function lists(count: number): number[][] {
  const random = seededRandom(7)
  const out: number[][] = []
  for (let trial = 0; trial < count; trial++) {
    const n = 1 + Math.floor(random() * 60)
    const distinct = trial % 3 === 0 ? 3 : 1000
    const xs = Array.from({ length: n }, () => Math.floor(random() * distinct) - distinct / 2)
    if (trial % 5 === 1) xs.sort((a, b) => a - b)
    if (trial % 5 === 2) xs.sort((a, b) => b - a)
    out.push(xs)
  }
  return out
}

const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b)

describe('analysis/select', () => {
  it('selects every order statistic a sort gives', () => {
    for (const xs of lists(100)) {
      const s = sorted(xs)
      for (let k = 0; k < xs.length; k++) {
        expect(select(Float64Array.from(xs), xs.length, k)).toBe(s[k])
      }
    }
  })

  it('gives the median a sort gives, the two middles averaged for an even count', () => {
    for (const xs of lists(300)) {
      const s = sorted(xs)
      const m = s.length >> 1
      const want = s.length % 2 ? s[m] : ((s[m - 1] as number) + (s[m] as number)) / 2
      expect(medianInPlace(Float64Array.from(xs))).toBe(want)
    }
  })

  it('reads only the first n entries', () => {
    // The rest of a scratch array (slopes not filled) must not count.
    const a = Float64Array.from([5, 1, 3, -100, -100, -100])
    expect(medianInPlace(a, 3)).toBe(3)
    expect(quantileInPlace(Float64Array.from([4, 2, 9, 0, 0]), 3, 0.5)).toBe(4)
  })

  it('gives the type-7 quantile a sort gives', () => {
    for (const xs of lists(100)) {
      for (const q of [0, 0.1, 0.25, 0.5, 0.9, 1]) {
        expect(quantileInPlace(Float64Array.from(xs), xs.length, q)).toBeCloseTo(
          quantileSorted(sorted(xs), q),
          9
        )
      }
    }
  })

  describe('maxOf / minOf', () => {
    it('find the extremes of more values than a call can take as arguments', () => {
      const values = Array.from({ length: 300_000 }, (_, i) => Math.sin(i) * i)
      expect(() => Math.max(...values)).toThrow(RangeError)
      let max = -Infinity
      let min = Infinity
      for (const v of values) {
        max = Math.max(max, v)
        min = Math.min(min, v)
      }
      expect(maxOf(values)).toBe(max)
      expect(minOf(values)).toBe(min)
      expect(maxOf(Float64Array.from([3, -1, 2]))).toBe(3)
      expect([maxOf([]), minOf([])]).toEqual([-Infinity, Infinity])
    })
  })
})
