import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { isExecutable, isShared, parseSmaps } from './smaps'

const FIXTURES = new URL('../../../test/fixtures/proc/', import.meta.url)
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8')
const fixture5k = (): string =>
  gunzipSync(readFileSync(new URL('smaps-5k.txt.gz', FIXTURES))).toString('utf8')

/** Sums a field the slow, obvious way, straight from the text, to check the fast parser. */
function sumField(text: string, field: string): number {
  const re = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'gm')
  let kb = 0
  for (const m of text.matchAll(re)) kb += Number(m[1])
  return kb * 1024
}

function countHeaders(text: string): number {
  return text.split('\n').filter((l) => /^[0-9a-f]+-[0-9a-f]+ /.test(l)).length
}

describe('smaps', () => {
  describe('parseSmaps', () => {
    it('reads every mapping and field of a node process', () => {
      const text = fixture('smaps-node.txt')
      const maps = parseSmaps(text)
      expect(maps.length).toBe(countHeaders(text))
      for (const f of [
        ['Size', 'sizeBytes'],
        ['Rss', 'rssBytes'],
        ['Pss', 'pssBytes'],
        ['Private_Dirty', 'privateDirtyBytes'],
        ['Private_Clean', 'privateCleanBytes'],
        ['Shared_Clean', 'sharedCleanBytes'],
        ['Shared_Dirty', 'sharedDirtyBytes'],
        ['Anonymous', 'anonymousBytes'],
        ['Swap', 'swapBytes']
      ] as const) {
        expect(
          maps.reduce((s, m) => s + m[f[1]], 0),
          f[0]
        ).toBe(sumField(text, f[0]))
      }
    })

    it('parses the header fields of a file mapping', () => {
      const maps = parseSmaps(fixture('smaps-odd.txt'))
      const exe = maps[1]!
      expect(exe.path).toBe('/tmp/kpfx/kp-many-maps')
      expect(exe.perms).toBe('r-xp')
      expect(exe.offset).toBe(0x1000)
      expect(exe.dev).toBe('fe:00')
      expect(exe.inode).toBe(2146837)
      expect(BigInt(`0x${exe.end}`) - BigInt(`0x${exe.start}`)).toBe(BigInt(exe.sizeBytes))
      expect(isExecutable(exe)).toBe(true)
      expect(isShared(exe)).toBe(false)
    })

    it('parses a 6,000-mapping smaps without losing a mapping or a byte', () => {
      const text = fixture5k()
      const maps = parseSmaps(text)
      expect(maps.length).toBeGreaterThanOrEqual(5000)
      expect(maps.length).toBe(countHeaders(text))
      expect(maps.reduce((s, m) => s + m.rssBytes, 0)).toBe(sumField(text, 'Rss'))
      expect(maps.reduce((s, m) => s + m.sizeBytes, 0)).toBe(sumField(text, 'Size'))
    })

    it('strips " (deleted)" and flags the mapping', () => {
      const maps = parseSmaps(fixture('smaps-odd.txt'))
      const gone = maps.find((m) => m.path === '/tmp/kp-fixture/gone.bin')
      expect(gone?.deleted).toBe(true)
      expect(maps.find((m) => m.path.endsWith('(deleted)'))).toBeUndefined()
      const memfd = maps.find((m) => m.path.startsWith('/memfd:'))
      expect(memfd).toMatchObject({ path: '/memfd:kp-memfd', deleted: true })
      expect(isShared(memfd!)).toBe(true)
      expect(maps.find((m) => m.path.startsWith('/SYSV'))?.deleted).toBe(true)
      expect(maps.find((m) => m.path === '/dev/zero')?.deleted).toBe(true)
    })

    it('keeps names with spaces whole', () => {
      const maps = parseSmaps(fixture('smaps-odd.txt'))
      expect(maps.map((m) => m.path)).toContain('/tmp/kp-fixture/dir with spaces/file name.bin')
      const handmade = parseSmaps(fixture('smaps-handmade.txt'))
      expect(handmade.find((m) => m.path === '/var/tmp/kp ring buffer')?.deleted).toBe(true)
    })

    it('reads the kernel regions and anonymous mappings', () => {
      const paths = parseSmaps(fixture('smaps-odd.txt')).map((m) => m.path)
      for (const p of [
        '[heap]',
        '[stack]',
        '[vvar]',
        '[vdso]',
        '[vsyscall]',
        '/dev/shm/kp-fixture-shm'
      ])
        expect(paths).toContain(p)
      expect(paths).toContain('')
    })

    it('reads [stack:TID], [anon:NAME] and the older field layout', () => {
      const maps = parseSmaps(fixture('smaps-handmade.txt'))
      expect(maps).toHaveLength(14)
      const named = maps.filter((m) => m.path === '[anon:mimalloc segment]')
      expect(named.map((m) => m.rssBytes)).toEqual([2048 * 1024, 1024 * 1024])
      expect(named[1]!.swapBytes).toBe(512 * 1024)
      expect(maps.find((m) => m.path === '[stack:4321]')?.sizeBytes).toBe(8192 * 1024)
      expect(maps.find((m) => m.path === '[anon_shmem:kp ring]')?.pssBytes).toBe(32 * 1024)
      // An anonymous header ends in "0 " with nothing after the inode.
      expect(maps[5]).toMatchObject({ path: '', inode: 0, rssBytes: 16 * 1024 })
    })

    it('skips malformed lines instead of throwing', () => {
      const text = [
        'garbage',
        'Rss: 12 kB',
        '00400000-00401000 r-xp 00000000 08:02 1 /bin/x',
        'Rss:        8 kB',
        'Size:',
        'not a field',
        'deadbeef',
        ''
      ].join('\n')
      const maps = parseSmaps(text)
      expect(maps).toHaveLength(1)
      expect(maps[0]).toMatchObject({ path: '/bin/x', rssBytes: 8192, sizeBytes: 0 })
    })

    it('returns no mappings for an empty file (kernel thread, zombie)', () => {
      expect(parseSmaps('')).toEqual([])
    })
  })
})
