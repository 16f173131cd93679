/**
 * The Electron transport of the API, renderer side, free of Electron so a test can drive
 * it with a fake ipcRenderer. Events that arrive before anyone listens to their name are
 * held (a few per name) for the first listener, so a view mounting late still sees them.
 */
import { IPC_CHANNELS } from '../shared/api'
import type { ApiTransport } from '../shared/client'

const IPC_CALL = IPC_CHANNELS.call
const IPC_READY = IPC_CHANNELS.ready
const IPC_EVENT = IPC_CHANNELS.event

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  send(channel: string, ...args: unknown[]): void
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
}

const HELD_PER_NAME = 50

export function createIpcTransport(ipc: IpcRendererLike): ApiTransport {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const held = new Map<string, unknown[]>()
  ipc.on(IPC_EVENT, (_event, name: unknown, payload: unknown) => {
    if (typeof name !== 'string') return
    const set = listeners.get(name)
    if (set && set.size > 0) {
      for (const h of set) h(payload)
      return
    }
    const list = held.get(name) ?? []
    list.push(payload)
    if (list.length > HELD_PER_NAME) list.shift()
    held.set(name, list)
  })
  ipc.send(IPC_READY)
  return {
    call: (name, payload) => ipc.invoke(IPC_CALL, name, payload),
    listen(name, handler) {
      let set = listeners.get(name)
      if (!set) listeners.set(name, (set = new Set()))
      set.add(handler)
      const early = held.get(name)
      if (early) {
        held.delete(name)
        for (const p of early) handler(p)
      }
      return () => set.delete(handler)
    }
  }
}
