/**
 * The one API between the app's UI and its engine (STYLE.md §4): request/response calls
 * and `on…` event streams, each with a schema. Electron IPC and the web bridge are two
 * transports of this table; both validate every message against it, both ways.
 */
import { z } from 'zod'

/** A KalamDB (or, with --all, any) local process that listens on TCP. */
export const TargetSchema = z.object({
  pid: z.number().int(),
  /** Executable name (/proc/PID/comm). */
  name: z.string(),
  /** Full command line. */
  command: z.string(),
  /** TCP ports the process listens on. */
  listeningPorts: z.array(z.number().int()),
  /** True when a port answered GET /health like KalamDB. */
  isKalamDb: z.boolean(),
  /** The HTTP port (the one whose /health answered), when known. */
  httpPort: z.number().int().nullable(),
  baseUrl: z.string().nullable(),
  version: z.string().nullable(),
  rssBytes: z.number().nullable()
})
export type Target = z.infer<typeof TargetSchema>

export const AppInfoSchema = z.object({
  version: z.string(),
  /** Which transport carries this API: the renderer shows it, it never branches on it. */
  transport: z.enum(['electron', 'web']),
  platform: z.string()
})
export type AppInfo = z.infer<typeof AppInfoSchema>

/** Request/response calls, `domain:action` names (k6-studio style). */
export const apiCalls = {
  'app:info': { request: z.object({}).strict(), response: AppInfoSchema },
  'targets:list': {
    request: z.object({ all: z.boolean().optional() }).strict(),
    response: z.array(TargetSchema)
  }
} as const

/** Event streams pushed by the engine; payloads are batched where they are frequent. */
export const apiEvents = {
  /** Emitted once when the engine is ready; lets a UI show it is connected. */
  onReady: z.object({ t: z.number() })
} as const

export type CallName = keyof typeof apiCalls
export type EventName = keyof typeof apiEvents
export type CallRequest<N extends CallName> = z.input<(typeof apiCalls)[N]['request']>
export type CallResponse<N extends CallName> = z.output<(typeof apiCalls)[N]['response']>
export type EventPayload<N extends EventName> = z.output<(typeof apiEvents)[N]>

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(apiCalls, name)
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(apiEvents, name)
}

/** What a call returns over any transport: errors cross as data, never as stacks. */
export const CallResultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() })
  })
])
export type CallResult = z.infer<typeof CallResultSchema>
