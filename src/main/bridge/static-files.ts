/** Serves the built renderer; never a file outside its folder. */
import { readFile, stat } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json'
}

/** The same policy as the Electron window: nothing from anywhere but ourselves. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

export async function serveStatic(
  root: string,
  urlPath: string,
  res: ServerResponse
): Promise<void> {
  const base = resolve(root)
  const rel = decodeURIComponent(urlPath.split('?')[0] ?? '/')
  const wanted = normalize(join(base, rel === '/' ? 'index.html' : rel))
  if (wanted !== base && !wanted.startsWith(base + sep)) return send(res, 403, 'forbidden')
  let file = wanted
  const info = await stat(file).catch(() => null)
  // Client-side routes fall back to the app shell.
  if (!info || info.isDirectory()) file = join(base, 'index.html')
  const body = await readFile(file).catch(() => null)
  if (!body) return send(res, 404, 'not found: the UI is not built (run `npm run build`)')
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store'
  })
  res.end(body)
}

export function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
  res.end(`${text}\n`)
}
