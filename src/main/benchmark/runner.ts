/**
 * `runBench`: the seed's performance benchmarks against one live KalamDB server — the
 * entry point of `kalam-profiler bench` (and of the UI, should it offer benchmarks):
 *
 *   runBench(options: BenchOptions, hooks?: BenchHooks, deps?: BenchDeps): Promise<BenchResult>
 *
 * Before any load it checks what can be checked (loopback URL unless allowed, login,
 * limits, the right to create workload users when the limits need them) and fails with one
 * ProfilerError. Then it creates a namespace with its tables and, when KalamDB's per-user
 * query rate is too low for the writer benchmarks, workload users; runs the benchmarks one
 * after another (a failing one is recorded and the rest still run); judges the targets;
 * and always drops what it created.
 */
import {
  BENCH_RESULT_KIND,
  BENCHMARK_IDS,
  type BenchmarkId,
  type BenchmarkOutcome,
  type BenchResult
} from '../../shared/bench'
import { ProfilerError } from '../../shared/errors'
import { machineInfo } from '../session/machine'
import type { Credentials, KalamClient, ServerLimits } from '../target/types'
import { PROFILER_VERSION } from '../version'
import { setMaxListeners } from 'node:events'
import { linkedAbort, nowMs } from '../workload/clock'
import { assertTargetAllowed } from '../workload/guard'
import { createStatements, dropStatements, runObjects } from '../workload/schema'
import {
  canCreateUsers,
  cannotCreateUsers,
  dropUsers,
  planUsers,
  provisionUsers,
  RATE_HEADROOM,
  type Connect,
  type Provisioned
} from '../workload/users'
import { IdAllocator } from '../workload/writers'
import { concurrentWrites } from './benchmarks/concurrency'
import { flushThroughput } from './benchmarks/flush'
import { notificationLatency } from './benchmarks/notification'
import { queryLatency, readLatency, writeLatency } from './benchmarks/sql-latency'
import { sustainedWrite, type SustainedOutcome } from './benchmarks/sustained'
import type { BenchRun } from './benchmarks/types'
import type { BenchContext, BenchProgress, Sender } from './context'
import { SkipBenchmark, memoryRetention } from './benchmarks/retention'
import { probeEnvironment } from './environment'
import { memoryReader, resolveServerPid, watchMemory, type MemoryWatch } from './memory'
import { pacerFor } from './pacer'
import { BENCHMARK_TITLES, FULL_PARAMS, QUICK_PARAMS, type BenchParams } from './plan'
import { warmUp } from './warmup'
import { checkTargets, type SustainedFacts } from './targets'

export interface BenchOptions {
  /** Base URL, e.g. http://127.0.0.1:8080. */
  url: string
  credentials: Credentials
  quick: boolean
  /** Benchmarks to run (default: all, in the seed's order). */
  only?: BenchmarkId[]
  /** How long the sustained-write benchmark holds its rate (default 30 s, quick 2 s). */
  sustainedMs?: number
  setup?: boolean
  allowRemote?: boolean
  /** Leave the namespace, tables and workload users in place. */
  keep?: boolean
  /**
   * The server's process, for its memory from /proc: a pid, 'auto' (the process listening
   * on the URL's port, loopback only; the default) or null (the server's own figures only).
   */
  pid?: number | 'auto' | null
  signal: AbortSignal
  /** argv that reproduces the run, credentials removed. */
  command?: string[]
}

export interface BenchHooks {
  onProgress?(p: BenchProgress): void
  /** Things the user should know (workload users, cleanup warnings). */
  onNotice?(message: string): void
  /** After each benchmark. */
  onBenchmark?(outcome: BenchmarkOutcome): void
}

export interface BenchDeps {
  connect: Connect
}

/** Largest writer count of the scaling benchmark: each should get its own user when limits are low. */
const CLEANUP_TIMEOUT_MS = 15_000
/** A writer in a closed loop on a local server: about 1,000 requests/s at most (1 ms each). */
const CLOSED_LOOP_WRITER_RATE = 1000

