/**
 * `runScenario`: one scenario against one server, recorded into a session directory and
 * judged. The desktop UI and the CLI call exactly this (a stable entry point):
 *
 *   runScenario(options: RunOptions, hooks?: RunHooks, deps?: RunnerDeps): Promise<RunResult>
 *
 * Everything that can be checked before load starts is checked first and fails with a
 * ProfilerError (exit 2, one line) without creating a session: bad parameters, a
 * non-loopback URL without allowRemote, a pid that does not exist, an unreachable server,
 * wrong credentials, limits the login cannot work around. From the moment the session
 * exists, the run always ends with a complete session and a RunResult — also when the
 * target crashes (status target-crashed, verdicts failed with that reason), when the user
 * cancels (interrupted) or when the run breaks (error).
 */
import { ProfilerError } from '../../shared/errors'
import type { RunProgress, RunResult, ScenarioId } from '../../shared/run'
import type { Sample } from '../../shared/sample'
import type { SessionEvent } from '../../shared/session'
import type { Credentials, KalamClient } from '../target/types'
import { assertTargetAllowed } from '../workload/guard'
import { canCreateUsers, cannotCreateUsers, planUsers } from '../workload/users'
import { resolveScenarioId } from './catalog'
import type { RunnerDeps } from './deps'
import { DEFINITIONS } from './definitions'
import { resolveParameters } from './params'
import { ScenarioRun } from './scenario-run'

export { resolveScenarioId } from './catalog'
export { scenarioCatalog } from './catalog'

export interface RunOptions {
  scenario: ScenarioId
  /** Base URL of the server, e.g. http://127.0.0.1:8080. */
  url: string
  credentials: Credentials
  /** The server's process for /proc sampling; null = server-reported figures only. */
  pid: number | null
  /** The session directory to create (DESIGN.md "Session directory"). */
  outDir: string
  quick: boolean
  /** Parameter overrides by name (camelCase, see ScenarioInfo.parameters). */
  overrides: Record<string, number | boolean>
  /** Leave the namespace, table and workload users in place after the run. */
  keep?: boolean
  /** Allow a non-loopback URL. */
  allowRemote?: boolean
  /** Run the server's first-time setup with the credentials when it needs it. */
  setup?: boolean
  /** Sampler interval (default 1000 ms: the seed measures CPU "every 1 second"). */
  sampleIntervalMs?: number
  /** How often latency.json is rewritten between phase changes (default 5 s; tests shorten it). */
  latencyWriteIntervalMs?: number
  signal: AbortSignal
  /** argv that reproduces the run, credentials already removed (session.json `command`). */
  command?: string[]
}

export interface RunHooks {
  onSample?(sample: Sample): void
  onEvent?(event: SessionEvent): void
  /** About once a second. */
  onProgress?(progress: RunProgress): void
  /** Things the user should know before and during the run (user plan, warnings). */
  onNotice?(message: string): void
}

export async function runScenario(
  options: RunOptions,
  hooks: RunHooks = {},
  deps?: RunnerDeps
): Promise<RunResult> {
  const id = resolveScenarioId(options.scenario)
  const def = DEFINITIONS[id]
  const params = resolveParameters(id, options.quick, options.overrides)
  def.validate?.(params)
  assertTargetAllowed(options.url, options.allowRemote)
  const interval = options.sampleIntervalMs
  if (interval !== undefined && !(interval >= 100 && interval <= 60_000)) {
    throw new ProfilerError(
      'BAD_INPUT',
      `sampling interval ${interval} ms is out of range: 100 ms to 60 s`
    )
  }
  const d = deps ?? (await import('./default-deps')).defaultDeps()
  if (options.pid !== null && !d.processExists(options.pid)) {
    throw new ProfilerError('PID_NOT_FOUND', `no process with pid ${options.pid}`, {
      hint: 'check the pid with `kalam-profiler targets`, or pass --pid auto'
    })
  }
  if (options.signal.aborted) throw new ProfilerError('CANCELLED', 'the run was cancelled')

  const admin = await d.connect({
    url: options.url,
    credentials: options.credentials,
    setup: options.setup ?? false,
    signal: options.signal
  })
  let handedOver = false
  try {
    const health = await admin.health()
    const limits = await admin.limits().catch(() => null)
    const firstStats = await admin.stats().catch(() => null)
    const needs = def.needs(params)
    const plan = planUsers(needs, limits)
    if (plan.writerUsers + plan.subscriberUsers > 0 && !canCreateUsers(admin.role)) {
      throw cannotCreateUsers(plan, needs, describeLogin(admin))
    }
    if (limits === null) {
      hooks.onNotice?.(
        "the server's limits (system.settings) could not be read: KalamDB's defaults are assumed"
      )
    }
    for (const note of plan.notes) hooks.onNotice?.(note)
    const run = new ScenarioRun({
      id,
      def,
      params,
      options,
      hooks,
      deps: d,
      admin,
      plan,
      limits,
      health,
      firstStats
    })
    handedOver = true
    return await run.execute()
  } finally {
    if (!handedOver) await admin.close().catch(() => undefined)
  }
}

function describeLogin(admin: KalamClient): string {
  const who = admin.user ? `'${admin.user}'` : 'this login'
  return admin.role ? `${who} (role ${admin.role})` : who
}
