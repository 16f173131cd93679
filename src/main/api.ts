/**
 * The one Node-side handler table behind both transports (Electron IPC and the web bridge).
 * A transport hands every incoming call to `dispatchCall`, which rejects unknown names and
 * malformed payloads before any handler runs, and checks the handler's answer on the way out.
 */
import {
  apiCalls,
  isCallName,
  type CallName,
  type CallRequest,
  type CallResponse,
  type CallResult
} from '../shared/api'
import { ProfilerError, toErrorData } from '../shared/errors'

export type ApiHandlers = {
  [N in CallName]: (request: CallRequest<N>) => Promise<CallResponse<N>>
}

/**
 * A full handler table from a few handlers, the rest answering "not available": for tests
 * and front ends that serve part of the API. Still typed per call.
 */
export function partialHandlers(some: Partial<ApiHandlers>): ApiHandlers {
  const table = {} as Record<CallName, (r: unknown) => Promise<unknown>>
  for (const name of Object.keys(apiCalls) as CallName[]) {
    table[name] = async () => {
      throw new ProfilerError('INTERNAL', `${name} is not available here`)
    }
  }
  return { ...(table as unknown as ApiHandlers), ...some }
}

export async function dispatchCall(
  handlers: ApiHandlers,
  name: unknown,
  payload: unknown
): Promise<CallResult> {
  if (!isCallName(name)) {
    return { ok: false, error: { code: 'BAD_INPUT', message: `unknown call '${String(name)}'` } }
  }
  const spec = apiCalls[name]
  const req = spec.request.safeParse(payload)
  if (!req.success) {
    return {
      ok: false,
      error: {
        code: 'BAD_INPUT',
        message: `${name}: ${req.error.issues[0]?.message ?? 'invalid request'}`
      }
    }
  }
  try {
    const handler = handlers[name] as (r: unknown) => Promise<unknown>
    const value = await handler(req.data)
    const res = spec.response.safeParse(value)
    if (!res.success)
      return {
        ok: false,
        error: { code: 'INTERNAL', message: `${name}: handler answered outside the API` }
      }
    return { ok: true, value: res.data }
  } catch (e) {
    return { ok: false, error: toErrorData(e) }
  }
}
