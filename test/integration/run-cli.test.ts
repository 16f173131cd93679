/**
 * `kalam-profiler run` as a command: bad input and unreachable or refusing servers end with
 * exit 2 and one line before any load; the verdict table, --junit and `run all`, and no
 * credential in anything a run leaves on disk.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { memoryContext } from '../../src/main/cli/context'
import { runCli } from '../../src/main/cli/run-cli'
import { readSession } from '../../src/main/session/reader'
import { SIM_PASSWORD, SIM_USER, startSim, type RunningSim } from '../helpers/sim'
import { removeTempDirs, tempDir } from './scenario-helpers'

let sim: RunningSim
beforeAll(async () => {
  sim = await startSim()
})
afterAll(async () => {
  await sim.stop()
  removeTempDirs()
})

async function run(args: string[], env: Record<string, string> = {}) {
  const ctx = memoryContext({ env })
  const code = await runCli(['run', ...args], ctx)
  return { code, out: ctx.out(), err: ctx.err() }
}

const auth = ['--user', SIM_USER, '--password', SIM_PASSWORD]

/** Every file under `dir` as text, gzipped ones unpacked: what someone attaching it would share. */
function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const path = join(e.parentPath, e.name)
      const raw = readFileSync(path)
      const gz = raw[0] === 0x1f && raw[1] === 0x8b
      return { path, text: (gz ? gunzipSync(raw) : raw).toString('utf8') }
    })
}

/** A JWT: three base64url parts, the header's JSON always starting `{"` (eyJ). */
const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/

describe('run (CLI)', () => {
  describe('could not run: exit 2, one line, no session', () => {
    it('rejects an unknown scenario, naming the valid ones', async () => {
      const r = await run(['T299', '--url', 'http://127.0.0.1:1', ...auth])
      expect(r.code).toBe(2)
      expect(r.err).toMatch(
        /^error: unknown scenario 'T299': expected one of memory-stability \(T220\)/
      )
    })

    it('rejects an option the scenario does not take', async () => {
      const r = await run(['T220', '--url', sim.url, ...auth, '--subscribers', '5'])
      expect(r.code).toBe(2)
      expect(r.err).toMatch(/^error: T220 \(memory-stability\) has no parameter --subscribers/)
    })

    it('refuses a remote URL without --allow-remote', async () => {
      const r = await run(['T220', '--url', 'http://192.0.2.1:8080', ...auth])
      expect(r.code).toBe(2)
      expect(r.err).toMatch(/not a loopback address/)
      expect(r.err).toMatch(/hint: pass --allow-remote/)
    })

    it('reports an unreachable server', async () => {
      const out = join(tempDir(), 'never')
      const r = await run(['T220', '--url', 'http://127.0.0.1:9', ...auth, '--out', out])
      expect(r.code).toBe(2)
      expect(r.err.trim().split('\n')[0]).toMatch(/^error: .*127\.0\.0\.1:9/)
      expect(existsSync(out)).toBe(false)
    })

    it('reports wrong credentials before any load', async () => {
      const out = join(tempDir(), 'never')
      const r = await run([
        'T220',
        '--url',
        sim.url,
        '--user',
        SIM_USER,
        '--password',
        'wrong-password',
        '--out',
        out
      ])
      expect(r.code).toBe(2)
      expect(r.err).toMatch(/^error: /)
      expect(r.err).not.toContain('wrong-password')
      expect(existsSync(out)).toBe(false)
    })

    it('asks for credentials when none are given', async () => {
      const r = await run(['T220', '--url', sim.url])
      expect(r.code).toBe(2)
      expect(r.err).toMatch(/no credentials: pass --user and --password, or --token/)
    })

    it('refuses --pid of a process that does not exist', async () => {
      const r = await run(['T220', '--url', sim.url, ...auth, '--pid', '4194303'])
      expect(r.code).toBe(2)
      expect(r.err).toMatch(/no process with pid 4194303/)
    })
  })

  it('runs every scenario with `all`, prints a verdict table per scenario and writes JUnit', async () => {
    const dir = tempDir()
    const junit = join(dir, 'results.xml')
    // Every phase cut to about a second: this checks the suite's plumbing, not the verdicts.
    const r = await run(
      [
        'all',
        '--url',
        sim.url,
        '--pid',
        'auto',
        '--quick',
        '--out',
        join(dir, 'all'),
        '--junit',
        junit,
        '--duration',
        '2s',
        '--warmup',
        '500ms',
        '--baseline',
        '1s',
        '--idle',
        '1s',
        '--settle',
        '0ms',
        '--subscribers',
        '2',
        '--close-count',
        '1',
        '--step-interval',
        '1s',
        '--max-rate',
        '100',
        '--flush-interval',
        '1s'
      ],
      { KALAMDB_USER: SIM_USER, KALAMDB_PASSWORD: SIM_PASSWORD }
    )
    expect([0, 1]).toContain(r.code)
    for (const seed of ['T220', 'T221', 'T222', 'T223', 'T224', 'T225', 'T226', 'T227', 'T228']) {
      expect(r.out).toMatch(new RegExp(`^${seed} [a-z-]+: (passed|failed)`, 'm'))
    }
    expect(r.out).toMatch(/^ {2}(PASS|FAIL|N\/A) {2}/m)
    const xml = readFileSync(junit, 'utf8')
    expect(xml.match(/<testsuite /g)).toHaveLength(9)
    expect(xml).not.toContain(SIM_PASSWORD)
    const t223 = await readSession(join(dir, 'all', 'ws-connection-leak'))
    expect(t223.meta.parameters).toMatchObject({ subscribers: 2, closeCount: 1 })
    expect(t223.meta.target.pid).toBe(sim.pid)

    // Redaction (issue 8): the runs logged in with the password and held JWTs throughout;
    // none of it may reach a session, its snapshots or the JUnit file.
    const files = filesUnder(dir)
    expect(files.map((f) => f.path)).toContainEqual(expect.stringMatching(/samples\.ndjson$/))
    for (const f of files) {
      expect(f.text, f.path).not.toContain(SIM_PASSWORD)
      expect(f.text, f.path).not.toContain('Bearer ')
      expect(f.text, f.path).not.toMatch(JWT)
    }
  })
})
