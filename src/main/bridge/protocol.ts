/** Messages of the bridge's WebSocket, validated on arrival: anything else is refused. */
import { z } from 'zod'

export const BridgeRequestSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('call'),
    id: z.number().int(),
    name: z.string(),
    payload: z.unknown()
  }),
  z.object({ kind: z.literal('listen'), name: z.string() }),
  z.object({ kind: z.literal('unlisten'), name: z.string() })
])
export type BridgeRequest = z.infer<typeof BridgeRequestSchema>

/** Server → browser. */
export type BridgeMessage =
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'event'; name: string; payload: unknown }
  | { kind: 'error'; message: string }

export const BRIDGE_PATH = '/api'
