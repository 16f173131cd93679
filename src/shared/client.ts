/**
 * Builds the typed API client from any transport that can make a call and listen to an
 * event (STYLE.md §4). The client validates what it sends and what it receives, so a
 * misbehaving engine or a tampered message is an error, not a render of garbage.
 */
import {
  apiCalls,
  apiEvents,
  CallResultSchema,
  type CallName,
  type CallRequest,
  type CallResponse,
  type EventName,
  type EventPayload,
  isCallName,
  isEventName
} from './api'
import { ERROR_CODES, ProfilerError, type ErrorCode } from './errors'

export interface ApiTransport {
  call(name: string, payload: unknown): Promise<unknown>
  /** Returns the unsubscribe function. */
  listen(name: string, handler: (payload: unknown) => void): () => void
}

export type ApiClient = {
  call<N extends CallName>(name: N, request: CallRequest<N>): Promise<CallResponse<N>>
  on<N extends EventName>(name: N, handler: (payload: EventPayload<N>) => void): () => void
}

export function createApiClient(transport: ApiTransport): ApiClient {
  return {
    async call(name, request) {
      // Typed callers cannot get here with a wrong name; plain-JS ones (devtools) can.
      if (!isCallName(name)) throw new ProfilerError('BAD_INPUT', `unknown call '${String(name)}'`)
      const spec = apiCalls[name]
      const req = spec.request.safeParse(request)
      if (!req.success)
        throw new ProfilerError(
          'BAD_INPUT',
          `${name}: ${req.error.issues[0]?.message ?? 'invalid request'}`
        )
      const raw = CallResultSchema.safeParse(await transport.call(name, req.data))
      if (!raw.success)
        throw new ProfilerError('PROTOCOL', `${name}: malformed reply from the engine`)
      if (!raw.data.ok) {
        const { code, message, hint } = raw.data.error
        throw new ProfilerError(
          asErrorCode(code),
          message,
          hint === undefined ? undefined : { hint }
        )
      }
      const res = spec.response.safeParse(raw.data.value)
      if (!res.success) throw new ProfilerError('PROTOCOL', `${name}: reply does not match the API`)
      return res.data as CallResponse<typeof name>
    },
    on(name, handler) {
      if (!isEventName(name))
        throw new ProfilerError('BAD_INPUT', `unknown event '${String(name)}'`)
      const schema = apiEvents[name]
      return transport.listen(name, (payload) => {
        const parsed = schema.safeParse(payload)
        // A malformed event is dropped: one bad message must not take the UI down.
        if (parsed.success) handler(parsed.data as EventPayload<typeof name>)
      })
    }
  }
}

function asErrorCode(code: string): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'INTERNAL'
}
