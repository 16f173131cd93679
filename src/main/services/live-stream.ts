/**
 * Samples and session events on their way to the UI: batched (one message about every
 * 250 ms, not one per sample, whatever the sample rate) and kept for an hour so a
 * reloaded UI can redraw what it missed.
 */
import { SampleSchema, SessionEventSchema } from '../../shared/api-schemas'
import type { Sample } from '../../shared/sample'
import type { SessionEvent } from '../../shared/session'
import type { EventHub } from '../events'

/** Batch period: four messages a second keep a chart fluid without a message per sample. */
export const BATCH_MS = 250
/** One hour at 10 Hz (the sizing of the Live view). */
export const HISTORY_SAMPLES = 36_000
/** Counters arrive once a second; errors and flushes are rarer. */
export const HISTORY_EVENTS = 20_000

export interface LiveStreamOptions {
  events: EventHub
  batchMs?: number
  historySamples?: number
  historyEvents?: number
}

export class LiveStream {
  private samples: Sample[] = []
  private eventsOut: SessionEvent[] = []
  private pendingSamples: Sample[] = []
  private pendingEvents: SessionEvent[] = []
  private timer: ReturnType<typeof setTimeout> | null = null
  private readonly batchMs: number
  private readonly maxSamples: number
  private readonly maxEvents: number

  constructor(private readonly options: LiveStreamOptions) {
    this.batchMs = options.batchMs ?? BATCH_MS
    this.maxSamples = options.historySamples ?? HISTORY_SAMPLES
    this.maxEvents = options.historyEvents ?? HISTORY_EVENTS
  }

  pushSample(sample: Sample): void {
    this.samples.push(sample)
    trim(this.samples, this.maxSamples)
    this.pendingSamples.push(sample)
    this.schedule()
  }

  pushEvent(event: SessionEvent): void {
    this.eventsOut.push(event)
    trim(this.eventsOut, this.maxEvents)
    this.pendingEvents.push(event)
    this.schedule()
  }

  /** Everything kept, oldest first. */
  history(): { samples: Sample[]; events: SessionEvent[] } {
    return {
      samples: this.samples.slice(-this.maxSamples),
      events: this.eventsOut.slice(-this.maxEvents)
    }
  }

  /** Forget the history (a new target). Pending batches still go out. */
  clear(): void {
    this.samples = []
    this.eventsOut = []
  }

  /** Sends what is pending now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const samples = this.pendingSamples
    const events = this.pendingEvents
    this.pendingSamples = []
    this.pendingEvents = []
    if (samples.length > 0) {
      const valid = samples.filter((s) => SampleSchema.safeParse(s).success)
      if (valid.length > 0) this.options.events.emit('onSamples', { samples: valid })
    }
    if (events.length > 0) {
      // Event types the API does not know (yet) stay in the session file, not on the wire.
      const valid = events.filter((e) => SessionEventSchema.safeParse(e).success)
      if (valid.length > 0) this.options.events.emit('onEvents', { events: valid })
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.pendingSamples = []
    this.pendingEvents = []
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), this.batchMs)
  }
}

/** Drops the oldest entries in chunks, so an hour-long stream does not shift on every push. */
function trim<T>(list: T[], max: number): void {
  if (list.length > max + Math.ceil(max / 10)) list.splice(0, list.length - max)
}