export async function runBench(
  options: BenchOptions,
  hooks: BenchHooks = {},
  deps?: BenchDeps
): Promise<BenchResult> {
  assertTargetAllowed(options.url, options.allowRemote)
  const selected = options.only && options.only.length > 0 ? options.only : [...BENCHMARK_IDS]
  const base = options.quick ? QUICK_PARAMS : FULL_PARAMS
  const params: BenchParams = {
    ...base,
    ...(options.sustainedMs ? { sustainedMs: options.sustainedMs } : {})
  }
  const connect: Connect = deps?.connect ?? (await import('../target/client')).connectKalam
  if (options.signal.aborted) throw new ProfilerError('CANCELLED', 'the benchmark was cancelled')
  // Sixteen writers, their pacers and requests all wait on one signal: more listeners than
  // Node's default warning threshold, by design.
  const abort = linkedAbort(options.signal)
  setMaxListeners(256, abort.signal)
  options = { ...options, signal: abort.signal }
  const admin = await connect({
    url: options.url,
    credentials: options.credentials,
    setup: options.setup ?? false,
    signal: options.signal
  }).catch((e: unknown) => {
    abort.dispose()
    throw e
  })
  const startedAt = Date.now()
  const notes: string[] = []
  const created: string[] = []
  const objects = runObjects()
  let provisioned: Provisioned | null = null
  let namespaceCreated = false
  let memory: MemoryWatch | null = null
  try {
    const health = await admin.health()
    const limits: ServerLimits | null = await admin.limits().catch(() => null)
    const stats = await admin.stats().catch(() => null)
    if (!limits) {
      const n =
        "the server's limits (system.settings) could not be read: KalamDB's defaults are assumed"
      notes.push(n)
      hooks.onNotice?.(n)
    }
    const qps = limits?.maxQueriesPerSec ?? null
    const wantsSustained = selected.includes('sustained-write')
    const wantsScaling = selected.includes('concurrent-writes')
    const maxLevel = Math.max(...params.scalingLevels)
    const perWriter = Math.min((qps ?? 100) * RATE_HEADROOM, CLOSED_LOOP_WRITER_RATE)
    const needs = {
      writers: wantsScaling ? maxLevel : wantsSustained ? 10 : 0,
      writeRequestsPerSec: Math.max(
        wantsSustained ? params.sustainedRate : 0,
        wantsScaling ? maxLevel * perWriter : 0
      ),
      subscriptions: selected.includes('notification-latency') ? 1 : 0
    }
    const plan = planUsers(needs, limits)
    if (plan.writerUsers + plan.subscriberUsers > 0 && !canCreateUsers(admin.role)) {
      throw cannotCreateUsers(plan, needs, admin.user ? `'${admin.user}'` : 'this login')
    }
    for (const n of plan.notes) {
      notes.push(n)
      hooks.onNotice?.(n)
    }
    for (const sql of createStatements(objects)) await admin.sql(sql, { signal: options.signal })
    namespaceCreated = true
    provisioned = await provisionUsers(
      {
        admin,
        connect,
        url: options.url,
        plan: { ...plan, subscriberUsers: 0 },
        tag: objects.tag,
        signal: options.signal
      },
      created
    )
    const adminSender: Sender = { client: admin, user: admin.user ?? 'self', pacer: pacerFor(qps) }
    const writers = writerSenders(provisioned, adminSender, qps)
    const serverPid = await resolveServerPid(
      options.url,
      options.pid === undefined ? 'auto' : options.pid
    )
    const reader = await memoryReader(serverPid, admin)
    const shared = new Map<string, Promise<unknown>>()
    let current: { id: BenchmarkId; index: number } = { id: selected[0]!, index: 1 }
    const ctx: BenchContext = {
      params,
      admin: adminSender,
      writers,
      objects,
      ids: new IdAllocator(),
      inserted: { rows: 0 },
      memory: reader,
      maxQueriesPerSec: qps,
      signal: options.signal,
      progress: (p) =>
        hooks.onProgress?.({
          ...p,
          benchmark: current.id,
          index: current.index,
          total: selected.length
        }),
      createTable: async (name, o = {}) => {
        const table = `${objects.namespace}.${name}`
        await admin.sql(tableDdl(table, o.manualFlush ?? false), { signal: options.signal })
        return table
      },
      once: <T>(key: string, make: () => Promise<T>): Promise<T> => {
        let p = shared.get(key) as Promise<T> | undefined
        if (!p) {
          p = make()
          shared.set(key, p)
        }
        return p
      }
    }
    memory = reader ? watchMemory(reader, () => ctx.inserted.rows, options.signal) : null
    if (!reader) {
      const n =
        "the server's memory could not be read (no local process, no system.stats): no memory figure"
      notes.push(n)
      hooks.onNotice?.(n)
    }
    await warmUp(ctx, params.globalWarmupMs)
    const outcomes: BenchmarkOutcome[] = []
    let sustained: SustainedFacts | null = null
    for (const [i, id] of selected.entries()) {
      if (options.signal.aborted) break
      current = { id, index: i + 1 }
      adminSender.pacer.reset()
      const t0 = nowMs()
      const env = await probeEnvironment(serverPid)
      let outcome: BenchmarkOutcome
      try {
        const run = await RUNNERS[id](ctx)
        if (id === 'sustained-write') {
          const s = run as SustainedOutcome
          sustained = {
            achievedPerSec: s.achievedPerSec,
            failed: s.failed,
            targetRate: params.sustainedRate
          }
        }
        outcome = {
          id,
          title: BENCHMARK_TITLES[id],
          status: 'ok',
          warmup: run.warmup,
          durationMs: Math.round(nowMs() - t0),
          figures: run.figures,
          notes: run.notes
        }
      } catch (e) {
        if (options.signal.aborted) break
        const message = e instanceof Error ? e.message : String(e)
        outcome = {
          id,
          title: BENCHMARK_TITLES[id],
          status: e instanceof SkipBenchmark ? 'skipped' : 'failed',
          error: message,
          warmup: { operations: 0, ms: 0 },
          durationMs: Math.round(nowMs() - t0),
          figures: [],
          notes: []
        }
      }
      outcome.environment = await env.stop()
      outcomes.push(outcome)
      hooks.onBenchmark?.(outcome)
    }
    if (options.signal.aborted) throw new ProfilerError('CANCELLED', 'the benchmark was cancelled')
    const memoryResult = memory ? await memory.stop() : null
    memory = null
    const result: BenchResult = {
      schemaVersion: 1,
      kind: BENCH_RESULT_KIND,
      startedAt,
      endedAt: Date.now(),
      quick: options.quick,
      target: {
        url: admin.url,
        version: health.version ?? stats?.version ?? null,
        buildDate: health.buildDate ?? stats?.buildDate ?? null,
        gitCommit: stats?.gitCommit ?? null
      },
      machine: machineInfo(),
      profilerVersion: PROFILER_VERSION,
      limits: limits
        ? {
            maxQueriesPerSec: limits.maxQueriesPerSec,
            maxSubscriptionsPerUser: limits.maxSubscriptionsPerUser,
            maxAuthRequestsPerIpPerSec: limits.maxAuthRequestsPerIpPerSec
          }
        : null,
      workloadUsers: created.length,
      benchmarks: outcomes,
      targets: checkTargets(outcomes, sustained),
      memory: memoryResult,
      notes
    }
    if (options.command) result.command = options.command
    return result
  } finally {
    await memory?.stop().catch(() => null)
    abort.dispose()
    const warnings = await cleanUp(
      admin,
      provisioned,
      created,
      namespaceCreated ? objects : null,
      options.keep ?? false
    )
    for (const w of warnings) hooks.onNotice?.(w)
  }
}

