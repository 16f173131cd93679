import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/sample'
import { SessionWriter } from './writer'

function sample(t: number): Sample {
  return {
    t,
    pid: 1,
    rssBytes: 100,
    pssBytes: null,
    ussBytes: null,
    heapBytes: 60,
    fileMappedBytes: 40,
    stackBytes: 1,
    swapBytes: 0,
    cpuPercent: null,
    cpuUserPercent: null,
    cpuSystemPercent: null,
    threads: 1,
    fds: 3,
    tcpConnections: 0,
    portConnections: null,
    wsConnections: null
  }
}

const lines = (file: string): unknown[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown)

const dirs: string[] = []
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kp-session-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('session', () => {
  describe('SessionWriter', () => {
    it('writes the contract files and marks the session running until it finishes', () => {
      const dir = tempDir()
      const w = new SessionWriter(dir, {
        scenario: 'memory-stability',
        target: { pid: 1 },
        startedAt: 1000
      })
      expect(JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8'))).toEqual({
        schemaVersion: 1,
        scenario: 'memory-stability',
        target: { pid: 1 },
        startedAt: 1000,
        endedAt: null,
        status: 'running',
        writerPid: process.pid
      })
      w.appendSample(sample(1000))
      w.appendSample(sample(2000))
      w.appendEvent({ t: 1000, type: 'phase', phase: 'baseline' })
      w.writeSnapshot('before load', { groups: [] })
      w.writeVerdicts([{ name: 'x', threshold: '< 10%', measured: 1, pass: true }])
      w.finish('passed', 3000)
      expect(lines(join(dir, 'samples.ndjson'))).toEqual([sample(1000), sample(2000)])
      expect(lines(join(dir, 'events.ndjson'))).toEqual([
        { t: 1000, type: 'phase', phase: 'baseline' }
      ])
      expect(readdirSync(join(dir, 'snapshots'))).toEqual(['before_load.json'])
      expect(JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8'))).toMatchObject({
        status: 'passed',
        endedAt: 3000
      })
      // Nothing is written after finish, and no temp files are left behind.
      w.appendSample(sample(4000))
      expect(lines(join(dir, 'samples.ndjson'))).toHaveLength(2)
      expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([])
    })

    it('hands buffered lines to the kernel on its clock, before the run ends', async () => {
      const dir = tempDir()
      const w = new SessionWriter(dir, { scenario: 'sample', target: { pid: 1 }, startedAt: 0 }, 10)
      w.appendSample(sample(1))
      w.appendEvent({ t: 1, type: 'marker', label: 'x' })
      expect(readFileSync(join(dir, 'samples.ndjson'), 'utf8')).toBe('')
      await new Promise((r) => setTimeout(r, 60))
      // A reader (or a kill -9 now) sees the lines although finish() was never called.
      expect(lines(join(dir, 'samples.ndjson'))).toEqual([sample(1)])
      expect(lines(join(dir, 'events.ndjson'))).toEqual([{ t: 1, type: 'marker', label: 'x' }])
      expect(JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8')).status).toBe('running')
      w.finish('interrupted')
    })
  })
})
