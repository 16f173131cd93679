import { describe, expect, it } from 'vitest'
import { analysisFor } from '../../../test/fixtures/report/analysis'
import { parseJunit } from '../../../test/fixtures/report/checks'
import { sessionInMemory, type SessionKind } from '../../../test/fixtures/report/sessions'
import { renderTextReport } from './index'

function junitOf(kind: SessionKind) {
  const s = sessionInMemory({ kind })
  return parseJunit(renderTextReport(s, analysisFor(s), 'junit', { hostname: 'ci-runner' }))
}

describe('report/junit', () => {
  describe('renderJunit', () => {
    it('has one testcase per criterion; a failure carries measured vs threshold', () => {
      const j = junitOf('failed')
      expect(j.suites).toEqual([
        { name: 'kalam-profiler.memory-stability', tests: 4, failures: 2, errors: 0, skipped: 0 }
      ])
      const growth = j.cases[0]!
      expect(growth).toMatchObject({
        name: 'RSS growth over the load phase (< 10%)',
        classname: 'kalam-profiler.memory-stability',
        outcome: 'failure',
        type: 'criterion-failed',
        message: 'measured 18.4%, threshold < 10%'
      })
      expect(growth.body).toContain('RSS grew 18.4%')
      expect(j.cases[3]!.name).toBe('Achieved insert rate (>= 95 /s <&> "quoted")')
      expect(j.properties).toMatchObject({
        scenario: 'memory-stability',
        status: 'failed',
        KalamDB: '0.3.1 (built 2025-01-10, commit a1b2c3d)'
      })
    })

    it('passes every testcase of a passing run', () => {
      const j = junitOf('passed')
      expect(j.cases.map((c) => c.outcome)).toEqual(['pass', 'pass', 'pass', 'pass'])
    })

    it('turns a crash into errors on what did not pass, plus the target itself', () => {
      const j = junitOf('target-crashed')
      expect(j.suites[0]).toMatchObject({ tests: 5, errors: 3, failures: 0, skipped: 0 })
      expect(j.cases.at(-1)).toMatchObject({
        name: 'target process stays up',
        outcome: 'error',
        type: 'target-crashed',
        message: 'kalamdb-server exited with signal SIGSEGV'
      })
    })

    it('skips what could not be measured, with the reason', () => {
      const s = sessionInMemory({ kind: 'passed' })
      const criteria = [
        { name: 'p95', threshold: '< 5 ms', measured: null, unit: 'ms' as const, pass: null }
      ]
      const j = parseJunit(renderTextReport(s, analysisFor(s, { criteria }), 'junit'))
      expect(j.cases).toEqual([
        expect.objectContaining({
          outcome: 'skipped',
          message: 'not measurable: not enough data to measure this (no data never passes)'
        })
      ])
    })

    it('reports memory verdicts as testcases when the run had no criteria', () => {
      const s = sessionInMemory({ kind: 'failed' })
      s.verdicts = null
      const j = parseJunit(
        renderTextReport(s, analysisFor(s, { status: 'no-criteria', criteria: [] }), 'junit')
      )
      expect(j.cases.map((c) => [c.name, c.outcome])).toEqual([
        ['RSS does not leak', 'failure'],
        ['Heap (RssAnon) does not leak', 'pass'],
        ['File-mapped (RssFile) does not leak', 'skipped']
      ])
    })

    it('stays well-formed whatever characters the names hold', () => {
      const s = sessionInMemory({ kind: 'failed' })
      const nasty = 'a <b> & "c" \'d\' ]]> \u0001\u0007 \uD800 é 漢 😀'
      const criteria = [
        {
          name: nasty,
          threshold: nasty,
          measured: 1,
          unit: 'count' as const,
          pass: false,
          reason: nasty
        }
      ]
      const j = parseJunit(renderTextReport(s, analysisFor(s, { criteria }), 'junit'))
      expect(j.cases[0]!.name).toBe(`a <b> & "c" 'd' ]]>   é 漢 😀 (a <b> & "c" 'd' ]]>   é 漢 😀)`)
    })
  })
})