/**
 * The workload's table shape (workload/schema.ts: its INSERTs fit), SHARED and PUBLIC.
 * KalamDB flushes a table by itself at flush.default_row_limit (10,000 rows): a benchmark
 * inserting that many would race the server's own flush, so `manualFlush` sets a policy the
 * run never reaches.
 */
function tableDdl(table: string, manualFlush: boolean): string {
  const policy = manualFlush ? ", FLUSH_POLICY = 'rows:100000000,interval:86400'" : ''
  return `CREATE SHARED TABLE ${table} (id BIGINT PRIMARY KEY, writer INT, sent_us BIGINT, payload TEXT) WITH (ACCESS_LEVEL = 'PUBLIC'${policy})`
}

const RUNNERS: Record<BenchmarkId, (ctx: BenchContext) => Promise<BenchRun>> = {
  'write-latency': writeLatency,
  'read-latency': readLatency,
  'query-latency': queryLatency,
  'flush-throughput': flushThroughput,
  'notification-latency': notificationLatency,
  'sustained-write': sustainedWrite,
  'concurrent-writes': concurrentWrites,
  'memory-retention': memoryRetention
}

/** One sender per distinct workload user (each with its own pacer), or the admin alone. */
function writerSenders(p: Provisioned, admin: Sender, qps: number | null): Sender[] {
  const byUser = new Map<string, Sender>()
  for (const slot of p.writerSlots) {
    if (byUser.has(slot.user)) continue
    const client = p.clients.find((c) => c === slot.runner)
    byUser.set(slot.user, client ? { client, user: slot.user, pacer: pacerFor(qps) } : admin)
  }
  const senders = [...byUser.values()]
  return senders.length > 0 ? senders : [admin]
}

async function cleanUp(
  admin: KalamClient,
  provisioned: Provisioned | null,
  users: string[],
  objects: ReturnType<typeof runObjects> | null,
  keep: boolean
): Promise<string[]> {
  const warnings: string[] = []
  const guard = AbortSignal.timeout(CLEANUP_TIMEOUT_MS)
  try {
    if (provisioned)
      await Promise.all(provisioned.clients.map((c) => c.close().catch(() => undefined)))
    if (keep) {
      if (objects)
        warnings.push(
          `kept namespace ${objects.namespace}${users.length > 0 ? ` and users ${users.join(', ')}` : ''} (--keep)`
        )
      return warnings
    }
    if (objects) {
      for (const sql of dropStatements(objects)) {
        const out = await admin.trySql(sql, { signal: guard }).catch(() => null)
        if (out && !out.ok) warnings.push(`cleanup: ${sql}: ${out.error.message}`)
      }
    }
    warnings.push(...(await dropUsers(admin, users)))
  } finally {
    await admin.close().catch(() => undefined)
  }
  return warnings
}
