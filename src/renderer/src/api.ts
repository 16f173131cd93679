/**
 * The API as the renderer sees it: window.profiler inside Electron (set by the preload),
 * otherwise a client over the bridge's WebSocket. Nothing else in the UI knows which.
 */
import type { ApiClient } from '../../shared/client'
import { createApiClient } from '../../shared/client'
import { createBridgeTransport } from './bridge-transport'

declare global {
  interface Window {
    profiler?: ApiClient
  }
}

let client: ApiClient | undefined

export function getApi(): ApiClient {
  client ??= window.profiler ?? createApiClient(createBridgeTransport(window.location))
  return client
}
