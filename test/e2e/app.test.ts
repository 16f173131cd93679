/**
 * The app end to end, as a user sees it: the built UI in headless Chromium (Debian's
 * chromium driven by playwright-core) through the web bridge of `kalam-profiler ui`,
 * against the built-in simulator started from the Targets view. Screenshots of every view
 * go to test-artifacts/e2e/.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliEntry } from '../helpers/cli'

export const CHROMIUM = process.env.KP_CHROMIUM ?? '/usr/bin/chromium'
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]
const ARTIFACTS = resolve('test-artifacts/e2e')
const haveChromium = existsSync(CHROMIUM)
if (!haveChromium) {
  process.stderr.write(
    `e2e skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set KP_CHROMIUM)\n`
  )
}

/** The built renderer (npm run build), or a fresh build of it into a temporary folder. */
async function rendererDir(tmp: string): Promise<string> {
  const built = resolve('out/renderer')
  if (existsSync(join(built, 'index.html'))) return built
  const outDir = join(tmp, 'renderer')
  await build({
    root: resolve('src/renderer'),
    base: './',
    plugins: [react()],
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true }
  })
  return outDir
}

function startUi(args: string[], cwd: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [cliEntry(), 'ui', '--port', '0', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  let err = ''
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`ui did not print its URL: ${out}${err}`)),
      20_000
    )
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolveUrl({ child, url: m[0] })
      }
    })
    child.once('exit', (code) => reject(new Error(`ui exited with ${code}: ${err}`)))
  })
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
}

async function points(page: Page, chart: string): Promise<number> {
  return Number(await page.locator(`figure[data-chart="${chart}"]`).getAttribute('data-points'))
}

