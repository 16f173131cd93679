/**
 * `snapshot` and `targets` end to end: a C helper (compiled here when a C compiler exists)
 * maps known files under a KalamDB-like data directory plus 5,000+ anonymous mappings; the
 * CLI must classify and label them. Bad input and another user's process give one line each.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { MemorySnapshot } from '../../src/shared/snapshot'
import { memoryContext } from '../../src/main/cli/context'
import { runCli } from '../../src/main/cli/run-cli'
import { cliEntry } from '../helpers/cli'

const GENERATOR = fileURLToPath(new URL('../fixtures/proc/smaps-generator.c', import.meta.url))
const CC = ['cc', 'gcc', 'clang'].find((c) => spawnSync(c, ['--version']).status === 0)

let workDir = ''
let helperBin = ''
const children: ChildProcess[] = []

beforeAll(() => {
  workDir = realpathSync(mkdtempSync(join(tmpdir(), 'kp-snapshot-')))
  if (CC) {
    helperBin = join(workDir, 'kp-many-maps')
    execFileSync(CC, ['-O1', '-pthread', '-o', helperBin, GENERATOR])
  }
})

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true })
})

afterEach(async () => {
  await Promise.all(
    children.splice(0).map(
      (c) =>
        new Promise<void>((r) => {
          if (c.exitCode !== null || c.signalCode !== null) return r()
          c.once('exit', () => r())
          c.kill('SIGKILL')
        })
    )
  )
})

/** Starts the C helper with `pages` extra anonymous mappings; resolves once it has mapped all. */
async function startHelper(base: string, pages: number): Promise<number> {
  const child = spawn(helperBin, [String(pages)], {
    env: { KP_FIXTURE_BASE: base, KALAMDB_DATA_DIR: join(base, 'data') },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  children.push(child)
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error('helper did not start')), 10_000)
    createInterface({ input: child.stdout! }).once('line', () => {
      clearTimeout(timer)
      res()
    })
    child.once('exit', (code) => rej(new Error(`helper exited with ${code}`)))
  })
  return child.pid!
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const ctx = memoryContext()
  const code = await runCli(args, ctx)
  return { code, out: ctx.out(), err: ctx.err() }
}

