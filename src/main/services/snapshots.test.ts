import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MAPPING_KINDS, type MemorySnapshot } from '../../shared/snapshot'
import { listSessionDirs, readSession } from '../session/reader'
import { SessionStore } from './session-store'
import { SnapshotService } from './snapshots'

function snapshot(t: number, rssBytes: number, label?: string): MemorySnapshot {
  const fig = {
    mappings: 1,
    sizeBytes: rssBytes,
    rssBytes,
    pssBytes: rssBytes,
    privateDirtyBytes: 0,
    swapBytes: 0
  }
  return {
    schemaVersion: 1,
    t,
    pid: 7,
    ...(label ? { label } : {}),
    tookMs: 1,
    dataDir: null,
    totals: fig,
    byKind: Object.fromEntries(MAPPING_KINDS.map((k) => [k, fig])) as MemorySnapshot['byKind'],
    groups: []
  }
}

describe('snapshots', () => {
  let root: string
  let session: string
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kp-snap-'))
    session = join(root, 's1')
    mkdirSync(join(session, 'snapshots'), { recursive: true })
    writeFileSync(
      join(session, 'session.json'),
      JSON.stringify({
        schemaVersion: 1,
        scenario: 'x',
        target: { pid: 7 },
        startedAt: 1,
        endedAt: 2,
        status: 'passed'
      })
    )
    writeFileSync(join(session, 'samples.ndjson'), '')
    writeFileSync(
      join(session, 'snapshots', 'start.json'),
      JSON.stringify(snapshot(10, 100, 'start'))
    )
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  describe('SnapshotService', () => {
    it('takes live snapshots (into the running session too), lists them with recorded ones, diffs any two', async () => {
      const engine = {
        takeSnapshot: vi.fn(async () => snapshot(20, 300)),
        diffSnapshots: vi.fn(
          (a: MemorySnapshot, b: MemorySnapshot) => ({ beforeT: a.t, afterT: b.t }) as never
        )
      }
      const service = new SnapshotService(
        engine,
        new SessionStore([root], { readSession, listSessionDirs })
      )
      const taken = await service.take(7, 'now', session)
      expect(taken).toEqual({ id: 'live:1', t: 20, pid: 7, label: null, rssBytes: 300 })
      expect(engine.takeSnapshot).toHaveBeenCalledWith(7, { label: 'now' })
      expect(existsSync(join(session, 'snapshots', 'ui-1.json'))).toBe(true)
      const list = await service.list(session)
      expect(list.map((s) => s.id)).toEqual([`${session}#start`, 'live:1', `${session}#ui-1`])
      expect(await service.diff(`${session}#start`, 'live:1')).toEqual({ beforeT: 10, afterT: 20 })
      await expect(service.diff('live:9', 'live:1')).rejects.toMatchObject({ code: 'BAD_INPUT' })
      await expect(service.diff('/etc#passwd', 'live:1')).rejects.toMatchObject({
        code: 'SESSION_INVALID'
      })
    })
  })
})
