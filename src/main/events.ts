/**
 * The engine's event streams, fanned out to every transport that listens. Payloads are
 * validated against the API on emit, so no transport ever carries an event the UI
 * would reject.
 */
import { apiEvents, type EventName, type EventPayload } from '../shared/api'

type Handler = (payload: unknown) => void

export class EventHub {
  private readonly handlers = new Map<EventName, Set<Handler>>()

  emit<N extends EventName>(name: N, payload: EventPayload<N>): void {
    const checked = apiEvents[name].parse(payload)
    for (const h of this.handlers.get(name) ?? []) h(checked)
  }

  listen(name: EventName, handler: Handler): () => void {
    let set = this.handlers.get(name)
    if (!set) this.handlers.set(name, (set = new Set()))
    set.add(handler)
    return () => set.delete(handler)
  }
}
