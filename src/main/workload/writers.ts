/**
 * N concurrent writers holding one aggregate insert rate (open model, see schedule.ts).
 * The rate is in rows per second; each request inserts `batchSize` rows, so the request
 * grid runs at rate / batchSize. Intended starts are dealt round-robin to the writers; a
 * writer has one request in flight (like a connection) and works through its backlog in
 * order, so its latency is measured from the intended start, not from the actual send.
 *
 * Failed requests are counted by kind (429 rate-limited, 503 unavailable, other) and never
 * stop the pool: overload is something to measure, not a reason to quit.
 */
import { nowMs, nowUs, sleep } from './clock'
import { OpenSchedule } from './schedule'
import { insertSql, payloadOf } from './schema'
import { safeTrySql, type SqlRunner, type Stoppable, type WorkloadSink } from './types'

export interface WriterSlot {
  runner: SqlRunner
  /** For error events and the session record. */
  user: string
}

export interface InsertObservation {
  /** When the request was actually sent (epoch µs; also written into its rows). */
  sentUs: number
  rows: number
  /** From the intended start to the answer. */
  latencyUs: number
  ok: boolean
  /** Profiler error code of a failure (RATE_LIMITED, SERVER_ERROR, UNREACHABLE …). */
  code?: string
  httpStatus?: number | null
}

export interface WriterPoolOptions {
  /** One entry per writer. */
  writers: WriterSlot[]
  table: string
  ratePerSec: number
  batchSize: number
  payloadBytes?: number
  sink: WorkloadSink
  signal: AbortSignal
  /** Called for every answered request (subscriber accounting, ramp steps). */
  onInsert?(o: InsertObservation): void
  /** Ids are unique per run; pools of one run share this allocator. */
  ids?: IdAllocator
  /** Most intended starts a writer may hold unsent before older ones are dropped and counted. */
  maxBacklogPerWriter?: number
}

export interface WriterPool extends Stoppable {
  setRate(ratePerSec: number): void
  readonly ratePerSec: number
  /** Intended requests that were never sent (backlog overflow or stop with a backlog). */
  readonly unsent: number
  /** Requests in flight now. */
  readonly inFlight: number
}

/** Row ids unique within a run: the table is fresh per run, so a counter is enough. */
export class IdAllocator {
  private next = 1
  take(n: number): number {
    const first = this.next
    this.next += n
    return first
  }
}

/** How long stop() waits for answers of requests in flight before aborting them. */
const STOP_GRACE_MS = 5000

export function startWriters(options: WriterPoolOptions): WriterPool {
  const { writers, table, sink, signal } = options
  if (writers.length === 0) throw new Error('startWriters needs at least one writer')
  const batch = Math.max(1, Math.floor(options.batchSize))
  const payload = payloadOf(options.payloadBytes ?? 100)
  const ids = options.ids ?? new IdAllocator()
  const maxBacklog = options.maxBacklogPerWriter ?? 100_000
  const requestAbort = new AbortController()
  const onParentAbort = (): void => requestAbort.abort()
  signal.addEventListener('abort', onParentAbort, { once: true })

  let rowRate = options.ratePerSec
  const schedule = new OpenSchedule(nowMs(), rowRate / batch)
  const queues: number[][] = writers.map(() => [])
  const wake: (() => void)[] = writers.map(() => () => {})
  let running = !signal.aborted
  let unsent = 0
  let inFlight = 0
  let nextWriter = 0
  let dispatchTimer: NodeJS.Timeout | null = null
  // The run's counters too, so the session keeps what the pool's own figure forgets at stop.
  const countUnsent = (n: number): void => {
    unsent += n
    sink.counters.unsent = (sink.counters.unsent ?? 0) + n
  }

  const dispatch = (): void => {
    dispatchTimer = null
    if (!running) return
    const now = nowMs()
    for (const intended of schedule.takeDue(now)) {
      const i = nextWriter
      nextWriter = (nextWriter + 1) % writers.length
      const q = queues[i]!
      if (q.length >= maxBacklog) {
        q.shift()
        countUnsent(1)
      }
      q.push(intended)
      wake[i]!()
    }
    const next = schedule.peek()
    // At most 50 ms asleep so a rate change or stop is picked up quickly.
    const delay = next === Infinity ? 50 : Math.min(50, Math.max(0, next - nowMs()))
    dispatchTimer = setTimeout(dispatch, delay)
  }

  const writerLoop = async (i: number): Promise<void> => {
    const slot = writers[i]!
    const q = queues[i]!
    while (running) {
      const intended = q.shift()
      if (intended === undefined) {
        await new Promise<void>((resolve) => (wake[i] = resolve))
        wake[i] = () => {}
        continue
      }
      const rows = batch
      const first = ids.take(rows)
      const sentUs = nowUs()
      sink.counters.requests++
      inFlight++
      const outcome = await safeTrySql(
        slot.runner,
        insertSql(table, first, rows, i, sentUs, payload),
        { signal: requestAbort.signal }
      )
      inFlight--
      const latencyUs = (nowMs() - intended) * 1000
      if (outcome.ok) {
        sink.counters.inserts += rows
        sink.latency.record('insert', latencyUs)
        options.onInsert?.({ sentUs, rows, latencyUs, ok: true })
        continue
      }
      const e = outcome.error
      if (e.code === 'CANCELLED' || requestAbort.signal.aborted) continue
      if (e.code === 'RATE_LIMITED' || e.httpStatus === 429) sink.counters.rateLimited++
      else if (e.httpStatus === 503) sink.counters.unavailable++
      else sink.counters.errors++
      sink.errors.add('writer', e.code, e.message, e.httpStatus)
      options.onInsert?.({
        sentUs,
        rows,
        latencyUs,
        ok: false,
        code: e.code,
        httpStatus: e.httpStatus
      })
    }
  }

  const loops = writers.map((_, i) => writerLoop(i))
  if (running) dispatch()

  let stopping: Promise<void> | null = null
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      running = false
      if (dispatchTimer) clearTimeout(dispatchTimer)
      for (const q of queues) {
        countUnsent(q.length)
        q.length = 0
      }
      for (const w of wake) w()
      const settled = Promise.all(loops).then(() => undefined)
      const grace = new AbortController()
      await Promise.race([settled, sleep(STOP_GRACE_MS, grace.signal)])
      grace.abort()
      requestAbort.abort()
      await settled
      signal.removeEventListener('abort', onParentAbort)
    })()
    return stopping
  }
  signal.addEventListener('abort', () => void stop(), { once: true })

  return {
    stop,
    setRate(ratePerSec: number) {
      rowRate = ratePerSec
      schedule.setRate(ratePerSec / batch, nowMs())
      if (running && dispatchTimer) {
        clearTimeout(dispatchTimer)
        dispatch()
      }
    },
    get ratePerSec() {
      return rowRate
    },
    get unsent() {
      return unsent
    },
    get inFlight() {
      return inFlight
    }
  }
}
