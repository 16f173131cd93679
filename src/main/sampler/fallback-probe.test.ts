import { describe, expect, it } from 'vitest'
import { countSiConnections, readingFromSiProcess } from './fallback-probe'

describe('sampler/fallback-probe', () => {
  describe('readingFromSiProcess', () => {
    const proc = { cpu: 12.5, cpuu: 10, cpus: 2.5, memRss: 2048 }

    it('maps macOS figures: RSS KiB to bytes, ps %cpu as is, no user/system split', () => {
      const r = readingFromSiProcess(proc, { platform: 'darwin', cores: 8, monoMs: 5 })
      expect(r.memory.rssBytes).toBe(2048 * 1024)
      expect(r.cpuTimeMs).toBeNull()
      expect(r.cpuPercent).toEqual({ total: 12.5, user: null, system: null })
      expect(r.monoMs).toBe(5)
    })

    it('scales Windows percentages (shares of all cores) to one core', () => {
      const r = readingFromSiProcess(proc, { platform: 'win32', cores: 4, monoMs: 0 })
      expect(r.cpuPercent).toEqual({ total: 50, user: 40, system: 10 })
    })

    it('leaves every figure it cannot measure null, never zero', () => {
      const r = readingFromSiProcess(proc, { platform: 'darwin', cores: 1, monoMs: 0 })
      expect(r.memory).toEqual({
        rssBytes: 2048 * 1024,
        heapBytes: null,
        fileMappedBytes: null,
        stackBytes: null,
        swapBytes: null,
        threads: null,
        fds: null
      })
      expect(r.rollup).toBeNull()
      expect(r.sockets).toBeNull()
    })
  })

  describe('countSiConnections', () => {
    const conns = [
      { protocol: 'tcp4', state: 'ESTABLISHED', pid: 7, localPort: '8080' },
      { protocol: 'tcp6', state: 'ESTABLISHED', pid: 7, localPort: '8080' },
      { protocol: 'tcp4', state: 'ESTABLISHED', pid: 7, localPort: '51000' },
      { protocol: 'tcp4', state: 'LISTEN', pid: 7, localPort: '8080' },
      { protocol: 'tcp4', state: 'CLOSE_WAIT', pid: 7, localPort: '8080' },
      { protocol: 'udp4', state: 'ESTABLISHED', pid: 7, localPort: '8080' },
      { protocol: 'tcp4', state: 'ESTABLISHED', pid: 8, localPort: '8080' }
    ]

    it('counts the pid’s established TCP connections and the inbound ones on the port', () => {
      expect(countSiConnections(conns, 7, 8080)).toEqual({
        tcpConnections: 3,
        portConnections: 2
      })
    })

    it('gives portConnections null when the port is unknown', () => {
      expect(countSiConnections(conns, 7, null).portConnections).toBeNull()
    })
  })
})
