/**
 * Exposes the typed API client as window.profiler — two methods, never ipcRenderer
 * (STYLE.md §6). Bundled with its dependencies because a sandboxed preload cannot require.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { createApiClient } from '../shared/client'
import { toErrorData } from '../shared/errors'
import { createIpcTransport } from './transport'

const client = createApiClient(createIpcTransport(ipcRenderer))
contextBridge.exposeInMainWorld('profiler', {
  // contextBridge copies only an Error's message: reject with the error as data instead,
  // so the page keeps the code and hint (the same fields a ProfilerError has).
  call: (name: never, request: never) =>
    client.call(name, request).catch((e: unknown) => Promise.reject(toErrorData(e))),
  on: client.on
})
