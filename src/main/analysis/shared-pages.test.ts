import { describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/sample'
import type { SessionData } from '../../shared/session'
import { syntheticSession } from '../../../test/fixtures/sessions/build'
import { analyzeSession } from './index'
import * as S from './synthetic'

const MiB = 1024 * 1024
const L = 200 * MiB

/** PSS = USS + a shared share that rises 1 MiB every 30 s (other processes exiting one by one). */
const sharedShareRises = (ms: number, s: Sample): Sample =>
  s.ussBytes === null ? s : { ...s, pssBytes: s.ussBytes + 5 * MiB + MiB * Math.floor(ms / 30_000) }

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
      const alone = analyzeSession({
        ...session,
        samples: session.samples.map((x) => ({ ...x, ussBytes: null }))
      })
      expect(alone.metrics.pssBytes?.verdict).toBe('inconclusive')
      const a = analyzeSession(session)
      expect(a.metrics.pssBytes).toMatchObject({ verdict: 'stable', reasonCode: 'shared-pages' })
      expect(a.metrics.pssBytes?.reason).toMatch(
        /^PSS moved \+.*, but neither the process's own pages \(USS, .*\) nor RSS grew: .* not memory of its own\.$/
      )
    })

    it('makes a PSS leak inconclusive, blaming no one, when USS moved too little to call', () => {
      // PSS climbs 2 %/min; USS, read with it, wanders ±25 % and leaves nothing decided.
      const random = S.seededRandom(7)
      const noisyOwn = (ms: number, s: Sample): Sample =>
        s.ussBytes === null
          ? s
          : {
              ...s,
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
})
