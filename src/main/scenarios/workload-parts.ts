/**
 * The workload parts of one run (writers, subscribers, prober, flusher, ramp, churn), started
 * for a scenario definition and wired together: every answered insert goes to every
 * subscriber group (so they know what to expect) and to the running ramp. Everything started
 * is stopped by stopAll(), once, at the end or before a quiet phase.
 */
import { ProfilerError } from '../../shared/errors'
import type { SessionEvent } from '../../shared/session'
import type { KalamClient } from '../target/types'
import { runChurn, type ChurnResult } from '../workload/churn'
import { linkedAbort } from '../workload/clock'
import { DEFAULT_FLUSH_TIMEOUT_MS } from '../target/flush'
import { flushOnce, startFlusher, type Flusher, type FlushRecord } from '../workload/flusher'
import { startProber, type Prober } from '../workload/prober'
import { createRamp, type RampOptions, type RampResult } from '../workload/ramp'
import { probeSql } from '../workload/schema'
import {
  startSubscribers,
  type SubscriberGroup,
  type SubscriberStats
} from '../workload/subscribers'
import type { Stoppable, WorkloadSink } from '../workload/types'
import type { Provisioned } from '../workload/users'
import {
  IdAllocator,
  startWriters,
  type InsertObservation,
  type WriterPool
} from '../workload/writers'
import type { RunRecord } from './record'

export interface WorkloadPartsOptions {
  sink: WorkloadSink
  signal: AbortSignal
  table: string
  /** WebSocket opens per second (under the per-IP auth limit). */
  openPerSec: number
  record: RunRecord
  /** The run's workload users, once set up. */
  provisioned(): Provisioned
  /** The run's own login (prober, flusher). */
  admin(): KalamClient
  emit(e: SessionEvent): void
}

export interface ChurnPartOptions {
  /** Connections opened (one subscription each) and closed again per cycle. */
  connections: number
  cycles: number
  holdMs: number
  pauseMs: number
}

/** A running churn: `done` resolves with what it did, also after stop() or an abort. */
export interface Churn extends Stoppable {
  readonly done: Promise<ChurnResult>
}

export class WorkloadParts {
  private readonly parts: Stoppable[] = []
  private readonly groups: SubscriberGroup[] = []
  private readonly ids = new IdAllocator()
  private currentPool: WriterPool | null = null
  private rampObserver: ((o: InsertObservation) => void) | null = null

  constructor(private readonly o: WorkloadPartsOptions) {}

  /** The rate the running writer pool aims at; null when none runs. */
  get targetRatePerSec(): number | null {
    return this.currentPool ? this.currentPool.ratePerSec : null
  }

  writers(ratePerSec: number, batchSize: number): WriterPool {
    this.guard()
    const pool = startWriters({
      writers: this.o.provisioned().writerSlots,
      table: this.o.table,
      ratePerSec,
      batchSize,
      sink: this.o.sink,
      signal: this.o.signal,
      ids: this.ids,
      onInsert: (obs) => {
        for (const g of this.groups) g.observeInsert(obs)
        this.rampObserver?.(obs)
      }
    })
    this.parts.push(pool)
    this.currentPool = pool
    this.o.emit({ t: Date.now(), type: 'rate', targetPerSec: ratePerSec })
    const stop = pool.stop
    return Object.assign(pool, {
      stop: async () => {
        if (this.currentPool === pool) this.currentPool = null
        await stop()
      }
    })
  }

  subscribers(count: number): SubscriberGroup {
    this.guard()
    const group = startSubscribers({
      slots: this.o.provisioned().subscriberSlots(count),
      table: this.o.table,
      sink: this.o.sink,
      signal: this.o.signal,
      openPerSec: this.o.openPerSec
    })
    this.groups.push(group)
    this.parts.push(group)
    return group
  }

  /**
   * Connection churn on subscriber slots past those the subscriber groups hold, so a churned
   * connection never pushes a workload user over its subscription limit (the plan must count
   * them in its subscriptions).
   */
  churn(options: ChurnPartOptions): Churn {
    this.guard()
    const taken = Math.max(0, ...this.groups.map((g) => g.stats.length))
    const slots = this.o
      .provisioned()
      .subscriberSlots(taken + options.connections)
      .slice(taken)
    // Its own abort, so stopAll() ends it without ending the run.
    const abort = linkedAbort(this.o.signal)
    const done = runChurn({
      ...options,
      slots,
      table: this.o.table,
      openPerSec: this.o.openPerSec,
      sink: this.o.sink,
      signal: abort.signal
    }).finally(() => abort.dispose())
    const churn: Churn = {
      done,
      stop: async () => {
        abort.abort()
        await done.catch(() => undefined)
      }
    }
    this.parts.push(churn)
    return churn
  }

  prober(intervalMs: number): Prober {
    this.guard()
    const p = startProber({
      runner: this.o.admin(),
      sql: probeSql(this.o.table),
      intervalMs,
      sink: this.o.sink,
      signal: this.o.signal
    })
    this.parts.push(p)
    return p
  }

  flusher(intervalMs: number, onFlush?: (f: FlushRecord) => void): Flusher {
    this.guard()
    const f = startFlusher({
      client: this.o.admin(),
      table: this.o.table,
      intervalMs,
      sink: this.o.sink,
      signal: this.o.signal,
      onFlush: (r) => {
        this.o.record.flushes.push(r)
        onFlush?.(r)
      }
    })
    this.parts.push(f)
    return f
  }

  /**
   * One flush now, waited for and recorded like the flusher's, of the rows inserted since the
   * last completed flush. Null when the run stopped while it waited.
   */
  async flushNow(): Promise<FlushRecord | null> {
    this.guard()
    const { sink } = this.o
    const r = await flushOnce(
      {
        client: this.o.admin(),
        table: this.o.table,
        sink,
        timeoutMs: DEFAULT_FLUSH_TIMEOUT_MS,
        signal: this.o.signal
      },
      sink.counters.inserts - sink.counters.flushedRows
    )
    if (r) this.o.record.flushes.push(r)
    return r
  }

  async ramp(
    pool: WriterPool,
    options: Omit<RampOptions, 'pool' | 'sink' | 'signal'>
  ): Promise<RampResult> {
    this.guard()
    const ramp = createRamp({ ...options, pool, sink: this.o.sink, signal: this.o.signal })
    this.rampObserver = (obs) => ramp.observe(obs)
    try {
      const result = await ramp.run()
      this.o.record.ramp = result
      return result
    } finally {
      this.rampObserver = null
    }
  }

  /** Once a second: the subscribers' live drop estimate moves on. */
  tick(): void {
    for (const g of this.groups) g.tick()
  }

  subscriberStats(): SubscriberStats[] {
    return this.groups.flatMap((g) => g.stats)
  }

  droppedEstimate(): number {
    return Math.max(0, ...this.groups.map((g) => g.droppedEstimate()))
  }

  async stopAll(): Promise<void> {
    const parts = this.parts.splice(0)
    await Promise.all(parts.map((p) => p.stop().catch(() => undefined)))
    this.currentPool = null
  }

  private guard(): void {
    if (this.o.signal.aborted) throw new ProfilerError('CANCELLED', 'the run was stopped')
  }
}