describe('snapshot (integration)', () => {
  describe.skipIf(!CC)('with a helper that maps known files', () => {
    it('classifies and labels the mappings, guessing the data dir from the environment', async () => {
      // A non-ASCII directory: smaps is then decoded as UTF-8, not by the ASCII fast path.
      const base = join(workDir, 'json-données')
      const pid = await startHelper(base, 5200)
      const { code, out } = await cli(['snapshot', '--pid', String(pid), '--json'])
      expect(code).toBe(0)
      const snap = JSON.parse(out) as MemorySnapshot
      expect(snap.pid).toBe(pid)
      expect(snap.dataDir).toBe(join(base, 'data'))
      expect(snap.totals.mappings).toBeGreaterThan(5000)
      const g = new Map(snap.groups.map((x) => [x.key, x]))
      const data = join(base, 'data')
      expect(g.get(`${data}/rocksdb/000123.sst`)).toMatchObject({
        kind: 'data-file',
        dataLabel: 'rocksdb-sst',
        // 64 pages mapped, half of them touched.
        sizeBytes: 64 * 4096,
        rssBytes: 32 * 4096
      })
      expect(g.get(`${data}/rocksdb/MANIFEST-000005`)?.dataLabel).toBe('rocksdb-other')
      expect(g.get(`${data}/storage/app/events/batch-1.parquet`)?.dataLabel).toBe('parquet')
      expect(g.get(`${base}/dir with spaces/file name.bin`)).toMatchObject({ kind: 'data-file' })
      expect(g.get(`${base}/dir with spaces/file name.bin`)?.dataLabel).toBeUndefined()
      expect(g.get(`${base}/gone.bin`)).toMatchObject({ kind: 'data-file', deleted: true })
      expect(g.get(helperBin)?.kind).toBe('library')
      expect(g.get('anonymous')!.mappings).toBeGreaterThan(5000)
      expect(g.get('[heap]')?.kind).toBe('heap')
      expect(g.get('[stack]')?.kind).toBe('stack')
      expect(snap.byKind['shared-memory'].mappings).toBeGreaterThanOrEqual(4)
      expect(snap.byKind.special.mappings).toBeGreaterThanOrEqual(2)
    })

    it('prints totals, kinds and the top groups in MiB, and writes --out', async () => {
      const base = join(workDir, 'human')
      const pid = await startHelper(base, 0)
      const outFile = join(workDir, 'snap.json')
      const { code, out } = await cli([
        'snapshot',
        '--pid',
        String(pid),
        '--top',
        '3',
        '--data-dir',
        join(base, 'data'),
        '--out',
        outFile
      ])
      expect(code).toBe(0)
      expect(out).toMatch(new RegExp(`^Memory map of pid ${pid} \\(kp-many-maps\\): \\d+ mappings`))
      expect(out).toContain(`Data directory: ${join(base, 'data')}\n`)
      expect(out).toMatch(/^kind\s+rss MiB\s+pss MiB\s+dirty MiB\s+swap MiB\s+size MiB\s+maps$/m)
      expect(out).toMatch(/^total\s+\d+\.\d\s+/m)
      expect(out).toMatch(/^Top 3 of \d+ groups by RSS$/m)
      const saved = JSON.parse(readFileSync(outFile, 'utf8')) as MemorySnapshot
      expect(saved.pid).toBe(pid)
      expect(out).toContain(`Snapshot written to ${outFile}`)
    })
  })

  it("prints the snapshot as JSON alone for --out '-'", async () => {
    const cwd = process.cwd()
    const { code, out, err } = await cli(['snapshot', '--pid', String(process.pid), '--out', '-'])
    expect(code).toBe(0)
    expect(err).toBe('')
    const snap = JSON.parse(out) as MemorySnapshot
    expect(snap.pid).toBe(process.pid)
    expect(snap.totals.rssBytes).toBeGreaterThan(0)
    expect(existsSync(join(cwd, '-'))).toBe(false)
  })

  describe('bad input', () => {
    it.each([
      [['snapshot', '--pid', '4194303'], /^error: no process with pid 4194303\n/],
      [['snapshot', '--pid', 'abc'], /^error: --pid: invalid pid 'abc': expected a whole number/],
      [['snapshot'], /^error: missing --pid: e\.g\. kalam-profiler snapshot --pid 1234\n/],
      [['snapshot', '--pid', '1', '--top', '0'], /^error: --top: invalid count '0'/],
      [
        ['snapshot', '--pid', '1', '--data-dir', '/nonexistent-kp'],
        /^error: --data-dir: no such directory '\/nonexistent-kp'\n/
      ],
      [['snapshot', '--pid', '1', '--frobnicate'], /^error: unknown option '--frobnicate'\n/]
    ])('%j fails with one clear line and exit code 2', async (args, message) => {
      const { code, out, err } = await cli(args)
      expect(code).toBe(2)
      expect(err).toMatch(message)
      expect(err).not.toMatch(/\n\s+at /) // no stack trace
      expect(out).toBe('')
    })

    it('fails with one line when --out cannot be written', async () => {
      const { code, err } = await cli([
        'snapshot',
        '--pid',
        String(process.pid),
        '--out',
        '/nonexistent-kp/x.json'
      ])
      expect(code).toBe(2)
      expect(err).toBe("error: --out: cannot write '/nonexistent-kp/x.json' (ENOENT)\n")
    })
  })

  describe("another user's process", () => {
    const isRoot = process.getuid?.() === 0
    let cliCopy = ''

    beforeAll(() => {
      if (!isRoot) return
      // The test build lives in a private (0700) folder: give the unprivileged user a readable
      // copy beside it, so the bundle still resolves its dependencies from node_modules.
      const built = dirname(cliEntry())
      cliCopy = mkdtempSync(join(resolve(built, '..'), 'kp-snapshot-cli-'))
      cpSync(built, cliCopy, { recursive: true })
      chmodSync(cliCopy, 0o755)
    })

    afterAll(() => {
      if (cliCopy) rmSync(cliCopy, { recursive: true, force: true })
    })

    /** Runs the CLI as `nobody` when we are root, else as ourselves. */
    function runUnprivileged(
      args: string[]
    ): Promise<{ code: number | null; out: string; err: string }> {
      const entry = isRoot ? join(cliCopy, 'index.js') : cliEntry()
      const child = spawn(process.execPath, [entry, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: '/',
        ...(isRoot ? { uid: 65534, gid: 65534 } : {})
      })
      children.push(child)
      let out = ''
      let err = ''
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
      return new Promise((r) => child.once('close', (code) => r({ code, out, err })))
    }

    /** A process of another user: ours when we are root and run the CLI as nobody, else pid 1. */
    const victim = isRoot ? process.pid : 1
    const canTest = isRoot || (existsSync('/proc/1') && readOwner(1) !== process.getuid?.())

    it.skipIf(!canTest)('says the process belongs to another user and how to fix it', async () => {
      const { code, err } = await runUnprivileged(['snapshot', '--pid', String(victim)])
      expect(code).toBe(2)
      expect(err).toMatch(
        new RegExp(
          `^error: cannot read /proc/${victim}/smaps: (pid ${victim} belongs to user id \\d+|the kernel refused access)`
        )
      )
      expect(err).toMatch(/\nhint: run kalam-profiler as (the same user as|root)/)
      expect(err.trimEnd().split('\n')).toHaveLength(2)
    })

    it.skipIf(!isRoot)('targets counts the processes it could not inspect', async () => {
      const { code, out } = await runUnprivileged(['targets'])
      expect(code).toBe(0)
      expect(out).toMatch(
        /\d+ process(es)? could not be inspected.* \(run as root to see them\)\n$/
      )
    })
  })
})

function readOwner(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? NaN)
  } catch {
    return null
  }
}
