import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { MAPPING_KINDS, type MappingGroup } from '../../shared/snapshot'
import { parseSmaps } from './smaps'
import {
  buildSnapshot,
  dataLabel,
  decodeText,
  envValue,
  groupMappings,
  guessDataDir,
  permissionError,
  takeSnapshot,
  tomlDataPath
} from './snapshot'

const FIXTURES = new URL('../../../test/fixtures/proc/', import.meta.url)
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8')

function groupsOf(name: string, dataDir: string | null): Map<string, MappingGroup> {
  const text = name.endsWith('.gz')
    ? gunzipSync(readFileSync(new URL(name, FIXTURES))).toString('utf8')
    : fixture(name)
  return new Map(groupMappings(parseSmaps(text), dataDir).map((g) => [g.key, g]))
}

describe('snapshot', () => {
  describe('groupMappings', () => {
    it('classifies every kind of mapping of a real process', () => {
      const g = groupsOf('smaps-odd.txt', '/tmp/kp-fixture/data')
      const kinds = Object.fromEntries([...g.values()].map((x) => [x.key, x.kind]))
      expect(kinds).toMatchObject({
        anonymous: 'anonymous',
        '[heap]': 'heap',
        '[stack]': 'stack',
        '[vdso]': 'special',
        '[vvar]': 'special',
        '[vsyscall]': 'special',
        '/usr/lib/x86_64-linux-gnu/libc.so.6': 'library',
        '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2': 'library',
        // The executable: its read-only segments share the group of its code.
        '/tmp/kpfx/kp-many-maps': 'library',
        '/tmp/kp-fixture/data/rocksdb/000123.sst': 'data-file',
        '/tmp/kp-fixture/dir with spaces/file name.bin': 'data-file',
        '/tmp/kp-fixture/outside.log': 'data-file',
        '/tmp/kp-fixture/gone.bin': 'data-file',
        '/dev/shm/kp-fixture-shm': 'shared-memory',
        '/memfd:kp-memfd': 'shared-memory',
        '/SYSV00000000': 'shared-memory',
        '/dev/zero': 'shared-memory'
      })
      expect(g.get('/tmp/kpfx/kp-many-maps')?.mappings).toBe(5)
    })

    it('labels data files under the data directory only', () => {
      const g = groupsOf('smaps-odd.txt', '/tmp/kp-fixture/data/')
      const label = (k: string): string | undefined => g.get(k)?.dataLabel
      expect(label('/tmp/kp-fixture/data/rocksdb/000123.sst')).toBe('rocksdb-sst')
      expect(label('/tmp/kp-fixture/data/rocksdb/000124.sst')).toBe('rocksdb-sst')
      expect(label('/tmp/kp-fixture/data/rocksdb/MANIFEST-000005')).toBe('rocksdb-other')
      expect(label('/tmp/kp-fixture/data/storage/app/events/batch-1.parquet')).toBe('parquet')
      expect(label('/tmp/kp-fixture/data/storage/app/events/manifest.json')).toBe('other')
      expect(label('/tmp/kp-fixture/outside.log')).toBeUndefined()
      expect(label('/usr/lib/x86_64-linux-gnu/libc.so.6')).toBeUndefined()
      const none = groupsOf('smaps-odd.txt', null)
      expect([...none.values()].some((x) => x.dataLabel !== undefined)).toBe(false)
    })

    it('flags files deleted while mapped, but not memfd or SysV segments', () => {
      const g = groupsOf('smaps-odd.txt', null)
      expect(g.get('/tmp/kp-fixture/gone.bin')?.deleted).toBe(true)
      expect(g.get('/memfd:kp-memfd')?.deleted).toBeUndefined()
      expect(g.get('/SYSV00000000')?.deleted).toBeUndefined()
      expect(g.get('/tmp/kp-fixture/outside.log')?.deleted).toBeUndefined()
    })

    it('handles [stack:TID], named anonymous regions, devices and deleted shared files', () => {
      const g = groupsOf('smaps-handmade.txt', '/srv/kalam/data')
      expect(g.get('[stack:4321]')?.kind).toBe('stack')
      expect(g.get('[anon:mimalloc segment]')).toMatchObject({
        kind: 'anonymous',
        mappings: 2,
        rssBytes: 3072 * 1024,
        swapBytes: 512 * 1024
      })
      expect(g.get('anonymous')?.mappings).toBe(1)
      expect(g.get('[anon_shmem:kp ring]')?.kind).toBe('shared-memory')
      expect(g.get('/var/tmp/kp ring buffer')).toMatchObject({
        kind: 'shared-memory',
        deleted: true
      })
      expect(g.get('/srv/kalam/data/rocksdb/000007.sst')).toMatchObject({
        kind: 'data-file',
        dataLabel: 'rocksdb-sst',
        deleted: true
      })
      expect(g.get('/dev/nvidia0')?.kind).toBe('special')
      expect(g.get('/usr/lib/libdata.so.1.2')?.kind).toBe('library')
      expect(g.get('/usr/local/bin/kalamdb-server')).toMatchObject({
        kind: 'library',
        mappings: 2,
        privateDirtyBytes: 4096
      })
    })

    it('puts the 6,000 anonymous mappings of the large fixture in one group', () => {
      const g = groupsOf('smaps-5k.txt.gz', null)
      expect(g.get('anonymous')!.mappings).toBeGreaterThan(6000)
    })
  })

  describe('buildSnapshot', () => {
    const groups = groupMappings(parseSmaps(fixture('smaps-node.txt')), null)
    const snap = buildSnapshot(groups, { pid: 7, t: 1000, tookMs: 2, dataDir: null, label: 'x' })

    it('sums totals and byKind from the groups', () => {
      const maps = parseSmaps(fixture('smaps-node.txt'))
      expect(snap.totals.mappings).toBe(maps.length)
      expect(snap.totals.rssBytes).toBe(maps.reduce((s, m) => s + m.rssBytes, 0))
      expect(snap.totals.pssBytes).toBe(maps.reduce((s, m) => s + m.pssBytes, 0))
      for (const field of ['mappings', 'sizeBytes', 'rssBytes', 'pssBytes'] as const) {
        const sum = MAPPING_KINDS.reduce((s, k) => s + snap.byKind[k][field], 0)
        expect(sum).toBe(snap.totals[field])
      }
      expect(Object.keys(snap.byKind).sort()).toEqual([...MAPPING_KINDS].sort())
    })

    it('sorts groups by Rss, largest first, and keeps the metadata', () => {
      const rss = snap.groups.map((g) => g.rssBytes)
      expect(rss).toEqual([...rss].sort((a, b) => b - a))
      expect(snap).toMatchObject({ schemaVersion: 1, pid: 7, t: 1000, label: 'x', tookMs: 2 })
      expect(snap.byKind.library.rssBytes).toBeGreaterThan(0)
      expect(snap.byKind.heap.mappings).toBe(1)
    })
  })

  describe('dataLabel', () => {
    it('labels by place and extension', () => {
      expect(dataLabel('/d/rocksdb/1.sst', '/d')).toBe('rocksdb-sst')
      expect(dataLabel('/d/x/rocksdb/LOG', '/d')).toBe('rocksdb-other')
      expect(dataLabel('/d/storage/ns/t/u1/batch-3.parquet', '/d')).toBe('parquet')
      expect(dataLabel('/d/snapshots/s1', '/d')).toBe('other')
      expect(dataLabel('/data2/rocksdb/1.sst', '/d')).toBeUndefined()
      expect(dataLabel('/dx/rocksdb/1.sst', '/d')).toBeUndefined()
    })
  })

  describe('envValue', () => {
    it('finds a variable in a NUL-separated environ', () => {
      const env = 'A=1\0KALAMDB_DATA_DIR=/srv/data\0B=\0'
      expect(envValue(env, 'KALAMDB_DATA_DIR')).toBe('/srv/data')
      expect(envValue(env, 'B')).toBeNull()
      expect(envValue(env, 'C')).toBeNull()
    })
  })

  describe('tomlDataPath', () => {
    it('reads storage.data_path and nothing outside [storage]', () => {
      const toml = [
        '[server]',
        'data_path = "/wrong"',
        '[storage]',
        '# comment',
        "data_path = './kdata'  # inline",
        '[storage.rocksdb]',
        'data_path = "/also-wrong"'
      ].join('\n')
      expect(tomlDataPath(toml)).toBe('./kdata')
      expect(tomlDataPath('[server]\nport = 8080\n')).toBeNull()
    })
  })

  describe('permissionError', () => {
    it('says whose process it is and how to fix it', () => {
      const e = permissionError(42, 'smaps', 999, undefined, 1000)
      expect(e.code).toBe('PERMISSION_DENIED')
      expect(e.message).toBe('cannot read /proc/42/smaps: pid 42 belongs to user id 999')
      expect(e.hint).toMatch(/same user as pid 42, or as root/)
    })

    it('blames the kernel, not the owner, when the process is ours or we are root', () => {
      for (const [owner, self] of [
        [1000, 1000],
        [0, 0],
        [999, 0]
      ] as const) {
        const e = permissionError(1, 'smaps', owner, undefined, self)
        expect(e.message).toMatch(
          /kernel refused access \(pid 1 is non-dumpable or in another container\)/
        )
      }
    })
  })

  describe('decodeText', () => {
    it('decodes ASCII and UTF-8 paths alike', () => {
      const ascii = '7f00-7f01 r--p 00000000 08:01 12 /srv/data/000123.sst\n'
      const utf8 = '7f00-7f01 r--p 00000000 08:01 12 /srv/données/日本.sst\n'
      expect(decodeText(Buffer.from(ascii))).toBe(ascii)
      expect(decodeText(Buffer.from(utf8))).toBe(utf8)
    })
  })

  describe('takeSnapshot', () => {
    it('snapshots this process and measures its own time', async () => {
      const snap = await takeSnapshot(process.pid, { dataDir: null, label: 'self' })
      expect(snap.pid).toBe(process.pid)
      expect(snap.label).toBe('self')
      expect(snap.totals.mappings).toBeGreaterThan(10)
      expect(snap.byKind.library.rssBytes).toBeGreaterThan(0)
      expect(snap.byKind.anonymous.rssBytes).toBeGreaterThan(0)
      expect(snap.tookMs).toBeGreaterThan(0)
      // Rss of smaps and VmRSS of status count the same pages (read a moment apart).
      const status = readFileSync('/proc/self/status', 'utf8')
      const vmRss = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024
      expect(Math.abs(snap.totals.rssBytes - vmRss) / vmRss).toBeLessThan(0.1)
    })

    it('fails with PID_NOT_FOUND for a pid that does not exist', async () => {
      await expect(takeSnapshot(4_194_303, { dataDir: null })).rejects.toMatchObject({
        code: 'PID_NOT_FOUND',
        message: 'no process with pid 4194303'
      })
    })
  })

  describe('guessDataDir', () => {
    let child: ChildProcess | null = null
    let dir: string | null = null

    afterEach(() => {
      child?.kill('SIGKILL')
      child = null
      if (dir) rmSync(dir, { recursive: true, force: true })
      dir = null
    })

    async function startChild(
      cwd: string,
      env: Record<string, string>,
      args: string[] = []
    ): Promise<number> {
      child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', ...args], {
        cwd,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: 'ignore'
      })
      await new Promise<void>((r) => child!.once('spawn', () => r()))
      return child.pid!
    }

    it('prefers KALAMDB_DATA_DIR, resolved against the process cwd', async () => {
      dir = realpathSync(mkdtempSync(join(tmpdir(), 'kp-snap-')))
      const pid = await startChild(dir, { KALAMDB_DATA_DIR: 'kdata' })
      expect(await guessDataDir(pid)).toBe(join(dir, 'kdata'))
    })

    it('reads storage.data_path from the config file given as argument', async () => {
      dir = realpathSync(mkdtempSync(join(tmpdir(), 'kp-snap-')))
      writeFileSync(join(dir, 'my.toml'), '[storage]\ndata_path = "/srv/kalam"\n')
      const pid = await startChild(dir, {}, [join(dir, 'my.toml')])
      expect(await guessDataDir(pid)).toBe('/srv/kalam')
    })

    it('falls back to <cwd>/data when it exists, else null', async () => {
      dir = realpathSync(mkdtempSync(join(tmpdir(), 'kp-snap-')))
      const pid = await startChild(dir, {})
      expect(await guessDataDir(pid)).toBeNull()
      mkdirSync(join(dir, 'data'))
      expect(await guessDataDir(pid)).toBe(join(dir, 'data'))
    })

    it('is null for a pid that does not exist', async () => {
      expect(await guessDataDir(4_194_303)).toBeNull()
    })
  })
})
