import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { WebSocket } from 'ws'
import { fixture, startFake } from '../../../test/fixtures/kalamdb/fake-server'
import { fakeKalamSlot } from '../../../test/helpers/fake-kalam'
import { connectKalam } from './client'
import type { KalamClient, KalamError, LiveChange, LiveClose, LiveConnection } from './types'

const ADMIN = { user: 'admin', password: 'kalamdb123' }
/** A Snowflake-sized seq id (~10^18, PROTOCOL.md §6.4): beyond 2^53. */
const BIG_SEQ = '1234567890123456789'

const kalam = fakeKalamSlot()

/** Collects what a fake socket receives, and lets a test wait for a frame. */
class Peer {
  readonly frames: string[] = []
  private waiters: { test: (f: string) => boolean; resolve: (f: string) => void }[] = []
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString()
      this.frames.push(text)
      this.waiters = this.waiters.filter((w) => (w.test(text) ? (w.resolve(text), false) : true))
    })
  }
  next(test: (f: string) => boolean): Promise<string> {
    const seen = this.frames.find(test)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve) => this.waiters.push({ test, resolve }))
  }
  send(text: string): void {
    this.ws.send(text)
  }
  sendGzip(text: string): void {
    this.ws.send(gzipSync(Buffer.from(text)), { binary: true })
  }
}

/** A fake server whose WebSocket accepts Bearer auth and hands each socket to the test. */
async function setup(
  options: { headerAuth?: boolean } = {}
): Promise<{ c: KalamClient; peers: Peer[]; nextPeer: () => Promise<Peer> }> {
  kalam.fake = await startFake()
  const peers: Peer[] = []
  let waiting: ((p: Peer) => void) | null = null
  kalam.fake.onSocket((ws, req) => {
    const peer = new Peer(ws)
    peers.push(peer)
    if ((options.headerAuth ?? true) && req.headers.authorization?.startsWith('Bearer ')) {
      ws.send(fixture('ws-auth-success.json'))
    }
    waiting?.(peer)
  })
  kalam.client = await connectKalam({ url: kalam.fake.url, credentials: ADMIN })
  return {
    c: kalam.client,
    peers,
    nextPeer: () =>
      peers.length > 0
        ? Promise.resolve(peers[peers.length - 1]!)
        : new Promise((resolve) => (waiting = resolve))
  }
}

function isType(type: string): (f: string) => boolean {
  return (f) => (JSON.parse(f) as { type?: string }).type === type
}

