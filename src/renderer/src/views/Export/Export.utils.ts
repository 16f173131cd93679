/** Export formats as the view lists them, and handing a download to the browser. */
import type { ExportFormat, ExportResult } from '../../../../shared/api'

export const FORMATS: { format: ExportFormat; label: string; what: string }[] = [
  { format: 'md', label: 'Markdown', what: 'paste into a GitHub issue' },
  { format: 'html', label: 'HTML', what: 'one self-contained page with charts' },
  { format: 'json', label: 'JSON', what: 'every figure, for scripts' },
  { format: 'csv', label: 'CSV', what: 'the samples, for a spreadsheet' },
  { format: 'junit', label: 'JUnit XML', what: 'criteria as test cases, for CI' },
  { format: 'pdf', label: 'PDF', what: 'the HTML report, printed' }
]

export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** Saves a download result through an <a download> click; returns the byte count. */
export function startDownload(
  result: Extract<ExportResult, { kind: 'download' }>,
  doc: Document
): number {
  const bytes = base64ToBytes(result.base64)
  const url = URL.createObjectURL(new Blob([bytes], { type: result.mimeType }))
  const a = doc.createElement('a')
  a.href = url
  a.download = result.filename
  a.rel = 'noopener'
  doc.body.append(a)
  a.click()
  a.remove()
  // Give the browser the time to start reading the blob before it goes.
  setTimeout(() => URL.revokeObjectURL(url), 30_000)
  return bytes.length
}
