/**
 * A typed fake of the API for component tests (STYLE.md §24): handlers and events are
 * typed by the shared API table and every reply goes through the real client, so its
 * schema check catches a fixture that drifted from the contract.
 */
import type {
  CallName,
  CallRequest,
  CallResponse,
  EventName,
  EventPayload
} from '../../../shared/api'
import { createApiClient, type ApiClient } from '../../../shared/client'
import { toErrorData } from '../../../shared/errors'

export type FakeHandlers = {
  [N in CallName]?: (request: CallRequest<N>) => CallResponse<N> | Promise<CallResponse<N>>
}

export interface FakeApi extends ApiClient {
  /** Every call made, in order: [name, request]. */
  readonly calls: [CallName, unknown][]
  emit<N extends EventName>(name: N, payload: EventPayload<N>): void
  /** Replace or add handlers mid-test. */
  handle(more: FakeHandlers): void
}

export function createFakeApi(initial: FakeHandlers = {}): FakeApi {
  const handlers: FakeHandlers = { ...initial }
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const calls: [CallName, unknown][] = []
  const client = createApiClient({
    async call(name, payload) {
      calls.push([name as CallName, payload])
      const h = handlers[name as CallName] as ((r: unknown) => unknown) | undefined
      if (!h) return { ok: false, error: { code: 'INTERNAL', message: `${name} is not faked` } }
      try {
        return { ok: true, value: await h(payload) }
      } catch (e) {
        return { ok: false, error: toErrorData(e) }
      }
    },
    listen(name, handler) {
      let set = listeners.get(name)
      if (!set) listeners.set(name, (set = new Set()))
      set.add(handler)
      return () => set.delete(handler)
    }
  })
  return {
    ...client,
    calls,
    emit(name, payload) {
      for (const h of listeners.get(name) ?? []) h(payload)
    },
    handle(more) {
      Object.assign(handlers, more)
    }
  }
}
