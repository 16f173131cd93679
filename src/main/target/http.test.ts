import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { type FakeKalam, json, startFake } from '../../../test/fixtures/kalamdb/fake-server'
import { HttpPool, parseBody } from './http'

let fake: FakeKalam | null = null
let pool: HttpPool | null = null

afterEach(async () => {
  pool?.close()
  pool = null
  await fake?.close()
  fake = null
})

/** A port nothing listens on: bound, then released. */
async function freePort(): Promise<number> {
  const s = createNetServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

describe('http', () => {
  describe('HttpPool.request', () => {
    it('reuses at most maxSockets TCP connections for many concurrent requests', async () => {
      fake = await startFake()
      pool = new HttpPool(fake.url, { maxSockets: 3 })
      const p = pool
      for (let round = 0; round < 3; round++) {
        const answers = await Promise.all(
          Array.from({ length: 40 }, () =>
            p.request({
              method: 'POST',
              path: '/v1/api/sql',
              body: { sql: 'SELECT 1' },
              context: 'SQL'
            })
          )
        )
        expect(answers.every((a) => a.status === 200)).toBe(true)
      }
      expect(fake.requests).toHaveLength(120)
      expect(fake.connections()).toBeGreaterThan(0)
      expect(fake.connections()).toBeLessThanOrEqual(3)
    })

    it('sends JSON with a Bearer header', async () => {
      fake = await startFake()
      pool = new HttpPool(fake.url)
      await pool.request({
        method: 'POST',
        path: '/v1/api/sql',
        body: { sql: 'x' },
        bearer: 'tok',
        context: 'SQL'
      })
      const req = fake.requests[0]!
      expect(req.headers.authorization).toBe('Bearer tok')
      expect(req.headers['content-type']).toBe('application/json')
      expect(JSON.parse(req.body)).toEqual({ sql: 'x' })
    })

    it('fails with UNREACHABLE when nothing listens on the port', async () => {
      pool = new HttpPool(`http://127.0.0.1:${await freePort()}`)
      await expect(
        pool.request({ method: 'GET', path: '/health', context: 'health check' })
      ).rejects.toMatchObject({
        code: 'UNREACHABLE',
        message: expect.stringMatching(
          /^health check: cannot reach http:\/\/127\.0\.0\.1:\d+ \(connection refused\)$/
        )
      })
    })

    it('resends once on a fresh socket when the server dropped a reused idle one', async () => {
      // Answers the first request of each connection, then drops the connection on the next
      // one without answering: what a server closing an idle keep-alive socket looks like.
      const s = createNetServer((c) => {
        let requests = 0
        c.on('data', (d: Buffer) => {
          if (!d.toString().includes('\r\n\r\n')) return
          if (++requests === 1) {
            c.write(
              'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'
            )
          } else {
            c.destroy()
          }
        })
      })
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
      let connections = 0
      s.on('connection', () => connections++)
      try {
        pool = new HttpPool(`http://127.0.0.1:${(s.address() as AddressInfo).port}`, {
          maxSockets: 1
        })
        const get = (): Promise<unknown> =>
          pool!.request({ method: 'GET', path: '/health', context: 'health check' })
        await expect(get()).resolves.toMatchObject({ status: 200 })
        await expect(get()).resolves.toMatchObject({ status: 200 })
        expect(connections).toBe(2)
      } finally {
        pool?.close()
        await new Promise<void>((r) => s.close(() => r()))
      }
    })

    it('fails with TIMEOUT when the server does not answer in time', async () => {
      fake = await startFake({ 'GET /slow': () => new Promise(() => undefined) })
      pool = new HttpPool(fake.url, { timeoutMs: 100 })
      await expect(
        pool.request({ method: 'GET', path: '/slow', context: 'SQL' })
      ).rejects.toMatchObject({
        code: 'TIMEOUT'
      })
    })

    it('fails with CANCELLED when the signal aborts', async () => {
      fake = await startFake({ 'GET /slow': () => new Promise(() => undefined) })
      pool = new HttpPool(fake.url)
      const ac = new AbortController()
      const p = pool.request({ method: 'GET', path: '/slow', context: 'SQL', signal: ac.signal })
      ac.abort()
      await expect(p).rejects.toMatchObject({ code: 'CANCELLED' })
    })

    it('times out only the request the server holds, not those answered meanwhile', async () => {
      fake = await startFake({ 'GET /slow': () => new Promise(() => undefined) })
      pool = new HttpPool(fake.url, { timeoutMs: 200, maxSockets: 2 })
      const p = pool
      const slow = p.request({ method: 'GET', path: '/slow', context: 'SQL' })
      const fast = Array.from({ length: 20 }, () =>
        p.request({ method: 'POST', path: '/v1/api/sql', body: { sql: 'x' }, context: 'SQL' })
      )
      await expect(Promise.all(fast)).resolves.toHaveLength(20)
      await expect(slow).rejects.toMatchObject({
        code: 'TIMEOUT',
        message: expect.stringMatching(
          /^SQL: no answer from http:\/\/127\.0\.0\.1:\d+ within 200 ms$/
        )
      })
      // The held socket was dropped; the pool still answers.
      await expect(
        p.request({ method: 'POST', path: '/v1/api/sql', body: { sql: 'x' }, context: 'SQL' })
      ).resolves.toMatchObject({ status: 200 })
    })

    it('cancels every request in flight under one signal, and later ones at once', async () => {
      fake = await startFake({ 'GET /slow': () => new Promise(() => undefined) })
      pool = new HttpPool(fake.url, { maxSockets: 2 })
      const p = pool
      const ac = new AbortController()
      const held = Array.from({ length: 5 }, () =>
        p.request({ method: 'GET', path: '/slow', context: 'SQL', signal: ac.signal })
      )
      const other = p.request({ method: 'POST', path: '/v1/api/sql', body: {}, context: 'SQL' })
      ac.abort()
      for (const h of held) await expect(h).rejects.toMatchObject({ code: 'CANCELLED' })
      await expect(
        p.request({ method: 'GET', path: '/slow', context: 'SQL', signal: ac.signal })
      ).rejects.toMatchObject({ code: 'CANCELLED', message: 'SQL: cancelled' })
      // A request without the signal waits for a socket, which the cancelled ones gave back.
      await expect(other).resolves.toMatchObject({ status: 200 })
    })

    it('fails requests in flight and later ones with CANCELLED once closed', async () => {
      fake = await startFake({ 'GET /slow': () => new Promise(() => undefined) })
      pool = new HttpPool(fake.url)
      const held = pool.request({ method: 'GET', path: '/slow', context: 'SQL' })
      await new Promise((r) => setTimeout(r, 50))
      pool.close()
      await expect(held).rejects.toMatchObject({
        code: 'CANCELLED',
        message: 'SQL: client is closed'
      })
      await expect(
        pool.request({ method: 'GET', path: '/health', context: 'health check' })
      ).rejects.toMatchObject({ code: 'CANCELLED', message: 'health check: client is closed' })
    })

    it('fails with NOT_KALAMDB when the port speaks something other than HTTP', async () => {
      // resume(): read the request, so the server sees the client's close and can shut down.
      const s = createNetServer((c) => c.resume().end('SSH-2.0-OpenSSH_9.2\r\n'))
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
      try {
        pool = new HttpPool(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)
        await expect(
          pool.request({ method: 'GET', path: '/health', context: 'health check' })
        ).rejects.toMatchObject({
          code: 'NOT_KALAMDB'
        })
      } finally {
        pool?.close()
        await new Promise<void>((r) => s.close(() => r()))
      }
    })
  })

  describe('HttpPool.exchange', () => {
    it('resolves with what read returns and rejects with what it throws', async () => {
      fake = await startFake({ 'GET /x': () => json('{"a":1}') })
      pool = new HttpPool(fake.url)
      await expect(
        pool.exchange({ method: 'GET', path: '/x', context: 'SQL' }, (res) => res.text)
      ).resolves.toBe('{"a":1}')
      await expect(
        pool.exchange({ method: 'GET', path: '/x', context: 'SQL' }, () => {
          throw new Error('bad answer')
        })
      ).rejects.toThrow('bad answer')
    })
  })

  describe('parseBody', () => {
    it('reports malformed JSON from the server as PROTOCOL', async () => {
      fake = await startFake({ 'GET /x': () => json('{"status":"succ') })
      pool = new HttpPool(fake.url)
      const res = await pool.request({ method: 'GET', path: '/x', context: 'SQL' })
      expect(() => parseBody(res, 'SQL', fake!.url)).toThrow(
        expect.objectContaining({
          code: 'PROTOCOL',
          message: expect.stringContaining('malformed JSON')
        })
      )
    })

    it('reports an HTML page as NOT_KALAMDB', async () => {
      fake = await startFake({
        'GET /x': () => ({
          status: 502,
          body: '<html>Bad gateway</html>',
          contentType: 'text/html'
        })
      })
      pool = new HttpPool(fake.url)
      const res = await pool.request({ method: 'GET', path: '/x', context: 'SQL' })
      expect(() => parseBody(res, 'SQL', fake!.url)).toThrow(
        expect.objectContaining({ code: 'NOT_KALAMDB' })
      )
    })
  })
})
