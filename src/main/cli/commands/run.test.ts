/**
 * `run`'s terminal output as pure functions of what the runner reports: the live progress
 * line and the verdict table printed at the end. The command end to end is covered in
 * test/integration/run-cli.test.ts.
 */
import { describe, expect, it } from 'vitest'
import type { RunProgress, RunResult } from '../../../shared/run'
import { progressLine, verdictTable } from './run'

const progress = (o: Partial<RunProgress> = {}): RunProgress => ({
  t: 0,
  scenario: 'writers-and-listeners',
  phase: 'load',
  elapsedMs: 65_000,
  totalMs: 300_000,
  achievedRatePerSec: 199.6,
  targetRatePerSec: 200,
  rssBytes: 200 * 1024 * 1024,
  inserts: 13_000,
  errors: 2,
  rateLimited: 0,
  notifications: 0,
  droppedNotifications: 0,
  disconnects: 0,
  criteria: [],
  ...o
})

describe('cli/commands/run', () => {
  describe('progressLine', () => {
    it('shows phase, elapsed of total, achieved of target rate, RSS, inserts and errors', () => {
      expect(progressLine(progress())).toBe(
        '[load] 1m 5s / 5m 0s  rate 200/s of 200  RSS 200.0 MiB  inserts 13000  errors 2'
      )
    })

    it('says what is not known yet and adds 429s, notifications and disconnects once they occur', () => {
      const line = progressLine(
        progress({
          phase: 'baseline',
          elapsedMs: 500,
          targetRatePerSec: null,
          rssBytes: null,
          rateLimited: 7,
          notifications: 40,
          disconnects: 1
        })
      )
      expect(line).toBe(
        '[baseline] 500 ms / 5m 0s  rate 200/s  RSS -  inserts 13000  errors 2  429s 7  notifications 40  dropped 0  disconnects 1'
      )
    })
  })

  describe('verdictTable', () => {
    const result = (verdicts: RunResult['verdicts']): RunResult => ({
      dir: '/tmp/s',
      scenario: 'ws-connection-leak',
      status: 'failed',
      verdicts,
      exitCode: 1
    })

    it('heads with seed, scenario, status and session, then one aligned row per criterion', () => {
      const table = verdictTable(
        result([
          {
            name: 'Server-reported WebSocket sessions',
            threshold: '== 25',
            measured: 50,
            unit: 'count',
            pass: false,
            reason: '25 closed connections still held by the server'
          },
          { name: 'RSS growth', threshold: '< 10%', measured: 2.345, unit: 'percent', pass: true },
          {
            name: 'Latency',
            threshold: 'p95 < 500 ms',
            measured: null,
            unit: 'ms',
            pass: null,
            reason: 'Not measurable on this server.'
          }
        ])
      )
      const lines = table.split('\n')
      expect(lines[0]).toBe('T223 ws-connection-leak: failed   (session /tmp/s)')
      expect(lines[1]).toBe(
        '  FAIL  Server-reported WebSocket sessions  == 25                50  25 closed connections still held by the server'
      )
      expect(lines[2]).toMatch(/^ {2}PASS {2}RSS growth {26}< 10% {8}\s+2\.3% {2}$/)
      expect(lines[3]).toMatch(/^ {2}N\/A {3}Latency .* p95 < 500 ms\s+n\/a {2}Not measurable/)
      expect(table.endsWith('\n')).toBe(true)
      expect(lines).toHaveLength(5)
    })

    it('writes measured values in their unit', () => {
      const table = verdictTable(
        result([
          { name: 'a', threshold: 't', measured: 3 * 1024 * 1024, unit: 'bytes', pass: true },
          { name: 'b', threshold: 't', measured: 12, unit: 'ms', pass: true },
          { name: 'c', threshold: 't', measured: 950, unit: 'per-sec', pass: true }
        ])
      )
      expect(table).toContain('3.0 MiB')
      expect(table).toContain('12 ms')
      expect(table).toContain('950/s')
    })
  })
})