describe('live', () => {
  describe('KalamClient.openLive', () => {
    it('authenticates with the Bearer header and reads auth_success', async () => {
      const { c, peers } = await setup()
      const live = await c.openLive()
      expect(live.open).toBe(true)
      expect(live.user).toBe('admin')
      expect(live.role).toBe('dba')
      expect(peers[0]!.frames.filter((f) => !isType('ping')(f))).toEqual([])
    })

    it('falls back to the authenticate frame, protocol field included, when no auth_success comes', async () => {
      const { c, nextPeer } = await setup({ headerAuth: false })
      const opening = c.openLive({}, { timeoutMs: 400 })
      const peer = await nextPeer()
      const auth = JSON.parse(await peer.next(isType('authenticate'))) as Record<string, unknown>
      const sample = JSON.parse(fixture('ws-authenticate.json')) as Record<string, unknown>
      expect(Object.keys(auth).sort()).toEqual(Object.keys(sample).sort())
      expect(auth).toMatchObject({ method: 'jwt', protocol: sample.protocol })
      expect(typeof auth.token).toBe('string')
      peer.send(fixture('ws-auth-success.json'))
      await expect(opening).resolves.toMatchObject({ open: true })
    })

    it('fails with AUTH_FAILED on auth_error', async () => {
      const { c } = await setup({ headerAuth: false })
      kalam.fake!.onSocket((ws) => {
        ws.send(fixture('ws-auth-error.json'))
        ws.close(1008, 'Authentication failed')
      })
      const err = (await c.openLive().catch((e: unknown) => e)) as KalamError
      expect(err.code).toBe('AUTH_FAILED')
      expect(err.message).toContain('Invalid credentials')
    })

    it('asks for ?compress=false when compression is off', async () => {
      const { c } = await setup()
      let url = ''
      kalam.fake!.onSocket((ws, req) => {
        url = req.url ?? ''
        ws.send(fixture('ws-auth-success.json'))
      })
      await c.openLive({}, { compress: false })
      expect(url).toBe('/v1/ws?compress=false')
    })

    it('sends {"type":"ping"} on its interval', async () => {
      const { c, nextPeer } = await setup()
      await c.openLive({}, { pingIntervalMs: 20 })
      const peer = await nextPeer()
      await peer.next(isType('ping'))
      expect(peer.frames).toContain('{"type":"ping"}')
    })
  })

  describe('LiveConnection.subscribe', () => {
    it('sends options {} and collects the documented ack and initial batch', async () => {
      const { c, nextPeer } = await setup()
      const live = await c.openLive()
      const peer = await nextPeer()
      const acked = live.subscribe('s1', 'SELECT * FROM app.t')
      const frame = await peer.next(isType('subscribe'))
      expect(frame).toBe(
        '{"type":"subscribe","subscription":{"id":"s1","sql":"SELECT * FROM app.t","options":{}}}'
      )
      peer.send(fixture('ws-subscription-ack.json'))
      peer.send(fixture('ws-initial-data-batch.json'))
      expect(await acked).toEqual({
        subscriptionId: 's1',
        schema: [{ name: 'id', dataType: 'Int', index: 0, flags: ['pk', 'nn', 'uq'] }],
        lastSeqId: '7345812093018112',
        initialRows: [{ id: 0, value: 'ws payload', _seq: '7345812093018112' }]
      })
    })

    it('sends no options and needs only the ack when noInitialData is set', async () => {
      const { c, nextPeer } = await setup()
      const live = await c.openLive()
      const peer = await nextPeer()
      const acked = live.subscribe('s1', 'SELECT * FROM app.t', { noInitialData: true })
      expect(await peer.next(isType('subscribe'))).toBe(
        '{"type":"subscribe","subscription":{"id":"s1","sql":"SELECT * FROM app.t"}}'
      )
      peer.send(
        `{"type":"subscription_ack","subscription_id":"s1","total_rows":0,"batch_control":${fixture('ws-batch-control-no-options.json').trim()},"schema":[]}`
      )
      expect(await acked).toMatchObject({ lastSeqId: null, initialRows: [] })
    })

    it('pages with next_batch, echoing a last_seq_id beyond 2^53 digit for digit', async () => {
      const { c, nextPeer } = await setup()
      const live = await c.openLive()
      const peer = await nextPeer()
      const acked = live.subscribe('s1', 'SELECT * FROM app.t', { batchSize: 1, from: BIG_SEQ })
      expect(await peer.next(isType('subscribe'))).toContain(
        `"options":{"batch_size":1,"from":${BIG_SEQ}}`
      )
      peer.send(
        `{"type":"subscription_ack","subscription_id":"s1","total_rows":0,"batch_control":{"batch_num":0,"has_more":true,"status":"loading","last_seq_id":null},"schema":[]}`
      )
      peer.send(
        `{"type":"initial_data_batch","subscription_id":"s1","rows":[{"id":1,"_seq":"${BIG_SEQ}"}],"batch_control":{"batch_num":0,"has_more":true,"status":"loading","last_seq_id":${BIG_SEQ}}}`
      )
      expect(await peer.next(isType('next_batch'))).toBe(
        `{"type":"next_batch","subscription_id":"s1","last_seq_id":${BIG_SEQ}}`
      )
      peer.sendGzip(
        `{"type":"initial_data_batch","subscription_id":"s1","rows":[{"id":2,"_seq":"1234567890123456790"}],"batch_control":{"batch_num":1,"has_more":false,"status":"ready","last_seq_id":1234567890123456790}}`
      )
      const ack = await acked
      expect(ack.lastSeqId).toBe('1234567890123456790')
      expect(ack.initialRows.map((r) => r.id)).toEqual([1, 2])
    })

    it('rejects with the server error code of an error frame, and reports it', async () => {
      const errors: unknown[] = []
      const { c, nextPeer } = await setup()
      const live = await c.openLive({ onError: (e) => errors.push(e) })
      const peer = await nextPeer()
      const acked = live.subscribe('s1', 'SELECT * FROM app.t ORDER BY id')
      await peer.next(isType('subscribe'))
      peer.send(fixture('ws-error.json'))
      await expect(acked).rejects.toMatchObject({ code: 'SERVER_ERROR', serverCode: 'INVALID_SQL' })
      expect(errors).toEqual([{ subscriptionId: 's1', code: 'INVALID_SQL', message: '…' }])
    })

    it('reports the rate-limit error frame through onError', async () => {
      const errors: unknown[] = []
      const { c, nextPeer } = await setup()
      await c.openLive({ onError: (e) => errors.push(e) })
      const peer = await nextPeer()
      peer.send(fixture('ws-rate-limit-error.json'))
      await expect
        .poll(() => errors)
        .toEqual([
          {
            subscriptionId: 'rate_limit',
            code: 'RATE_LIMIT_EXCEEDED',
            message: 'Too many messages'
          }
        ])
    })
  })

  describe('change frames', () => {
    it('delivers insert, update and delete, text and gzip binary alike', async () => {
      const changes: LiveChange[] = []
      const { c, nextPeer } = await setup()
      const live = await c.openLive({ onChange: (ch) => changes.push(ch) })
      const peer = await nextPeer()
      peer.send(fixture('ws-change-insert.json'))
      peer.sendGzip(fixture('ws-change-update.json'))
      peer.send(fixture('ws-change-delete.json'))
      await expect.poll(() => changes.length).toBe(3)
      const row = { id: 0, value: 'ws payload', _seq: '7345812093018112' }
      expect(changes[0]).toMatchObject({ subscriptionId: 's1', changeType: 'insert', rows: [row] })
      expect(changes[0]!.oldValues).toBeUndefined()
      expect(changes[1]).toMatchObject({ changeType: 'update', rows: [row], oldValues: [row] })
      expect(changes[2]).toMatchObject({ changeType: 'delete', rows: [], oldValues: [row] })
      expect(changes[0]!.receivedAt).toBeGreaterThan(Date.now() - 60_000)
      expect(live.framesReceived).toBe(4)
    })

    it('reports a gzip frame that does not inflate as PROTOCOL and keeps the connection', async () => {
      const problems: KalamError[] = []
      const changes: LiveChange[] = []
      const { c, nextPeer } = await setup()
      const live = await c.openLive({
        onProtocolError: (e) => problems.push(e),
        onChange: (ch) => changes.push(ch)
      })
      const peer = await nextPeer()
      const broken = gzipSync(Buffer.from(fixture('ws-change-insert.json'))).subarray(0, 20)
      peer.ws.send(broken, { binary: true })
      peer.send(fixture('ws-change-insert.json'))
      await expect.poll(() => changes.length).toBe(1)
      expect(problems).toHaveLength(1)
      expect(problems[0]!.code).toBe('PROTOCOL')
      expect(problems[0]!.message).toMatch(
        /^WebSocket: a gzip frame of 20 bytes from the server does not inflate/
      )
      expect(live.protocolErrors).toBe(1)
      expect(live.open).toBe(true)
    })

    it('reports malformed JSON as PROTOCOL', async () => {
      const problems: KalamError[] = []
      const { c, nextPeer } = await setup()
      await c.openLive({ onProtocolError: (e) => problems.push(e) })
      const peer = await nextPeer()
      peer.send('{"type":"change","rows":[')
      await expect.poll(() => problems.length).toBe(1)
      expect(problems[0]).toMatchObject({
        code: 'PROTOCOL',
        message: expect.stringContaining('malformed JSON')
      })
    })
  })

  describe('close', () => {
    it('reports a close by the server mid-run with code, reason and a DISCONNECTED error', async () => {
      const closes: LiveClose[] = []
      const { c, nextPeer } = await setup()
      const live = await c.openLive({ onClose: (cl) => closes.push(cl) })
      const peer = await nextPeer()
      const pending = live.subscribe('s1', 'SELECT * FROM app.t')
      await peer.next(isType('subscribe'))
      peer.ws.close(1001, 'Server shutting down')
      await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED' })
      await expect.poll(() => closes.length).toBe(1)
      expect(closes[0]).toMatchObject({
        code: 1001,
        reason: 'Server shutting down',
        expected: false
      })
      expect(closes[0]!.error).toMatchObject({
        code: 'DISCONNECTED',
        message: "WebSocket closed by the server (code 1001 'Server shutting down')"
      })
      expect(live.open).toBe(false)
      await expect(live.subscribe('s2', 'SELECT * FROM app.t')).rejects.toMatchObject({
        code: 'DISCONNECTED'
      })
    })

    it('reports its own close as expected', async () => {
      const closes: LiveClose[] = []
      const { c } = await setup()
      const live: LiveConnection = await c.openLive({ onClose: (cl) => closes.push(cl) })
      await live.close()
      expect(closes).toEqual([{ code: 1000, reason: '', expected: true }])
    })

    it('closes live connections with the client', async () => {
      const closes: LiveClose[] = []
      const { c } = await setup()
      await c.openLive({ onClose: (cl) => closes.push(cl) })
      await c.close()
      kalam.client = null
      expect(closes).toMatchObject([{ expected: true }])
    })
  })

  describe('errors', () => {
    it.each([
      [401, 'AUTH_FAILED'],
      [404, 'NOT_KALAMDB'],
      [503, 'SERVER_ERROR']
    ])('fails with a typed error when the upgrade is answered %i', async (status, code) => {
      const { c } = await setup()
      kalam.fake!.refuseUpgrades(status)
      const err = (await c.openLive().catch((e: unknown) => e)) as KalamError
      expect(err).toMatchObject({ code, httpStatus: status })
      expect(err.message).toMatch(/^WebSocket: .*\(HTTP \d+\)$/)
    })

    it('fails with AUTH_FAILED when the server closes with 1008 before auth_success', async () => {
      const { c } = await setup()
      kalam.fake!.onSocket((ws) => ws.close(1008, 'Authentication failed'))
      await expect(c.openLive()).rejects.toMatchObject({ code: 'AUTH_FAILED' })
    })

    it('fails with TIMEOUT when the server never authenticates', async () => {
      const { c } = await setup({ headerAuth: false })
      await expect(c.openLive({}, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'TIMEOUT' })
    })
  })
})
