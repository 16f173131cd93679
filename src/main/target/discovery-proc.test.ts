import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseProcNetTcp } from '../sampler/proc-net'
import {
  baseUrlFor,
  commandLine,
  isNamedKalamDb,
  listeningByInode,
  parseCmdline,
  probeHost,
  readProcessInfo,
  socketInodesOf,
  socketsOf,
  vmRssBytes,
  type ListeningSocket
} from './discovery-proc'

const FIXTURES = new URL('../../../test/fixtures/proc/', import.meta.url)
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8')

const sock = (address: string, family: 4 | 6, port = 8080): ListeningSocket => ({
  address,
  family,
  port
})

describe('discovery-proc', () => {
  describe('parseCmdline', () => {
    it('splits on NUL and drops the padding of a rewritten title', () => {
      expect(parseCmdline('kalamdb-server\0server.toml\0')).toEqual([
        'kalamdb-server',
        'server.toml'
      ])
      expect(parseCmdline(`kalamdb-server${'\0'.repeat(40)}`)).toEqual(['kalamdb-server'])
      expect(parseCmdline('')).toEqual([])
    })
  })

  describe('isNamedKalamDb', () => {
    it('matches comm or the basename of argv[0]', () => {
      expect(isNamedKalamDb({ comm: 'kalamdb-server', argv: [] })).toBe(true)
      expect(isNamedKalamDb({ comm: 'node', argv: ['kalamdb-server'] })).toBe(true)
      expect(
        isNamedKalamDb({ comm: 'tokio-rt', argv: ['/usr/local/bin/kalamdb-server', 'x.toml'] })
      ).toBe(true)
      expect(isNamedKalamDb({ comm: 'node', argv: ['kalamdb-server --port 8080'] })).toBe(true)
    })

    it('does not match look-alikes', () => {
      expect(isNamedKalamDb({ comm: 'kalam', argv: ['kalam', 'kalamdb-server'] })).toBe(false)
      expect(isNamedKalamDb({ comm: 'kalamdb-serv', argv: ['kalamdb-serv'] })).toBe(false)
      expect(isNamedKalamDb({ comm: 'node', argv: [] })).toBe(false)
    })
  })

  describe('commandLine', () => {
    it('joins arguments, and shows kernel threads like ps', () => {
      expect(commandLine({ comm: 'x', argv: ['/bin/x', '-v'] })).toBe('/bin/x -v')
      expect(commandLine({ comm: 'kworker/0:1', argv: [] })).toBe('[kworker/0:1]')
    })
  })

  describe('vmRssBytes', () => {
    it('reads VmRSS in bytes, null for a kernel thread', () => {
      expect(vmRssBytes(fixture('status-node.txt'))).toBe(
        Number(/VmRSS:\s+(\d+)/.exec(fixture('status-node.txt'))![1]) * 1024
      )
      expect(vmRssBytes(fixture('status-kthread.txt'))).toBeNull()
    })
  })

  describe('listeningByInode / socketsOf', () => {
    const entries = [
      ...parseProcNetTcp(fixture('net-tcp.txt'), 4),
      ...parseProcNetTcp(fixture('net-tcp6.txt'), 6)
    ]
    const listening = listeningByInode(entries)

    it('keeps only LISTEN sockets, by inode', () => {
      expect(listening.get(1162)).toEqual({ port: 2024, address: '0.0.0.0', family: 4 })
      expect(listening.get(19321)).toEqual({ port: 0x9c99, address: '::', family: 6 })
      expect(listening.has(19322)).toBe(false) // ESTABLISHED
    })

    it('gives the listening sockets among a process inodes, by port', () => {
      expect(socketsOf(new Set([19322, 19321, 1162, 777]), listening).map((s) => s.port)).toEqual([
        2024, 0x9c99
      ])
      expect(socketsOf(new Set([19322]), listening)).toEqual([])
    })
  })

  describe('probeHost', () => {
    it('uses IPv4 loopback for wildcard and loopback binds', () => {
      expect(probeHost([sock('0.0.0.0', 4)])).toBe('127.0.0.1')
      expect(probeHost([sock('127.0.0.1', 4)])).toBe('127.0.0.1')
      expect(probeHost([sock('::ffff:127.0.0.1', 6)])).toBe('127.0.0.1')
      expect(probeHost([sock('::', 6), sock('0.0.0.0', 4)])).toBe('127.0.0.1')
    })

    it('uses ::1 for IPv6-only binds and the bound address otherwise', () => {
      expect(probeHost([sock('::', 6)])).toBe('::1')
      expect(probeHost([sock('::1', 6)])).toBe('::1')
      expect(probeHost([sock('10.1.2.3', 4)])).toBe('10.1.2.3')
    })
  })

  describe('baseUrlFor', () => {
    it('brackets IPv6 literals', () => {
      expect(baseUrlFor('127.0.0.1', 8080)).toBe('http://127.0.0.1:8080')
      expect(baseUrlFor('::1', 8080)).toBe('http://[::1]:8080')
    })
  })

  describe('readProcessInfo', () => {
    it('reads this process', async () => {
      const info = await readProcessInfo(process.pid)
      expect(info?.pid).toBe(process.pid)
      expect(info?.argv.length).toBeGreaterThan(0)
      expect(info?.rssBytes).toBeGreaterThan(0)
      expect(info?.netns).toMatch(/^net:\[\d+\]$/)
    })

    it('is null for a pid that does not exist', async () => {
      expect(await readProcessInfo(4_194_303)).toBeNull()
    })
  })

  describe('socketInodesOf', () => {
    it('is null for a pid that does not exist', async () => {
      expect(await socketInodesOf(4_194_303)).toBeNull()
    })
  })
})
