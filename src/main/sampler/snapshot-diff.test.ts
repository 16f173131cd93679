import { describe, expect, it } from 'vitest'
import type { MappingGroup } from '../../shared/snapshot'
import { buildSnapshot } from './snapshot'
import { diffSnapshots } from './snapshot-diff'

const MiB = 1024 * 1024

/** A full group with overrides (STYLE.md §23). */
function group(key: string, over: Partial<MappingGroup> = {}): MappingGroup {
  return {
    key,
    kind: 'data-file',
    mappings: 1,
    sizeBytes: 64 * MiB,
    rssBytes: 0,
    pssBytes: 0,
    privateDirtyBytes: 0,
    swapBytes: 0,
    ...over
  }
}

function snap(t: number, groups: MappingGroup[]) {
  return buildSnapshot(groups, { pid: 1, t, tookMs: 1, dataDir: '/d' })
}

describe('snapshot-diff', () => {
  describe('diffSnapshots', () => {
    const before = snap(1000, [
      group('anonymous', { kind: 'anonymous', rssBytes: 100 * MiB, pssBytes: 100 * MiB }),
      group('[heap]', { kind: 'heap', rssBytes: 10 * MiB }),
      group('/lib/libc.so.6', { kind: 'library', rssBytes: 2 * MiB }),
      group('/d/rocksdb/1.sst', { rssBytes: 4 * MiB, dataLabel: 'rocksdb-sst' }),
      group('/tmp/old.bin', { rssBytes: 1 * MiB })
    ])
    const after = snap(2000, [
      group('anonymous', {
        kind: 'anonymous',
        rssBytes: 150 * MiB,
        pssBytes: 150 * MiB,
        privateDirtyBytes: 50 * MiB,
        swapBytes: MiB
      }),
      group('[heap]', { kind: 'heap', rssBytes: 8 * MiB }),
      group('/lib/libc.so.6', { kind: 'library', rssBytes: 2 * MiB }),
      group('/d/rocksdb/1.sst', { rssBytes: 4 * MiB, dataLabel: 'rocksdb-sst' }),
      group('/d/rocksdb/2.sst', { rssBytes: 3 * MiB, dataLabel: 'rocksdb-sst' })
    ])
    const diff = diffSnapshots(before, after)
    const byKey = new Map(diff.rows.map((r) => [r.key, r]))

    it('gives every group a status', () => {
      expect(byKey.get('anonymous')?.status).toBe('grew')
      expect(byKey.get('[heap]')?.status).toBe('shrank')
      expect(byKey.get('/lib/libc.so.6')?.status).toBe('same')
      expect(byKey.get('/d/rocksdb/2.sst')?.status).toBe('new')
      expect(byKey.get('/tmp/old.bin')?.status).toBe('gone')
      expect(diff.rows).toHaveLength(6)
    })

    it('computes deltas and percentages per group', () => {
      expect(byKey.get('anonymous')).toMatchObject({
        kind: 'anonymous',
        beforeRssBytes: 100 * MiB,
        afterRssBytes: 150 * MiB,
        deltaRssBytes: 50 * MiB,
        deltaPercent: 50,
        deltaPssBytes: 50 * MiB,
        deltaPrivateDirtyBytes: 50 * MiB,
        deltaSwapBytes: MiB
      })
      expect(byKey.get('[heap]')?.deltaPercent).toBe(-20)
      expect(byKey.get('/d/rocksdb/2.sst')).toMatchObject({
        deltaPercent: null,
        beforeRssBytes: 0,
        dataLabel: 'rocksdb-sst'
      })
      expect(byKey.get('/tmp/old.bin')).toMatchObject({ deltaPercent: -100, afterRssBytes: 0 })
    })

    it('sorts rows by growth, largest first', () => {
      expect(diff.rows.map((r) => r.key)).toEqual([
        'anonymous',
        '/d/rocksdb/2.sst',
        '/d/rocksdb/1.sst',
        '/lib/libc.so.6',
        '/tmp/old.bin',
        '[heap]'
      ])
    })

    it('sums deltas by kind and in total', () => {
      expect(diff.beforeT).toBe(1000)
      expect(diff.afterT).toBe(2000)
      expect(diff.totalDeltaRssBytes).toBe(50 * MiB - 2 * MiB + 3 * MiB - 1 * MiB)
      expect(diff.byKind.anonymous).toEqual({ deltaRssBytes: 50 * MiB, deltaPercent: 50 })
      expect(diff.byKind['data-file'].deltaRssBytes).toBe(2 * MiB)
      expect(diff.byKind['data-file'].deltaPercent).toBe(40)
      expect(diff.byKind.stack).toEqual({ deltaRssBytes: 0, deltaPercent: 0 })
    })

    it('reports no change when a snapshot is compared with itself', () => {
      const same = diffSnapshots(after, after)
      expect(same.rows.every((r) => r.status === 'same' && r.deltaRssBytes === 0)).toBe(true)
      expect(same.totalDeltaRssBytes).toBe(0)
    })
  })
})
