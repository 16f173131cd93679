/**
 * The web bridge: the built renderer and the API over one WebSocket, on 127.0.0.1 only,
 * behind a per-start token. `kalam-profiler ui` and `npm start` without Electron use it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { isEventName } from '../../shared/api'
import { dispatchCall, type ApiHandlers } from '../api'
import type { EventHub } from '../events'
import { BRIDGE_PATH, BridgeRequestSchema, type BridgeMessage } from './protocol'
import { serveStatic, send } from './static-files'
import {
  TOKEN_QUERY,
  cookieToken,
  createToken,
  hostAllowed,
  tokenCookie,
  tokenMatches
} from './token'

export interface BridgeOptions {
  /** 0 = a free port. */
  port: number
  rendererDir: string
  handlers: ApiHandlers
  events: EventHub
  /** Fixed token for tests; random otherwise. */
  token?: string
}

export interface RunningBridge {
  /** The URL to open: carries the token once; the page then lives on the cookie. */
  url: string
  port: number
  token: string
  close(): Promise<void>
}

export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const token = options.token ?? createToken()
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })
  const server: Server = createServer((req, res) => {
    const port = (server.address() as { port: number }).port
    if (!hostAllowed(req.headers.host, port))
      return send(res, 403, 'forbidden: unexpected Host header')
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
    const fromQuery = url.searchParams.get(TOKEN_QUERY)
    if (tokenMatches(token, fromQuery)) {
      // Take the token from the URL once, then drop it from the address bar.
      url.searchParams.delete(TOKEN_QUERY)
      res.writeHead(302, { 'set-cookie': tokenCookie(token), location: url.pathname + url.search })
      res.end()
      return
    }
    if (!tokenMatches(token, cookieToken(req))) {
      return send(
        res,
        401,
        'unauthorized: open the URL that `kalam-profiler ui` printed (it carries the token)'
      )
    }
    void serveStatic(options.rendererDir, url.pathname, res)
  })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const port = (server.address() as { port: number }).port
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
    const origin = req.headers.origin
    const sameOrigin = origin === undefined || hostAllowed(origin.replace(/^http:\/\//, ''), port)
    if (
      url.pathname !== BRIDGE_PATH ||
      !hostAllowed(req.headers.host, port) ||
      !sameOrigin ||
      !tokenMatches(token, cookieToken(req) ?? url.searchParams.get(TOKEN_QUERY))
    ) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, options))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}/?${TOKEN_QUERY}=${token}`,
    port,
    token,
    async close() {
      for (const c of wss.clients) c.terminate()
      wss.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

function serveSocket(ws: WebSocket, options: BridgeOptions): void {
  const unlisten = new Map<string, () => void>()
  const post = (m: BridgeMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m))
  }
  ws.on('message', (data, isBinary) => {
    let parsed: unknown
    try {
      parsed = isBinary ? undefined : JSON.parse(String(data))
    } catch {
      parsed = undefined
    }
    const msg = BridgeRequestSchema.safeParse(parsed)
    if (!msg.success) return post({ kind: 'error', message: 'rejected: not a bridge message' })
    const m = msg.data
    if (m.kind === 'call') {
      void dispatchCall(options.handlers, m.name, m.payload).then((result) =>
        post({ kind: 'result', id: m.id, result })
      )
    } else if (m.kind === 'listen') {
      if (!isEventName(m.name))
        return post({ kind: 'error', message: `rejected: unknown event '${m.name}'` })
      const name = m.name
      if (!unlisten.has(name))
        unlisten.set(
          name,
          options.events.listen(name, (payload) => post({ kind: 'event', name, payload }))
        )
    } else {
      unlisten.get(m.name)?.()
      unlisten.delete(m.name)
    }
  })
  ws.on('close', () => {
    for (const off of unlisten.values()) off()
    unlisten.clear()
  })
}
