import { describe, expect, it } from 'vitest'
import type { CriterionResult } from '../../shared/session'
import { sessionStatus } from './status'

const pass: CriterionResult = {
  name: 'a',
  threshold: '< 10%',
  measured: 1,
  unit: 'percent',
  pass: true
}
const fail: CriterionResult = { ...pass, pass: false }
const unmeasured: CriterionResult = { ...pass, measured: null, pass: null }

describe('analysis/status', () => {
  describe('sessionStatus', () => {
    it('passes only when every criterion passed', () => {
      expect(sessionStatus({ status: 'passed' }, [], [pass])).toBe('passed')
      expect(sessionStatus({ status: 'failed' }, [], [pass, fail])).toBe('failed')
    })
    it('never passes a criterion that could not be measured', () => {
      expect(sessionStatus({ status: 'passed' }, [], [pass, unmeasured])).toBe('failed')
    })
    it('says no-criteria without verdicts', () => {
      expect(sessionStatus({ status: 'completed' }, [], null)).toBe('no-criteria')
      expect(sessionStatus({ status: 'completed' }, [], [])).toBe('no-criteria')
    })
    it('puts a crash or an interruption before the criteria', () => {
      expect(sessionStatus({ status: 'target-crashed' }, [], [pass])).toBe('target-crashed')
      expect(
        sessionStatus(
          { status: 'passed' },
          [{ t: 1, type: 'crash', pid: 1, exitedAt: 1, message: 'x' }],
          [pass]
        )
      ).toBe('target-crashed')
      expect(sessionStatus({ status: 'interrupted' }, [], [pass])).toBe('interrupted')
    })
  })
})
