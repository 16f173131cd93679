/**
 * `bench --save`: results kept in a history folder keyed by the server's version and build,
 * then date and time — `./profiler-bench/<version>[+<build>]/<YYYY-MM-DD-HHMMSS>.json` — so
 * a developer's rebuilds of one version land side by side and `compare` can take the folder
 * (its newest result) or any file in it.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { BenchResult } from '../../shared/bench'

export const DEFAULT_HISTORY_DIR = 'profiler-bench'

/** A path segment from server-supplied text: letters, digits, . _ + - only. */
function segment(text: string): string {
  const s = text
    .trim()
    .replace(/[^A-Za-z0-9._+-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 80)
  return s === '' ? 'unknown' : s
}

/** "<version>+<git commit (8 hex)>", else "<version>+<build date>", else "<version>". */
export function versionKey(r: BenchResult): string {
  const version = segment(r.target.version ?? 'unknown')
  const commit = r.target.gitCommit ? segment(r.target.gitCommit) : null
  // A hash reads best shortened, like git's own; anything else stays whole.
  if (commit) return `${version}+${/^[0-9a-f]{9,}$/i.test(commit) ? commit.slice(0, 8) : commit}`
  if (r.target.buildDate) return `${version}+${segment(r.target.buildDate)}`
  return version
}

/** "2024-05-01-120304" in UTC: sorts by time, readable, no colons (valid on every OS). */
export function stamp(t: number): string {
  const iso = new Date(t).toISOString()
  return `${iso.slice(0, 10)}-${iso.slice(11, 19).replace(/:/g, '')}`
}

/** Writes the result under `baseDir` and returns the file's path. */
export async function saveResult(baseDir: string, r: BenchResult): Promise<string> {
  const dir = join(baseDir, versionKey(r))
  await mkdir(dir, { recursive: true })
  let file = join(dir, `${stamp(r.startedAt)}.json`)
  for (let i = 2; existsSync(file); i++) file = join(dir, `${stamp(r.startedAt)}-${i}.json`)
  await writeFile(file, `${JSON.stringify(r, null, 2)}\n`, { flag: 'wx' })
  return file
}
