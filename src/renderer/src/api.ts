/**
 * The API as the renderer sees it: window.profiler inside Electron (set by the preload),
 * otherwise a client over the bridge's WebSocket. Nothing else in the UI knows which.
 * Components take it from context, so tests hand them a typed fake (STYLE.md §24).
 */
import { createContext, useContext } from 'react'
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

export const ApiContext = createContext<ApiClient | null>(null)

export function useApi(): ApiClient {
  return useContext(ApiContext) ?? getApi()
}

/**
 * One line for a failed call: its message and, when the engine gave one, its hint.
 * Errors arrive as ProfilerError (bridge) or as plain {code, message, hint} data (Electron's
 * contextBridge copies no Error classes), so this reads fields, not classes.
 */
export function errorText(e: unknown): string {
  if (e && typeof e === 'object' && 'message' in e) {
    const { message, hint } = e as { message: unknown; hint?: unknown }
    return typeof hint === 'string' && hint ? `${String(message)} (${hint})` : String(message)
  }
  return String(e)
}
