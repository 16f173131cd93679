/**
 * Scenarios judged on memory, connection counts and server figures, in --quick mode against a
 * simulator without faults: every one passes. They run side by side (each with its own
 * simulator): none of their criteria is a timing.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { readSession } from '../../src/main/session/reader'
import { describeRun, removeTempDirs, runQuick } from './scenario-helpers'

afterAll(removeTempDirs)

describe.concurrent('run --quick against a clean simulator (memory and counts)', () => {
  for (const id of ['T220', 'T223', 'T224', 'T226', 'T227']) {
    it(`passes ${id}`, async () => {
      const r = await runQuick(id)
      expect(r.code, describeRun(r)).toBe(0)
      expect(
        r.result.verdicts.every((v) => v.pass === true),
        describeRun(r)
      ).toBe(true)
      const session = await readSession(r.result.dir)
      expect(session.meta.status).toBe('passed')
      expect(session.meta.command).toContain('--quick')
      expect(JSON.stringify(session.meta)).not.toContain('kalamdb123')
      expect(session.samples.length).toBeGreaterThan(5)
      expect(session.events.some((e) => e.type === 'counters')).toBe(true)
    })
  }
})
