/**
 * Concurrent-write scaling (seed: bench_concurrent_writes, "multi-threaded write scaling"):
 * for 1, 2, 4, 8 and 16 writers in turn, each writer sends one-row INSERTs back to back
 * (closed loop, one in flight) for a fixed time; throughput is rows acknowledged per window,
 * latency is send to answer. Writers are spread over workload users, and each user's
 * requests are paced under KalamDB's per-user query rate: when that pacing, not the server,
 * set the pace, the figure says it is limit-bound.
 */
import type { BenchFigure } from '../../../shared/bench'
import type { KalamError } from '../../target/types'
import { nowMs, nowUs, sleep } from '../../workload/clock'
import { insertSql, payloadOf } from '../../workload/schema'
import { makeFigure, windowRates, type BenchContext, type Sender } from '../context'
import type { BenchRun } from './types'

const PAYLOAD = payloadOf(100)
/** Share of each level run before measuring (at least 100 ms): new sockets, cold paths. */
const WARMUP_SHARE = 0.15
/** A level whose writers waited for their pacer more than this share of the time is limit-bound. */
const LIMIT_BOUND_SHARE = 0.1
const BACKOFF_MS = 200

interface LevelResult {
  figures: BenchFigure[]
  note: string
}

async function level(ctx: BenchContext, writers: number): Promise<LevelResult> {
  const senders: Sender[] = Array.from(
    { length: writers },
    (_, i) => ctx.writers[i % ctx.writers.length]!
  )
  const used = [...new Set(senders)]
  for (const s of used) s.pacer.reset()
  const warmupMs = Math.max(100, ctx.params.scalingMs * WARMUP_SHARE)
  const start = nowMs()
  const from = start + warmupMs
  const to = from + ctx.params.scalingMs
  const acks: { t: number; rows: number }[] = []
  const latencies: number[] = []
  let rateLimited = 0
  let failed = 0
  let waitedAtFrom: number | null = null
  const loop = async (i: number): Promise<void> => {
    const s = senders[i]!
    while (!ctx.signal.aborted) {
      await s.pacer.slot(ctx.signal)
      const t0 = nowMs()
      if (t0 >= to) break
      const out = await s.client.trySql(
        insertSql(ctx.objects.table, ctx.ids.take(1), 1, i, nowUs(), PAYLOAD),
        {
          signal: ctx.signal
        }
      )
      const t1 = nowMs()
      if (out.ok) {
        ctx.inserted.rows++
        if (t0 >= from) {
          acks.push({ t: t1, rows: 1 })
          latencies.push(t1 - t0)
        }
        continue
      }
      const e: KalamError = out.error
      if (e.code === 'CANCELLED') break
      if (t0 >= from) {
        if (e.code === 'RATE_LIMITED' || e.httpStatus === 429) rateLimited++
        else failed++
      }
      await sleep(BACKOFF_MS, ctx.signal)
    }
  }
  const ticker = setInterval(() => {
    const now = nowMs()
    if (waitedAtFrom === null && now >= from)
      waitedAtFrom = used.reduce((s, u) => s + u.pacer.waitedMs, 0)
    ctx.progress({
      phase: now < from ? 'warm-up' : 'measure',
      done: Math.max(0, Math.round(now - from)),
      of: ctx.params.scalingMs
    })
  }, 100)
  try {
    await Promise.all(senders.map((_, i) => loop(i)))
  } finally {
    clearInterval(ticker)
  }
  const waited = used.reduce((s, u) => s + u.pacer.waitedMs, 0) - (waitedAtFrom ?? 0)
  const paced = waited / (writers * ctx.params.scalingMs)
  const users = new Set(senders.map((s) => s.user)).size
  const cap = used.reduce((s, u) => s + u.pacer.ratePerSec, 0)
  const limitBound =
    paced > LIMIT_BOUND_SHARE || rateLimited > 0
      ? `writers waited ${Math.round(paced * 100)}% of the time to stay under ${ctx.maxQueriesPerSec ?? 100} SQL/s per user (${writers} writer${writers === 1 ? '' : 's'} over ${users} user${users === 1 ? '' : 's'}: at most ${cap}/s)${rateLimited > 0 ? `; ${rateLimited} answered 429` : ''}`
      : undefined
  const label = `${writers} writer${writers === 1 ? '' : 's'}`
  const throughput = windowRates(acks, from, to, ctx.params.throughputWindowMs)
  const achieved = (acks.length * 1000) / ctx.params.scalingMs
  return {
    figures: [
      makeFigure(
        `concurrent-writes.${writers}.throughput`,
        'concurrent-writes',
        `${label} throughput`,
        'rows/s',
        `rows acknowledged per ${ctx.params.throughputWindowMs} ms window with ${label}, as rows/s`,
        throughput,
        limitBound
      ),
      makeFigure(
        `concurrent-writes.${writers}.latency`,
        'concurrent-writes',
        `${label} latency`,
        'ms',
        `one single-row INSERT with ${label} in a closed loop, send to answer`,
        latencies,
        limitBound
      )
    ],
    note: `${label}: ${achieved.toFixed(0)} rows/s${failed > 0 ? `, ${failed} failed` : ''}${limitBound ? ' (limit-bound)' : ''}`
  }
}

export async function concurrentWrites(ctx: BenchContext): Promise<BenchRun> {
  const figures: BenchFigure[] = []
  const notes: string[] = []
  for (const n of ctx.params.scalingLevels) {
    if (ctx.signal.aborted) break
    const r = await level(ctx, n)
    figures.push(...r.figures)
    notes.push(r.note)
  }
  notes.push(
    `closed loop, one request in flight per writer, ${ctx.params.scalingMs / 1000} s per level after a warm-up`
  )
  return {
    figures,
    notes,
    warmup: {
      operations: 0,
      ms:
        Math.round(Math.max(100, ctx.params.scalingMs * WARMUP_SHARE)) *
        ctx.params.scalingLevels.length
    }
  }
}
