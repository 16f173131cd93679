/**
 * `kalam-profiler report` end to end: sessions recorded with the real SessionWriter (passing,
 * failing, target-crashed, interrupted by a killed profiler, one recorded with credentials),
 * read back by readSession, analysed by the real analyzeSession, rendered in every format and
 * checked the way a consumer would read them. PDF is printed by headless Chromium when one is
 * installed (CI installs Debian's) and its pages counted.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { memoryContext } from '../../src/main/cli/context'
import { runCli } from '../../src/main/cli/run-cli'
import { countPdfPages, findChromium, type JsonReport } from '../../src/main/report'
import { runCliProcess } from '../helpers/cli'
import { externalReferences, parseJunit } from '../fixtures/report/checks'
import {
  PLANTED_SECRETS,
  recordSession,
  type GeneratedSession,
  type SessionKind
} from '../fixtures/report/sessions'

const KINDS: SessionKind[] = ['passed', 'failed', 'target-crashed', 'interrupted']
const TEXT_FORMATS = ['md', 'html', 'json', 'csv', 'junit'] as const

let root: string
const dirs = {} as Record<SessionKind | 'credentials', string>
const generated = {} as Record<SessionKind | 'credentials', GeneratedSession>

async function report(
  args: string[],
  env: Record<string, string | undefined> = {}
): Promise<{ code: number; out: string; err: string }> {
  const ctx = memoryContext({ env, cwd: root })
  const code = await runCli(['report', ...args], ctx)
  return { code, out: ctx.out(), err: ctx.err() }
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kp-report-'))
  for (const kind of KINDS) {
    dirs[kind] = join(root, kind)
    generated[kind] = recordSession(dirs[kind], { kind })
  }
  dirs.credentials = join(root, 'credentials')
  generated.credentials = recordSession(dirs.credentials, { kind: 'failed', withCredentials: true })
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

describe('kalam-profiler report', () => {
  describe.each(KINDS)('a %s session', (kind) => {
    it.each(TEXT_FORMATS)('renders %s to stdout with exit 0', async (format) => {
      const r = await report([dirs[kind], '--format', format])
      expect(r.err).toBe('')
      expect(r.code).toBe(0)
      const g = generated[kind]
      switch (format) {
        case 'md': {
          const label = {
            passed: 'PASSED',
            failed: 'FAILED',
            'target-crashed': 'TARGET CRASHED',
            interrupted: 'INTERRUPTED'
          }[kind]
          expect(r.out.split('\n')[0]).toBe(
            `# KalamDB Profiler: memory-stability: ${label} on KalamDB 0.3.1`
          )
          expect(r.out.length).toBeLessThan(65_536)
          expect(r.out).toContain('```mermaid\nxychart-beta')
          expect(r.out).toContain(
            'npx kalam-profiler run memory-stability --url http://127.0.0.1:8080'
          )
          break
        }
        case 'html':
          expect(r.out.startsWith('<!doctype html>')).toBe(true)
          expect(externalReferences(r.out)).toEqual([])
          expect(r.out).toContain('<svg class="chart"')
          break
        case 'json': {
          const j = JSON.parse(r.out) as JsonReport
          expect(j.schemaVersion).toBe(1)
          expect(j.samples).toHaveLength(g.samples.length)
          expect(j.events.length).toBe(g.events.length)
          expect(j.snapshots).toHaveLength(g.snapshots.length)
          expect(j.session.meta.status).toBe(kind)
          // A killed profiler leaves a torn last line: read past and counted, not fatal.
          expect(j.session.skippedLines).toBe(kind === 'interrupted' ? 1 : 0)
          expect(j.analysis.schemaVersion).toBe(1)
          break
        }
        case 'csv':
          expect(r.out.trimEnd().split('\n')).toHaveLength(g.samples.length + 1)
          expect(r.out.split('\n')[0]).toMatch(/^t_ms,time_utc,elapsed_s,phase,pid,rss_bytes,/)
          break
        case 'junit': {
          const j = parseJunit(r.out)
          expect(j.suites).toHaveLength(1)
          expect(j.properties.status).toBe(kind)
          if (kind === 'failed')
            expect(j.cases.find((c) => c.outcome === 'failure')?.message).toBe(
              'measured 18.4%, threshold < 10%'
            )
          if (kind === 'target-crashed')
            expect(j.cases.at(-1)).toMatchObject({ outcome: 'error', type: 'target-crashed' })
          break
        }
      }
    })
  })

  it.each(TEXT_FORMATS)(
    'renders %s from the minimal session DESIGN.md allows (session.json and no samples)',
    async (format) => {
      const dir = join(root, 'minimal')
      mkdirSync(dir, { recursive: true })
      writeFileSync(
        join(dir, 'session.json'),
        JSON.stringify({
          schemaVersion: 1,
          scenario: 'sample',
          target: { pid: 7 },
          startedAt: 1,
          endedAt: 2,
          status: 'completed'
        })
      )
      writeFileSync(join(dir, 'samples.ndjson'), '')
      const r = await report([dir, '--format', format])
      expect(r.err).toBe('')
      expect(r.code).toBe(0)
      if (format === 'md') expect(r.out).toContain('npx kalam-profiler sample --pid 7')
      if (format === 'junit') parseJunit(r.out)
      if (format === 'html') expect(externalReferences(r.out)).toEqual([])
    }
  )

  it('writes --out to a file and says where', async () => {
    const out = join(root, 'out', 'report.html')
    mkdirSync(join(root, 'out'), { recursive: true })
    const r = await report([dirs.failed, '--format', 'html', '--out', out])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^wrote .*report\.html \(\d+(\.\d)? KiB\)\n$/)
    expect(readFileSync(out, 'utf8')).toContain('FAILED')
  })

  it("prints to stdout for --out '-' and leaves no file named '-'", async () => {
    const stdout = await report([dirs.failed, '--format', 'md'])
    const dash = await report([dirs.failed, '--format', 'md', '--out', '-'])
    expect(dash.code).toBe(0)
    expect(dash.err).toBe('')
    expect(dash.out).toBe(stdout.out)
    expect(existsSync(join(root, '-'))).toBe(false)
  })

  describe('redaction', () => {
    it.each(TEXT_FORMATS)(
      'leaves no password, token or Authorization header in %s from a session recorded with them',
      async (format) => {
        const raw = readFileSync(join(dirs.credentials, 'session.json'), 'utf8')
        // The fixture really did record them: the test would prove nothing otherwise.
        expect(raw).toContain(PLANTED_SECRETS.password)
        expect(raw).toContain(PLANTED_SECRETS.jwt)
        const r = await report([dirs.credentials, '--format', format], {
          KALAMDB_PASSWORD: PLANTED_SECRETS.password
        })
        expect(r.code).toBe(0)
        for (const secret of Object.values(PLANTED_SECRETS)) expect(r.out).not.toContain(secret)
        expect(r.out).not.toMatch(/Bearer\s+(?!\[redacted\])\S/)
      }
    )

    it('keeps the reproduce command pasteable: credential flags dropped, the rest kept', async () => {
      const r = await report([dirs.credentials, '--format', 'md'])
      expect(r.out).toContain(
        '```sh\nnpx kalam-profiler run memory-stability --url http://127.0.0.1:8080 --pid auto --duration 6m --user admin\n```'
      )
    })
  })

  describe('bad input', () => {
    it('rejects an unknown format in one line with exit 2', async () => {
      const r = await report([dirs.passed, '--format', 'docx'])
      expect(r.code).toBe(2)
      expect(r.err).toBe(
        "error: --format: unknown report format 'docx': use one of md, html, json, csv, junit, pdf\n"
      )
      expect(r.out).toBe('')
    })

    it('rejects a folder that is not a session in one line with exit 2', async () => {
      const empty = join(root, 'no-session')
      mkdirSync(empty, { recursive: true })
      const r = await report([empty, '--format', 'md'])
      expect(r.code).toBe(2)
      expect(r.err).toBe(`error: ${empty} is not a session directory: session.json is missing\n`)
      // A folder of sessions (`run all --out`) names one of them to report on instead.
      const all = await report([root, '--format', 'md'])
      expect(all.code).toBe(2)
      expect(all.err).toMatch(
        new RegExp(
          `^error: ${root} is not a session directory but a folder of \\d+ sessions: name one, e\\.g\\. ${root}/[\\w-]+\\n$`
        )
      )
      expect(all.out).toBe('')
    })

    it("refuses a PDF to stdout (--out '-') in one line with exit 2", async () => {
      const r = await report([dirs.passed, '--format', 'pdf', '--out', '-'])
      expect(r.code).toBe(2)
      expect(r.err).toBe('error: --out -: a PDF is binary, give a file (e.g. --out report.pdf)\n')
      expect(r.out).toBe('')
      expect(existsSync(join(root, '-'))).toBe(false)
    })

    it('says in one line that PDF needs Chromium when none is installed (exit 2)', async () => {
      const empty = join(root, 'empty-path')
      mkdirSync(empty, { recursive: true })
      const r = await report([dirs.passed, '--format', 'pdf', '--out', join(root, 'x.pdf')], {
        PATH: empty
      })
      expect(r.code).toBe(2)
      expect(r.err.split('\n').filter(Boolean)).toHaveLength(1)
      expect(r.err).toMatch(
        /^error: PDF needs headless Chromium and none is installed: install chromium/
      )
    })

    it('names a --chromium path that is not executable (exit 2)', async () => {
      const r = await report([
        dirs.passed,
        '--format',
        'pdf',
        '--chromium',
        '/nonexistent/chromium'
      ])
      expect(r.code).toBe(2)
      expect(r.err).toMatch(
        /^error: no executable Chromium at \/nonexistent\/chromium: PDF needs headless Chromium/
      )
    })
  })

  const chromium = (() => {
    try {
      return findChromium()
    } catch {
      return null
    }
  })()

  describe('pdf', () => {
    it.runIf(chromium)(
      'prints the HTML report to a multi-page A4 PDF in headless Chromium',
      async () => {
        const out = join(root, 'failed.pdf')
        const r = await report([dirs.failed, '--format', 'pdf', '--out', out], process.env)
        expect(r.err).toBe('')
        expect(r.code).toBe(0)
        const pdf = readFileSync(out)
        expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
        const pages = countPdfPages(pdf)
        // Criteria, findings, four charts and the details: several pages, not dozens.
        expect(pages).toBeGreaterThanOrEqual(3)
        expect(pages).toBeLessThanOrEqual(12)
        // A4 portrait is 595 × 842 points.
        expect(pdf.toString('latin1')).toMatch(
          /\/MediaBox\s*\[\s*0 0 59[45](\.\d+)? 84[12](\.\d+)?\s*\]/
        )
      }
    )

    it.runIf(chromium)('writes <session-dir>/report.pdf when --out is not given', async () => {
      const r = await report([dirs.passed, '--format', 'pdf'], process.env)
      expect(r.code).toBe(0)
      expect(statSync(join(dirs.passed, 'report.pdf')).size).toBeGreaterThan(1000)
    })
  })

  it('runs as the built command too', async () => {
    const r = await runCliProcess(['report', dirs.failed, '--format', 'md'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')[0]).toContain('FAILED')
  })
})
