/**
 * PDF from the HTML report, for the CLI: headless Chromium prints it (the app uses Electron's
 * printToPDF on the same HTML instead). Chromium's own `--print-to-pdf` is enough: no driver
 * library, no network (the HTML fetches nothing, and the flags turn off Chromium's own
 * background traffic), a private profile directory removed afterwards.
 */
import { spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ProfilerError } from '../../shared/errors'

/** Where Chromium usually lives; Debian's package installs /usr/bin/chromium. */
const CANDIDATES = [
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
  'chrome'
]

/** Environment variable naming a Chromium binary, checked before the usual places. */
export const CHROMIUM_ENV = 'KALAM_PROFILER_CHROMIUM'

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-extensions',
  '--no-pdf-header-footer'
]

export interface PdfOptions {
  /** A Chromium binary; without it CHROMIUM_ENV, then PATH, then the usual places. */
  chromiumPath?: string
  env?: Record<string, string | undefined>
  signal?: AbortSignal
  /** Default 120 s: a 1-hour report prints in a few seconds; this only guards a hang. */
  timeoutMs?: number
}

/**
 * The Chromium to use, or null. An explicit path that is not executable is an error. The
 * usual install folders are searched only when there is no PATH at all (a desktop launcher);
 * with a PATH, PATH decides, so "not installed" can be told and tested.
 */
export function findChromium(
  options: Pick<PdfOptions, 'chromiumPath' | 'env'> = {}
): string | null {
  const env = options.env ?? process.env
  const explicit = options.chromiumPath ?? env[CHROMIUM_ENV]
  if (explicit) {
    if (isExecutable(explicit)) return explicit
    throw new ProfilerError(
      'BAD_INPUT',
      `no executable Chromium at ${explicit}: PDF needs headless Chromium (install chromium, e.g. apt-get install chromium, or fix --chromium / ${CHROMIUM_ENV})`
    )
  }
  const dirs =
    env.PATH === undefined
      ? ['/usr/bin', '/usr/local/bin', '/snap/bin']
      : env.PATH.split(delimiter).filter(Boolean)
  for (const dir of dirs)
    for (const name of CANDIDATES) {
      const p = join(dir, name)
      if (isExecutable(p)) return p
    }
  return null
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** Prints the HTML to PDF in headless Chromium; fails with one line when there is none. */
export async function renderPdf(html: string, options: PdfOptions = {}): Promise<Buffer> {
  const chromium = findChromium(options)
  if (!chromium)
    throw new ProfilerError(
      'BAD_INPUT',
      `PDF needs headless Chromium and none is installed: install chromium (e.g. apt-get install chromium) or pass --chromium PATH, or use --format html and print it from a browser`
    )
  const dir = await mkdtemp(join(tmpdir(), 'kalam-profiler-pdf-'))
  try {
    const htmlFile = join(dir, 'report.html')
    const pdfFile = join(dir, 'report.pdf')
    await writeFile(htmlFile, html)
    await runChromium(
      chromium,
      [
        ...CHROMIUM_FLAGS,
        `--user-data-dir=${join(dir, 'profile')}`,
        `--print-to-pdf=${pdfFile}`,
        pathToFileURL(htmlFile).href
      ],
      options
    )
    const pdf = await readFile(pdfFile).catch(() => null)
    if (!pdf || pdf.subarray(0, 5).toString('latin1') !== '%PDF-')
      throw new ProfilerError('INTERNAL', `Chromium (${chromium}) did not produce a PDF`)
    return pdf
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

function runChromium(bin: string, args: string[], options: PdfOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout or abort ends Chromium's helper processes too.
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => {
      // Chromium logs dbus noise on headless machines; keep only the tail for a failure message.
      stderr = (stderr + d.toString()).slice(-4000)
    })
    const kill = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        child.kill('SIGKILL')
      }
    }
    let why: ProfilerError | null = null
    const timer = setTimeout(() => {
      why = new ProfilerError(
        'TIMEOUT',
        `Chromium did not finish printing the PDF in ${Math.round((options.timeoutMs ?? 120_000) / 1000)} s`
      )
      kill()
    }, options.timeoutMs ?? 120_000)
    const onAbort = (): void => {
      why = new ProfilerError('CANCELLED', 'PDF printing was cancelled')
      kill()
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    if (options.signal?.aborted) onAbort()
    child.on('error', (e) => {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      reject(new ProfilerError('BAD_INPUT', `cannot start Chromium (${bin}): ${e.message}`))
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      if (why) reject(why)
      else if (code !== 0) {
        const last = stderr
          .trim()
          .split('\n')
          .filter((l) => !/dbus|bus\.cc|unexpected operator/.test(l))
          .at(-1)
        reject(
          new ProfilerError(
            'INTERNAL',
            `Chromium exited with code ${code} while printing the PDF${last ? `: ${last}` : ''}`
          )
        )
      } else resolve()
    })
  })
}

/** Pages of a PDF: its `/Type /Page` objects (not `/Pages`, the tree's inner nodes). */
export function countPdfPages(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![A-Za-z])/g) ?? []).length
}
