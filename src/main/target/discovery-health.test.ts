import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { fetchHealth, probeKalamHealth, recognizeKalamHealth } from './discovery-health'

const KALAM_BODY = JSON.stringify({
  status: 'healthy',
  version: '0.4.3-rc.4',
  api_version: 'v1',
  build_date: '2026-03-27'
})

describe('discovery-health', () => {
  describe('recognizeKalamHealth', () => {
    it("accepts KalamDB's 200 body and takes its version", () => {
      expect(recognizeKalamHealth({ status: 200, body: KALAM_BODY })).toEqual({
        version: '0.4.3-rc.4',
        localhostOnly: false
      })
    })

    it("accepts KalamDB's localhost-only 403", () => {
      const body = '{"error":"Access denied. Health endpoint is localhost-only."}'
      expect(recognizeKalamHealth({ status: 403, body })).toEqual({
        version: null,
        localhostOnly: true
      })
    })

    it('accepts a bare status only when lenient (a process already named kalamdb-server)', () => {
      const bare = { status: 200, body: '{"status":"healthy"}' }
      expect(recognizeKalamHealth(bare)).toBeNull()
      expect(recognizeKalamHealth(bare, { lenient: true })).toEqual({
        version: null,
        localhostOnly: false
      })
    })

    it('rejects other services', () => {
      for (const answer of [
        { status: 200, body: '{"status":"UP"}' },
        { status: 200, body: 'OK' },
        { status: 200, body: '[1,2]' },
        { status: 404, body: KALAM_BODY },
        { status: 403, body: '{"error":"forbidden"}' },
        { status: 200, body: '{"status":1,"api_version":"v1"}' }
      ]) {
        expect(recognizeKalamHealth(answer), answer.body).toBeNull()
      }
    })
  })

  describe('fetchHealth', () => {
    const closers: Array<() => Promise<void>> = []
    afterEach(async () => {
      await Promise.all(closers.splice(0).map((c) => c()))
    })

    async function listenHttp(handler: Parameters<typeof createHttpServer>[1]): Promise<number> {
      const server: Server = createHttpServer(handler)
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
      closers.push(
        () =>
          new Promise<void>((r) => {
            server.closeAllConnections()
            server.close(() => r())
          })
      )
      return (server.address() as AddressInfo).port
    }

    async function listenTcp(onSocket: (s: Socket) => void): Promise<number> {
      const sockets = new Set<Socket>()
      const server = createTcpServer((s) => {
        sockets.add(s)
        onSocket(s)
      })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
      closers.push(
        () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy()
            server.close(() => r())
          })
      )
      return (server.address() as AddressInfo).port
    }

    it('gets /health and its body', async () => {
      let path = ''
      const port = await listenHttp((req, res) => {
        path = req.url ?? ''
        res.writeHead(200, { 'content-type': 'application/json' }).end(KALAM_BODY)
      })
      expect(await fetchHealth('127.0.0.1', port)).toEqual({ status: 200, body: KALAM_BODY })
      expect(path).toBe('/health')
      expect(await probeKalamHealth('127.0.0.1', port)).toMatchObject({ version: '0.4.3-rc.4' })
    })

    it('gives up on a port that accepts and never answers', async () => {
      const port = await listenTcp(() => {})
      expect(await fetchHealth('127.0.0.1', port, 100)).toBeNull()
    })

    it('is null for a service that does not speak HTTP', async () => {
      const port = await listenTcp((s) => s.end('SSH-2.0-OpenSSH_9.2\r\n'))
      expect(await fetchHealth('127.0.0.1', port)).toBeNull()
    })

    it('is null for a closed port', async () => {
      const port = await listenTcp(() => {})
      await closers.pop()!()
      expect(await fetchHealth('127.0.0.1', port)).toBeNull()
    })

    it('refuses a body too long to be a health answer', async () => {
      const port = await listenHttp((_req, res) => res.end('x'.repeat(64 * 1024)))
      expect(await fetchHealth('127.0.0.1', port)).toBeNull()
    })
  })
})