describe.runIf(haveChromium)('app end to end (Chromium, web bridge, simulator)', () => {
  let tmp: string
  let ui: ChildProcess | undefined
  let url: string
  let context: BrowserContext
  let page: Page

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'kp-e2e-'))
    mkdirSync(ARTIFACTS, { recursive: true })
    const renderer = await rendererDir(tmp)
    // cwd is a fresh folder, so the CLI's ./profiler-sessions of the checkout stays out of view.
    const started = await startUi(
      ['--renderer-dir', renderer, '--sessions-dir', join(tmp, 'sessions')],
      tmp
    )
    ui = started.child
    url = started.url
    context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true
    })
    page = await context.newPage()
  }, 90_000)

  afterAll(async () => {
    await context?.close()
    if (ui && ui.exitCode === null) {
      const exited = new Promise((r) => ui!.once('exit', r))
      // SIGINT: the bridge closes and the simulator it started is stopped with it.
      ui.kill('SIGINT')
      const timer = setTimeout(() => ui!.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    rmSync(tmp, { recursive: true, force: true })
  }, 30_000)

  it('starts the simulator, runs T220 quick, investigates, exports, finds the session after a reload', async () => {
    const pageErrors: string[] = []
    page.on('pageerror', (e) => pageErrors.push(e.message))
    await page.goto(url)
    await page.getByRole('heading', { name: 'Targets', level: 2 }).waitFor()
    await page
      .getByRole('status')
      .filter({ hasText: /Looking for KalamDB/ })
      .waitFor({ state: 'detached' })
    await shot(page, '1-targets')

    // Targets: the simulator, attached in one click.
    await page.getByRole('button', { name: 'Start built-in simulator' }).click()
    await page
      .getByRole('status', { name: 'Target' })
      .filter({ hasText: /Attached: simulator/ })
      .waitFor({ timeout: 30_000 })

    // Live: samples arrive on the chart.
    await page.getByRole('link', { name: 'Live' }).click()
    await expect.poll(() => points(page, 'memory'), { timeout: 15_000 }).toBeGreaterThan(0)
    // Zoom and pan from the keyboard-reachable buttons (the zoom plugin is loaded and works).
    await page.getByRole('button', { name: 'Zoom in on Memory' }).click()
    await page.getByRole('button', { name: 'Reset zoom of Memory' }).click()
    await shot(page, '2-live')

    // Scenarios: T220 in quick mode, progress, verdict.
    await page.getByRole('link', { name: 'Scenarios' }).click()
    expect(await page.getByRole('checkbox', { name: 'Quick mode for T220' }).isChecked()).toBe(true)
    await page.getByRole('button', { name: 'Run T220' }).click()
    await page.getByRole('progressbar', { name: 'Run progress' }).waitFor({ timeout: 30_000 })
    await shot(page, '3-scenarios-running')
    await page.getByRole('link', { name: 'Live' }).click()
    const before = await points(page, 'memory')
    await expect.poll(() => points(page, 'memory'), { timeout: 15_000 }).toBeGreaterThan(before)
    await shot(page, '4-live-run')
    await page.getByRole('link', { name: 'Scenarios' }).click()
    const verdict = page.getByText(/^Verdict: (passed|failed)/)
    await verdict.waitFor({ timeout: 120_000 })
    expect(await verdict.textContent()).toMatch(/criteria|passed|failed/)
    await shot(page, '5-scenarios-verdict')

    // Investigation: the answer in words, then the evidence.
    await page.getByRole('button', { name: 'Open in Investigation' }).click()
    await page.getByRole('heading', { name: 'Investigation', level: 2 }).waitFor()
    await page.getByLabel('Analysis').waitFor({ timeout: 30_000 })
    expect(await page.getByRole('table', { name: 'Growth by metric' }).isVisible()).toBe(true)
    // The inserts' latency as a histogram (bars decoded from latency.json by the engine).
    await page.getByRole('figure', { name: 'insert latency histogram' }).waitFor()
    await shot(page, '6-investigation')

    // Export, keyboard only: Alt+6 opens it with focus on its heading, Tab reaches the button,
    // Enter exports Markdown (the default format). Then HTML with the mouse. Downloads, as in
    // any browser.
    await page.keyboard.press('Alt+6')
    const exportTitle = page.getByRole('heading', { name: 'Export', level: 2 })
    await exportTitle.waitFor()
    expect(page.url()).toMatch(/#export$/)
    await expect.poll(() => exportTitle.evaluate((el) => el.matches(':focus'))).toBe(true)
    const exportButton = page.getByRole('button', { name: 'Export report' })
    await expect.poll(() => exportButton.isEnabled(), { timeout: 15_000 }).toBe(true)
    const focused = (): Promise<boolean> => exportButton.evaluate((el) => el.matches(':focus'))
    for (let i = 0; i < 15 && !(await focused()); i++) await page.keyboard.press('Tab')
    expect(await focused()).toBe(true)
    expect(await page.getByRole('radio', { name: /^Markdown / }).isChecked()).toBe(true)
    for (const [label, check] of [
      ['Markdown', (t: string) => expect(t).toMatch(/^# /m)],
      ['HTML', (t: string) => expect(t).toMatch(/<html/i)]
    ] as const) {
      const download = page.waitForEvent('download')
      if (label === 'Markdown') {
        await page.keyboard.press('Enter')
      } else {
        await page.getByRole('radio', { name: new RegExp(`^${label} `) }).check()
        await exportButton.click()
      }
      const file = await (await download).path()
      const text = readFileSync(file, 'utf8')
      check(text)
      expect(text).toContain('memory-stability')
      await page
        .getByRole('status')
        .filter({ hasText: /^Downloaded / })
        .waitFor()
    }
    await shot(page, '7-export')

    // Sessions: the run is there after a reload.
    await page.reload()
    await page.getByRole('link', { name: 'Sessions' }).click()
    await page.getByRole('cell', { name: 'memory-stability' }).first().waitFor({ timeout: 15_000 })
    await shot(page, '8-sessions')
    expect(pageErrors).toEqual([])
  }, 240_000)

  it('opens a session another tool wrote: RSS alone, a criterion that is none', async () => {
    const pageErrors: string[] = []
    page.on('pageerror', (e) => pageErrors.push(e.message))
    const dir = join(tmp, 'sessions', 'other-tool')
    mkdirSync(dir, { recursive: true })
    writeFileSync(
      join(dir, 'session.json'),
      JSON.stringify({ scenario: 'sample', pid: 7, start: 1.7e12 })
    )
    const samples = Array.from({ length: 120 }, (_, i) =>
      JSON.stringify({ t: 1.7e12 + i * 1000, rssBytes: 200 * 1024 * 1024 + (i % 7) * 4096 })
    )
    writeFileSync(join(dir, 'samples.ndjson'), samples.join('\n'))
    writeFileSync(join(dir, 'verdicts.json'), JSON.stringify([null]))

    await page.goto(url)
    await page.getByRole('link', { name: 'Sessions' }).click()
    await page.getByRole('button', { name: 'Refresh sessions' }).click()
    await page.getByRole('button', { name: 'Open other-tool' }).click()
    await page.getByRole('heading', { name: 'Investigation', level: 2 }).waitFor()
    const answer = page.getByLabel('Analysis')
    await answer.waitFor({ timeout: 30_000 })
    await expect
      .poll(() => answer.textContent())
      .toMatch(/Left out, not in the session format: the criterion in verdicts\.json/)
    // RSS drawn on its own: the sample has no heap, file-mapped or stack to stack.
    await expect.poll(() => points(page, 'growth')).toBeGreaterThan(0)
    await shot(page, '9-other-tool')
    expect(pageErrors).toEqual([])
  }, 60_000)
})
