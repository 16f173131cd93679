/**
 * `probe` end to end against the simulator: every check passes on a healthy server, a fresh
 * server is refused until `--setup`, and the built bin takes credentials from the environment
 * without ever printing them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProbeReport } from '../../src/main/cli/commands/probe'
import { memoryContext } from '../../src/main/cli/context'
import { runCli } from '../../src/main/cli/run-cli'
import { connectKalam } from '../../src/main/target/client'
import { runCliProcess } from '../helpers/cli'
import { type RunningSim, SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim'

const AUTH = ['--user', SIM_USER, '--password', SIM_PASSWORD]
const STEPS = ['health', 'auth status', 'login', 'sql', 'websocket', 'stats', 'limits', 'cleanup']

async function probe(args: string[]) {
  const ctx = memoryContext()
  const code = await runCli(['probe', ...args], ctx)
  return { code, out: ctx.out(), err: ctx.err() }
}

describe('probe against the simulator', () => {
  let sim: RunningSim

  beforeAll(async () => {
    sim = await startSim()
  })

  afterAll(async () => {
    await sim?.stop()
  })

  it('passes every check with one line each and exits 0', async () => {
    const r = await probe(['--url', sim.url, ...AUTH])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const lines = r.out.trim().split('\n')
    expect(lines[0]).toBe(`KalamDB probe of ${sim.url}`)
    expect(
      lines.slice(1, -1).map((l) =>
        l
          .trim()
          .split(/\s{2,}/)
          .slice(0, 2)
      )
    ).toEqual(STEPS.map((s) => ['pass', s]))
    expect(r.out).toMatch(/pass {2}health .* ms {2}healthy, KalamDB 0\.4\.3-rc\.4 \(API v1\)/)
    expect(r.out).toMatch(/websocket .*change frame [\d.]+ ms after the INSERT/)
    expect(lines.at(-1)).toBe('all 8 checks passed')
  })

  it('prints one JSON object with the steps, figures and limits', async () => {
    const r = await probe(['--url', sim.url, ...AUTH, '--json'])
    expect(r.code).toBe(0)
    const report = JSON.parse(r.out) as ProbeReport
    expect(report).toMatchObject({
      url: sim.url,
      ok: true,
      version: '0.4.3-rc.4',
      user: 'admin',
      role: 'dba',
      limits: { maxQueriesPerSec: 100, maxSubscriptionsPerUser: 10, clientTimeoutSecs: 10 }
    })
    expect(report.steps.map((s) => s.status)).toEqual(STEPS.map(() => 'pass'))
    expect(report.steps.every((s) => s.ms >= 0)).toBe(true)
    expect(report.stats?.pid).toBe(sim.pid)
    expect(r.out).not.toContain(SIM_PASSWORD)
  })

  it('leaves no probe namespace behind', async () => {
    const r = await probe(['--url', sim.url, ...AUTH, '--json'])
    const cleanup = (JSON.parse(r.out) as ProbeReport).steps.find((s) => s.name === 'cleanup')
    const ns = /dropped namespace (kp_probe_[0-9a-f]{8})$/.exec(cleanup?.detail ?? '')?.[1]
    expect(ns).toBeDefined()
    const c = await connectKalam({
      url: sim.url,
      credentials: { user: SIM_USER, password: SIM_PASSWORD }
    })
    try {
      const o = await c.trySql(`SELECT COUNT(*) AS n FROM ${ns}.probe`)
      expect(o).toMatchObject({ ok: false, error: { code: 'SERVER_ERROR', httpStatus: 400 } })
    } finally {
      await c.close()
    }
  })
})

describe('probe against a fresh simulator', () => {
  let sim: RunningSim

  beforeAll(async () => {
    sim = await startSim({ configured: false })
  })

  afterAll(async () => {
    await sim?.stop()
  })

  it('stops at setup without --setup, and sets the server up with it', async () => {
    const refused = await probe(['--url', sim.url, ...AUTH])
    expect(refused.code).toBe(2)
    expect(refused.err).toMatch(/^error: this server needs initial setup: rerun with --setup/)
    expect(refused.out).toMatch(/FAIL {2}setup/)
    expect(refused.out.trim().split('\n').at(-1)).toBe(
      'stopped: cannot continue past the setup check'
    )

    const set = await probe(['--url', sim.url, ...AUTH, '--setup'])
    expect(set.code).toBe(0)
    expect(set.out).toMatch(/pass {2}setup .* created dba user 'admin'/)
  })
})

describe('probe (built bin)', () => {
  let sim: RunningSim

  beforeAll(async () => {
    sim = await startSim()
  })

  afterAll(async () => {
    await sim?.stop()
  })

  it('takes credentials from KALAMDB_USER/KALAMDB_PASSWORD and never prints them', async () => {
    const r = await runCliProcess(['probe', '--url', sim.url, '--json'], {
      env: { KALAMDB_USER: SIM_USER, KALAMDB_PASSWORD: SIM_PASSWORD }
    })
    expect(r.code).toBe(0)
    expect((JSON.parse(r.stdout) as ProbeReport).ok).toBe(true)
    expect(r.stdout + r.stderr).not.toContain(SIM_PASSWORD)
  })
})
