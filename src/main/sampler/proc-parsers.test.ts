import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  countConnections,
  parseProcNetTcp,
  parseSocketLink,
  parseTcp6InUse,
  TCP_ESTABLISHED
} from './proc-net'
import { parseSmapsRollup } from './proc-smaps-rollup'
import { isExitedState, parseStat } from './proc-stat'
import { parseStatm } from './proc-statm'
import { parseStatus, type ProcStatus } from './proc-status'

/** Texts captured from real processes on Linux 6.x (test/fixtures/proc/README.md says how). */
function fixture(name: string): string {
  return readFileSync(new URL(`../../../test/fixtures/proc/${name}`, import.meta.url), 'utf8')
}

const KIB = 1024

describe('sampler/proc parsers', () => {
  describe('parseStatus', () => {
    it('reads memory lines in bytes and the thread count of a multi-threaded process', () => {
      const s = parseStatus(fixture('status-node.txt'))
      expect(s).toMatchObject({
        name: 'node',
        state: 'S',
        pid: 9534,
        ppid: 9530,
        uid: 0,
        vmRssBytes: 40372 * KIB,
        vmHwmBytes: 40372 * KIB,
        rssAnonBytes: 6328 * KIB,
        rssFileBytes: 34044 * KIB,
        rssShmemBytes: 0,
        vmStkBytes: 132 * KIB,
        vmSwapBytes: 0,
        threads: 7
      })
    })

    it('returns null memory figures for a kernel thread, which has no Vm lines', () => {
      const s = parseStatus(fixture('status-kthread.txt'))
      expect(s.name).toBe('kthreadd')
      expect(s.vmRssBytes).toBeNull()
      expect(s.rssAnonBytes).toBeNull()
      expect(s.threads).toBe(1)
    })

    it('reports state Z and no memory for a zombie', () => {
      const s = parseStatus(fixture('status-zombie.txt'))
      expect(s.state).toBe('Z')
      expect(s.vmRssBytes).toBeNull()
    })

    it('keeps a name with spaces and parentheses whole', () => {
      expect(parseStatus(fixture('status-odd-comm.txt')).name).toBe('x) (y) z')
    })

    it('reads exactly what a split-into-lines parser reads, odd lines included', () => {
      // The parser looks lines up in place (it runs at every sample); this is the plain
      // reading it must agree with: every line split at its first colon, values trimmed.
      const reference = (text: string): ProcStatus => {
        const fields = new Map<string, string>()
        for (const line of text.split('\n')) {
          const colon = line.indexOf(':')
          if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim())
        }
        const kib = (k: string): number | null => {
          const m = /^(\d+)\s*kB$/.exec(fields.get(k) ?? '')
          return m ? Number(m[1]) * KIB : null
        }
        const int = (k: string): number | null => {
          const m = /^(\d+)/.exec(fields.get(k) ?? '')
          return m ? Number(m[1]) : null
        }
        return {
          name: fields.get('Name') ?? '',
          state: (fields.get('State') ?? '?').charAt(0),
          pid: int('Pid'),
          ppid: int('PPid'),
          uid: int('Uid'),
          vmRssBytes: kib('VmRSS'),
          vmHwmBytes: kib('VmHWM'),
          vmSizeBytes: kib('VmSize'),
          rssAnonBytes: kib('RssAnon'),
          rssFileBytes: kib('RssFile'),
          rssShmemBytes: kib('RssShmem'),
          vmStkBytes: kib('VmStk'),
          vmSwapBytes: kib('VmSwap'),
          threads: int('Threads')
        }
      }
      const node = fixture('status-node.txt')
      const texts = [
        node,
        fixture('status-kthread.txt'),
        fixture('status-zombie.txt'),
        fixture('status-odd-comm.txt'),
        node.trimEnd(), // no final newline
        node.replace(/^Name:.*\n/, ''), // VmRSS … no longer after a first line
        node.replace('VmRSS:', 'XVmRSS:'), // a key that only ends like one
        node.replace(/(VmSwap:\s*\d+) kB/, '$1 kB  '), // trailing blanks
        node.replace(/(RssAnon:\s*\d+) kB/, '$1 kBx'), // not a size
        node.replace(/(RssFile:\s*)\d+/, '$1'), // no number
        node.replace(/(VmStk:\s*)\d+/, '$1007'), // leading zeros
        'State:\nThreads:\t12 extra\n',
        'Name:\tonly'
      ]
      for (const text of texts) expect(parseStatus(text)).toEqual(reference(text))
    })

    it('returns nulls rather than throwing on empty text', () => {
      const s = parseStatus('')
      expect(s.vmRssBytes).toBeNull()
      expect(s.state).toBe('?')
    })
  })

  describe('parseStat', () => {
    it('reads utime and stime in clock ticks', () => {
      const s = parseStat(fixture('stat-busy.txt'))
      expect(s).toMatchObject({
        pid: 9803,
        comm: 'node',
        state: 'R',
        ppid: 9800,
        utimeTicks: 75,
        stimeTicks: 2,
        numThreads: 7,
        startTimeTicks: 54765,
        vsizeBytes: 1016287232,
        rssPages: 12344
      })
    })

    it('counts fields from the last parenthesis when comm holds spaces and parentheses', () => {
      const s = parseStat(fixture('stat-odd-comm.txt'))
      expect(s.comm).toBe('x) (y) z')
      expect(s.state).toBe('S')
      expect(s.ppid).toBe(9745)
      expect(s.startTimeTicks).toBe(54039)
    })

    it('parses a zombie and a kernel thread', () => {
      const z = parseStat(fixture('stat-zombie.txt'))
      expect(z.state).toBe('Z')
      expect(isExitedState(z.state)).toBe(true)
      expect(z.rssPages).toBe(0)
      const k = parseStat(fixture('stat-kthread.txt'))
      expect(k.comm).toBe('kthreadd')
      expect(isExitedState(k.state)).toBe(false)
    })

    it('throws on a truncated line', () => {
      expect(() => parseStat('123 (x) S 1 2')).toThrow(/malformed/)
      expect(() => parseStat('garbage')).toThrow(/malformed/)
      const busy = fixture('stat-busy.txt')
      // utime (field 14) not a number: an error, not NaN CPU.
      const fields = busy.slice(busy.lastIndexOf(')') + 2).split(' ')
      fields[11] = 'x75'
      const bad = `${busy.slice(0, busy.lastIndexOf(')') + 2)}${fields.join(' ')}`
      expect(() => parseStat(bad)).toThrow(/field 14 missing/)
    })
  })

  describe('parseSmapsRollup', () => {
    it('reads Pss and USS = Private_Clean + Private_Dirty in bytes', () => {
      const r = parseSmapsRollup(fixture('smaps_rollup-node.txt'))
      expect(r.rssBytes).toBe(40372 * KIB)
      expect(r.pssBytes).toBe(22411 * KIB)
      expect(r.privateCleanBytes).toBe(4 * KIB)
      expect(r.privateDirtyBytes).toBe(6328 * KIB)
      expect(r.ussBytes).toBe((4 + 6328) * KIB)
      expect(r.swapBytes).toBe(0)
      expect(r.all.Pss_File).toBe(16083 * KIB)
    })

    it('throws on text without Rss and Pss (e.g. an empty read)', () => {
      expect(() => parseSmapsRollup('')).toThrow(/malformed/)
    })
  })

  describe('parseProcNetTcp', () => {
    it('decodes IPv4 addresses and ports', () => {
      const rows = parseProcNetTcp(fixture('net-tcp.txt'), 4)
      expect(rows[1]).toMatchObject({
        localAddress: '127.0.0.1',
        localPort: 0xe690,
        remoteAddress: '127.0.0.1',
        remotePort: 40089,
        state: TCP_ESTABLISHED,
        inode: 19322,
        family: 4
      })
    })

    it('decodes IPv6, loopback and IPv4-mapped addresses', () => {
      const rows = parseProcNetTcp(fixture('net-tcp6.txt'), 6)
      expect(rows[0]).toMatchObject({ localAddress: '::', localPort: 40089, state: 0x0a })
      expect(rows[1]).toMatchObject({ localAddress: '::1', remoteAddress: '::1' })
      expect(rows[2]).toMatchObject({
        localAddress: '::ffff:127.0.0.1',
        localPort: 40089,
        inode: 19323
      })
    })
  })

  describe('countConnections', () => {
    const entries = [
      ...parseProcNetTcp(fixture('net-tcp.txt'), 4),
      ...parseProcNetTcp(fixture('net-tcp6.txt'), 6)
    ]
    // The capturing process's own socket inodes, from its fd links.
    const own = new Set(
      fixture('fd-links.txt')
        .split('\n')
        .map((l) => parseSocketLink(l.split(' ')[1] ?? ''))
        .filter((i): i is number => i !== null)
    )
    const port = Number(fixture('server-port.txt').trim())

    it('counts only established sockets the process holds, IPv4 and IPv6', () => {
      // 3 clients (2 IPv4, 1 IPv6) + their 3 accepted server ends; the listener and a
      // listener of another process (inode 1162) are not counted.
      expect(countConnections(entries, own, port)).toEqual({
        tcpConnections: 6,
        portConnections: 3
      })
    })

    it('reports portConnections null when the port is unknown', () => {
      expect(countConnections(entries, own, null).portConnections).toBeNull()
    })

    it('counts nothing for a process holding none of the sockets', () => {
      expect(countConnections(entries, new Set([1162]), port)).toEqual({
        tcpConnections: 0,
        portConnections: 0
      })
    })

    it('counts an inode listed twice once', () => {
      const dup = [...entries, entries.find((e) => e.inode === 19322)!]
      expect(countConnections(dup, own, null).tcpConnections).toBe(6)
    })
  })

  describe('parseSocketLink', () => {
    it('returns the inode of a socket link and null otherwise', () => {
      expect(parseSocketLink('socket:[19321]')).toBe(19321)
      expect(parseSocketLink('pipe:[19314]')).toBeNull()
      expect(parseSocketLink('/dev/null')).toBeNull()
    })
  })

  describe('parseStatm', () => {
    it('reads the page counts that status gives as VmRSS and RssFile + RssShmem', () => {
      const m = parseStatm(fixture('statm-node.txt'))
      const status = parseStatus(fixture('status-node.txt'))
      expect(m).toEqual({ sizePages: 182059, residentPages: 10093, sharedPages: 8511 })
      expect(m.residentPages * 4 * KIB).toBe(status.vmRssBytes)
      expect((m.residentPages - m.sharedPages) * 4 * KIB).toBe(status.rssAnonBytes)
    })

    it('reads a kernel thread as owning nothing', () => {
      expect(parseStatm(fixture('statm-kthread.txt'))).toEqual({
        sizePages: 0,
        residentPages: 0,
        sharedPages: 0
      })
    })

    it('rejects a malformed line (too short, not numbers, shared above resident)', () => {
      for (const bad of ['', '12 34', 'a b c d e f g', '10 5 6 1 0 2 0', '-1 2 1 0 0 0 0']) {
        expect(() => parseStatm(bad)).toThrow(/malformed \/proc statm line/)
      }
    })
  })

  describe('parseTcp6InUse', () => {
    // As Linux 6.18 prints /proc/net/sockstat6.
    const text = (n: number): string =>
      `TCP6: inuse ${n}\nUDP6: inuse 0\nUDPLITE6: inuse 0\nRAW6: inuse 0\nFRAG6: inuse 0 memory 0\n`

    it('reads the TCPv6 socket count', () => {
      expect(parseTcp6InUse(text(0))).toBe(0)
      expect(parseTcp6InUse(text(17))).toBe(17)
    })

    it('returns null without a well-formed TCP6 line (UDP6 does not count)', () => {
      expect(parseTcp6InUse('UDP6: inuse 0\n')).toBeNull()
      expect(parseTcp6InUse('TCP6: inuse x\n')).toBeNull()
      expect(parseTcp6InUse('')).toBeNull()
    })
  })
})
