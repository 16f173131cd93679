/** The browser side of the web bridge: calls and event streams over one WebSocket. */
import type { ApiTransport } from '../../shared/client'

export function createBridgeTransport(location: Location): ApiTransport {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`
  const pending = new Map<number, (result: unknown) => void>()
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  let nextId = 1
  let socket: WebSocket | undefined
  let open: Promise<WebSocket> | undefined

  const connect = (): Promise<WebSocket> => {
    open ??= new Promise((resolve, reject) => {
      const ws = new WebSocket(url)
      ws.onopen = () => {
        socket = ws
        for (const name of listeners.keys()) ws.send(JSON.stringify({ kind: 'listen', name }))
        resolve(ws)
      }
      ws.onerror = () => reject(new Error('cannot reach the profiler engine'))
      ws.onclose = () => {
        open = undefined
        socket = undefined
        for (const resolveCall of pending.values()) {
          resolveCall({
            ok: false,
            error: { code: 'DISCONNECTED', message: 'the profiler engine went away' }
          })
        }
        pending.clear()
      }
      ws.onmessage = (ev) => {
        const m = JSON.parse(String(ev.data)) as {
          kind: string
          id?: number
          result?: unknown
          name?: string
          payload?: unknown
        }
        if (m.kind === 'result' && m.id !== undefined) {
          pending.get(m.id)?.(m.result)
          pending.delete(m.id)
        } else if (m.kind === 'event' && m.name) {
          for (const h of listeners.get(m.name) ?? []) h(m.payload)
        }
      }
    })
    return open
  }

  return {
    async call(name, payload) {
      const ws = await connect()
      const id = nextId++
      return new Promise((resolve) => {
        pending.set(id, resolve)
        ws.send(JSON.stringify({ kind: 'call', id, name, payload }))
      })
    },
    listen(name, handler) {
      let set = listeners.get(name)
      if (!set) {
        listeners.set(name, (set = new Set()))
        if (socket) socket.send(JSON.stringify({ kind: 'listen', name }))
        else void connect().catch(() => undefined)
      }
      set.add(handler)
      return () => set.delete(handler)
    }
  }
}
