/**
 * Report export: rendered by the report module, then written where the user chooses (the
 * desktop app's save dialog) or handed to the browser as a download. PDF is printed from
 * the HTML report by the front end that can (Electron's printToPDF) or by the report module.
 */
import { writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import type { ExportFormat, ExportResult } from '../../shared/api'
import type { Engine } from './engine'
import type { SessionStore } from './session-store'

export interface ExportDeps {
  engine: Pick<Engine, 'analyzeSession' | 'renderReport'>
  sessions: SessionStore
  /** Asks where to save (a native dialog); null = the user cancelled. Absent in a browser. */
  chooseSavePath?: (suggestedName: string, format: ExportFormat) => Promise<string | null>
  /** Prints HTML to PDF (Electron webContents.printToPDF). */
  printToPdf?: (html: string) => Promise<Uint8Array>
  /** Secrets in use (the attached server's password or token), scrubbed from every report. */
  secrets?: () => string[]
}

/** File extensions (the report module's REPORT_EXTENSIONS agree). */
const EXT: Record<ExportFormat, string> = {
  md: 'md',
  html: 'html',
  json: 'json',
  csv: 'csv',
  junit: 'xml',
  pdf: 'pdf'
}

export const MIME: Record<ExportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  junit: 'application/xml',
  pdf: 'application/pdf'
}

export function exportFileName(dir: string, format: ExportFormat): string {
  return `${basename(dir)}${format === 'junit' ? '.junit' : ''}.${EXT[format]}`
}

export async function exportSession(
  deps: ExportDeps,
  dir: string,
  format: ExportFormat
): Promise<ExportResult> {
  const session = await deps.sessions.read(dir)
  const analysis = deps.engine.analyzeSession(session)
  const filename = exportFileName(session.dir, format)
  // Ask first: a cancelled dialog should not cost a render (PDF printing takes a while).
  const path = deps.chooseSavePath ? await deps.chooseSavePath(filename, format) : undefined
  if (path === null) return { kind: 'cancelled' }
  let body: string | Uint8Array
  const secrets = deps.secrets?.() ?? []
  if (format === 'pdf' && deps.printToPdf) {
    const html = await deps.engine.renderReport(session, analysis, 'html', {
      secrets,
      embedData: false
    })
    body = await deps.printToPdf(
      typeof html === 'string' ? html : Buffer.from(html).toString('utf8')
    )
  } else {
    body = await deps.engine.renderReport(session, analysis, format, { secrets })
  }
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body)
  if (path !== undefined) {
    await writeFile(path, bytes)
    return { kind: 'saved', path, bytes: bytes.length }
  }
  return { kind: 'download', filename, mimeType: MIME[format], base64: bytes.toString('base64') }
}
