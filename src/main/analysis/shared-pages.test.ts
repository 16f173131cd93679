import { describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/sample'
import type { SessionData } from '../../shared/session'
import { syntheticSession } from '../../../test/fixtures/sessions/build'
import { analyzeSession } from './index'
import { judgeTrend } from './trend'
import * as S from './synthetic'

const MiB = 1024 * 1024
const L = 200 * MiB

/** PSS = USS + a shared share that rises 1 MiB every 30 s (other processes exiting one by one). */
const sharedShareRises = (ms: number, s: Sample): Sample =>
  s.ussBytes === null ? s : { ...s, pssBytes: s.ussBytes + 5 * MiB + MiB * Math.floor(ms / 30_000) }

/**
 * Anonymous pages grow 2 %/min into room the kernel takes from file pages: RSS holds level
 * while the heap leaks.
 */
const anonIntoFile = (ms: number, s: Sample): Sample => {
  const grown = Math.round((0.02 * L * ms) / 60_000)
  return {
    ...s,
    heapBytes: s.heapBytes - 20 * MiB + grown,
    fileMappedBytes: s.fileMappedBytes + 20 * MiB - grown
  }
}

/** Five minutes of a flat RSS and heap under 0.2 % noise, PSS and USS as `sample` sets them. */
const flatSession = (sample: (ms: number, s: Sample) => Sample): SessionData =>
  syntheticSession({ rss: S.flat(L), durationMs: 5 * 60_000, noise: 0.002, sample })

describe('analysis/shared-pages', () => {
  describe('checkPssAgainstOwnPages (through analyzeSession)', () => {
    it("takes USS's verdict, saying why, when PSS rises but the process's own pages do not", () => {
      const a = analyzeSession(flatSession(sharedShareRises))
      expect(a.metrics.rssBytes?.verdict).toBe('stable')
      expect(a.metrics.pssBytes).toMatchObject({ verdict: 'stable', reasonCode: 'shared-pages' })
      expect(a.metrics.pssBytes?.slopeBytesPerMin).toBeGreaterThan(1.5 * MiB)
      expect(a.metrics.pssBytes?.reason).toMatch(
        /^PSS rose \+.*\/min, but the process's own pages \(USS\) held steady .* not a leak of its own\.$/
      )
      expect(a.findings.some((f) => f.severity === 'problem')).toBe(false)
    })

    it('calls an undecided PSS stable when neither USS nor RSS grew', () => {
      // The shared share steps up 4 MiB late in the window: PSS alone cannot tell a plateau
      // from the start of a climb; but PSS is USS plus shares of what RSS holds, and both held.
      const lateStep = (ms: number, s: Sample): Sample =>
        s.ussBytes === null ? s : { ...s, pssBytes: s.ussBytes + (ms >= 240_000 ? 9 : 5) * MiB }
      const session = flatSession(lateStep)
      const pssAlone = session.samples.flatMap((x) =>
        x.pssBytes === null ? [] : [{ t: x.t, v: x.pssBytes }]
      )
      expect(judgeTrend(pssAlone).verdict).toBe('inconclusive')
      const a = analyzeSession(session)
      expect(a.metrics.pssBytes).toMatchObject({ verdict: 'stable', reasonCode: 'shared-pages' })
      expect(a.metrics.pssBytes?.reason).toMatch(
        /^PSS moved \+.*, but neither the process's own pages \(USS, .*\) nor RSS grew: .* not memory of its own\.$/
      )
    })

    it('makes a PSS leak inconclusive, blaming no one, when USS moved too little to call', () => {
      // PSS climbs 2 %/min; USS, read with it, wanders ±25 % and leaves nothing decided. (The
      // heap grows into file pages' room: a steady heap and RSS would vouch for PSS's pages,
      // checkPssInSteadyRss.)
      const random = S.seededRandom(7)
      const noisyOwn = (ms: number, s: Sample): Sample =>
        s.ussBytes === null
          ? anonIntoFile(ms, s)
          : {
              ...anonIntoFile(ms, s),
              pssBytes: L + 0.02 * L * (ms / 60_000),
              ussBytes: Math.round(L * (0.75 + 0.5 * random()))
            }
      const a = analyzeSession(flatSession(noisyOwn))
      expect(a.metrics.pssBytes).toMatchObject({
        verdict: 'inconclusive',
        reasonCode: 'own-pages-unclear'
      })
      expect(a.metrics.pssBytes?.reason).toMatch(
        /^PSS rose \+.*, but the process's own pages \(USS\), read with it, moved .* and are not surely leaking themselves: PSS alone does not show a leak\.$/
      )
    })

    it('keeps a PSS leak whose own pages leak too', () => {
      const a = analyzeSession(
        syntheticSession({ rss: S.linearLeak(L, 2), durationMs: 5 * 60_000, noise: 0.002 })
      )
      expect(a.metrics.pssBytes).toMatchObject({ verdict: 'leak', reasonCode: 'growing' })
    })

    it('keeps a PSS leak when USS was not measured (nothing to check it against)', () => {
      const a = analyzeSession(
        flatSession((ms, s) => ({ ...sharedShareRises(ms, s), ussBytes: null }))
      )
      expect(a.metrics.pssBytes).toMatchObject({ verdict: 'leak', reasonCode: 'growing' })
    })
  })

  describe('checkPssInSteadyRss (through analyzeSession)', () => {
    /** PSS steps up 4 MiB late in the window (a plateau or a climb's start?); USS not read. */
    const lateStepNoUss = (ms: number, s: Sample): Sample =>
      s.pssBytes === null
        ? s
        : { ...s, ussBytes: null, pssBytes: s.rssBytes - 45 * MiB + (ms >= 240_000 ? 4 : 0) * MiB }

    it('calls an undecided PSS stable while RSS and the heap, read at every sample, held steady', () => {
      const a = analyzeSession(flatSession(lateStepNoUss))
      expect(a.metrics.rssBytes?.verdict).toBe('stable')
      expect(a.metrics.heapBytes?.verdict).toBe('stable')
      expect(a.metrics.pssBytes).toMatchObject({ verdict: 'stable', reasonCode: 'in-steady-rss' })
      expect(a.metrics.pssBytes?.reason).toMatch(
        /^PSS moved [+-].*\/min .*: its own readings leave it undecided\. But every page it counts is one of RSS's, and RSS \([+-].*\/min\) and its anonymous part, the heap \([+-].*\/min\), read at every sample, both held steady: .* No leak of the process's own\.$/
      )
    })

    it('leaves PSS undecided when the heap leaks, even with RSS steady', () => {
      const a = analyzeSession(flatSession((ms, s) => lateStepNoUss(ms, anonIntoFile(ms, s))))
      expect(a.metrics.rssBytes?.verdict).toBe('stable')
      expect(a.metrics.heapBytes?.verdict).toBe('leak')
      expect(a.metrics.pssBytes?.verdict).toBe('inconclusive')
    })

    it('leaves PSS undecided when RSS is not steady, even with the heap steady', () => {
      // Files mapped one after another grow RSS 2 %/min; the heap does not move, and PSS (its
      // pages plus a share of files, here none) steps late, undecided.
      const filesGrow = (ms: number, s: Sample): Sample => {
        const mapped = Math.round((0.02 * L * ms) / 60_000)
        return {
          ...s,
          rssBytes: s.rssBytes + mapped,
          fileMappedBytes: s.fileMappedBytes + mapped,
          ussBytes: null,
          pssBytes: s.pssBytes === null ? null : s.heapBytes + (ms >= 240_000 ? 9 : 5) * MiB
        }
      }
      const a = analyzeSession(flatSession(filesGrow))
      expect(a.metrics.rssBytes?.verdict).toBe('leak')
      expect(a.metrics.heapBytes?.verdict).toBe('stable')
      expect(a.metrics.pssBytes?.verdict).toBe('inconclusive')
    })

    it('leaves a PSS too short to judge as it is', () => {
      // Read once in the window: no trend of its own to vouch for.
      const once = (ms: number, s: Sample): Sample => ({
        ...s,
        ussBytes: null,
        pssBytes: ms === 150_000 ? s.rssBytes - 45 * MiB : null
      })
      const a = analyzeSession(flatSession(once))
      expect(a.metrics.rssBytes?.verdict).toBe('stable')
      expect(a.metrics.pssBytes).toMatchObject({ verdict: 'inconclusive', reasonCode: 'too-short' })
    })
  })
})
