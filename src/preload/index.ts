/**
 * Exposes the typed API client as window.profiler — methods only, never ipcRenderer
 * (STYLE.md §6). Bundled with its dependencies because a sandboxed preload cannot require.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { createApiClient, type ApiTransport } from '../shared/client'

const listeners = new Map<string, Set<(payload: unknown) => void>>()
ipcRenderer.on('api:event', (_e, name: string, payload: unknown) => {
  for (const h of listeners.get(name) ?? []) h(payload)
})

const transport: ApiTransport = {
  call: (name, payload) => ipcRenderer.invoke('api:call', name, payload),
  listen(name, handler) {
    let set = listeners.get(name)
    if (!set) {
      listeners.set(name, (set = new Set()))
      ipcRenderer.send('api:listen', name)
    }
    set.add(handler)
    return () => set.delete(handler)
  }
}

const client = createApiClient(transport)
contextBridge.exposeInMainWorld('profiler', { call: client.call, on: client.on })
