import { describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/sample'
import { processSample } from '../../../test/helpers/sample'
import { envelopeSamples, MAX_VIEW_SAMPLES } from './envelope'

const MiB = 1024 * 1024

/** `n` samples 100 ms apart from t = 1,000,000, RSS given by `rss(i)`. */
function series(n: number, rss: (i: number) => number): Sample[] {
  return Array.from({ length: n }, (_, i) => processSample(1_000_000 + i * 100, rss(i)))
}

describe('session/envelope', () => {
  it('returns a recording within the limit whole', () => {
    const s = series(50, (i) => 100 * MiB + i)
    expect(envelopeSamples(s, 50)).toEqual(s)
  })

  it('keeps at most `max` samples, in time order, over the whole recording', () => {
    const s = series(10_001, (i) => 100 * MiB + ((i * 7919) % 1000) * 1024)
    const out = envelopeSamples(s, 1000)
    expect(out.length).toBeLessThanOrEqual(1000)
    expect(out.length).toBeGreaterThan(900)
    expect((out[0] as Sample).t - (s[0] as Sample).t).toBeLessThan(2000)
    expect((s.at(-1) as Sample).t - (out.at(-1) as Sample).t).toBeLessThan(2000)
    for (let i = 1; i < out.length; i++) {
      expect((out[i] as Sample).t).toBeGreaterThan((out[i - 1] as Sample).t)
    }
  })

  it('keeps a one-sample spike and a one-sample drop that every n-th sample would miss', () => {
    const s = series(100_000, () => 100 * MiB)
    ;(s[33_333] as Sample).rssBytes = 180 * MiB
    ;(s[66_667] as Sample).rssBytes = 20 * MiB
    const out = envelopeSamples(s, 2000)
    expect(out).toContain(s[33_333])
    expect(out).toContain(s[66_667])
    const rss = out.map((x) => x.rssBytes)
    expect(Math.max(...rss)).toBe(180 * MiB)
    expect(Math.min(...rss)).toBe(20 * MiB)
  })

  it('keeps the shape of a sawtooth: each span its high and its low', () => {
    // A 10 s flush cycle at 10 Hz over an hour, thinned to a few samples a cycle.
    const s = series(36_000, (i) => 100 * MiB + (i % 100) * 100 * 1024)
    const out = envelopeSamples(s, 2000)
    const rss = out.map((x) => x.rssBytes)
    expect(Math.min(...rss)).toBe(100 * MiB)
    expect(Math.max(...rss)).toBe(100 * MiB + 99 * 100 * 1024)
  })

  it('spreads over time: a gap keeps nothing, the hours on each side keep their share', () => {
    // An hour at 1 Hz, a 7-hour gap (the laptop slept), another hour.
    const before = Array.from({ length: 3600 }, (_, i) => processSample(i * 1000, 100 * MiB + i))
    const after = Array.from({ length: 3600 }, (_, i) =>
      processSample((8 * 3600 + i) * 1000, 100 * MiB + i)
    )
    const out = envelopeSamples([...before, ...after], 1000)
    expect(out.length).toBeLessThanOrEqual(1000)
    const late = out.filter((x) => x.t >= 8 * 3600 * 1000).length
    expect(late).toBeGreaterThan(50)
    expect(out.at(-1)?.t).toBeGreaterThan((8 * 3600 + 3500) * 1000)
  })

  it('keeps at most MAX_VIEW_SAMPLES by default', () => {
    const s = series(MAX_VIEW_SAMPLES * 3, (i) => 100 * MiB + (i % 17) * 4096)
    expect(envelopeSamples(s).length).toBeLessThanOrEqual(MAX_VIEW_SAMPLES)
  })
})
