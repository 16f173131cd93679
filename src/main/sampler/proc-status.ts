/**
 * /proc/PID/status: parse apart from read (STYLE.md §11). Memory lines are "Key:\t  N kB";
 * kernel threads and zombies have no VmRSS, RssAnon … lines at all, so every memory figure is
 * nullable here and the sampler decides what a missing one means.
 */
import { digitsEnd, digitsValue, NL, SPACE } from './proc-digits'

export interface ProcStatus {
  name: string
  /** One-letter state: R, S, D, Z, T, t, X, I … */
  state: string
  pid: number | null
  ppid: number | null
  /** Real uid (first of the four Uid: columns): who owns the process. */
  uid: number | null
  vmRssBytes: number | null
  vmHwmBytes: number | null
  vmSizeBytes: number | null
  rssAnonBytes: number | null
  rssFileBytes: number | null
  rssShmemBytes: number | null
  vmStkBytes: number | null
  vmSwapBytes: number | null
  threads: number | null
}

/** The kernel writes every size in status as "N kB", meaning KiB. */
const KIB = 1024

export function parseStatus(text: string): ProcStatus {
  // Reads the lines it needs in place, without splitting all ~55 into a map or running a
  // regex per field: the sampler parses this at every sample, and at 10 Hz that parsing
  // cost more than reading the file (issue 3, benchmark).
  const name = valueAt(text, 'Name')
  const state = valueAt(text, 'State')
  return {
    // Name is the comm, tab-trimmed; the kernel escapes newlines and backslashes in it.
    name: name < 0 ? '' : text.slice(name, lineEnd(text, name)).trim(),
    state: state < 0 ? '?' : text.slice(state, Math.min(state + 1, lineEnd(text, state))),
    pid: leadingInt(text, valueAt(text, 'Pid')),
    ppid: leadingInt(text, valueAt(text, 'PPid')),
    uid: leadingInt(text, valueAt(text, 'Uid')),
    vmRssBytes: kib(text, 'VmRSS'),
    vmHwmBytes: kib(text, 'VmHWM'),
    vmSizeBytes: kib(text, 'VmSize'),
    rssAnonBytes: kib(text, 'RssAnon'),
    rssFileBytes: kib(text, 'RssFile'),
    rssShmemBytes: kib(text, 'RssShmem'),
    vmStkBytes: kib(text, 'VmStk'),
    vmSwapBytes: kib(text, 'VmSwap'),
    threads: leadingInt(text, valueAt(text, 'Threads'))
  }
}

const TAB = 0x09
const COLON = 0x3a
const LETTER_K = 0x6b
const LETTER_B = 0x42

/** Where the value of the line "key:  value" starts (blanks skipped); -1 without that line. */
function valueAt(text: string, key: string): number {
  let at = 0
  if (!(text.startsWith(key) && text.charCodeAt(key.length) === COLON)) {
    at = text.indexOf(`\n${key}:`) + 1
    if (at === 0) return -1
  }
  return skipBlanks(text, at + key.length + 1)
}

function skipBlanks(text: string, i: number): number {
  for (let c = text.charCodeAt(i); c === SPACE || c === TAB; c = text.charCodeAt(++i));
  return i
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from)
  return end < 0 ? text.length : end
}

/** The number the value at `at` starts with (as /^(\d+)/ would find it), or null. */
function leadingInt(text: string, at: number): number | null {
  if (at < 0) return null
  const end = digitsEnd(text, at)
  return end === at ? null : digitsValue(text, at, end)
}

/** A size line "Key:  N kB" in bytes; null when the line is missing or not of that form. */
function kib(text: string, key: string): number | null {
  const at = valueAt(text, key)
  if (at < 0) return null
  const end = digitsEnd(text, at)
  if (end === at) return null
  const k = skipBlanks(text, end)
  if (text.charCodeAt(k) !== LETTER_K || text.charCodeAt(k + 1) !== LETTER_B) return null
  const after = skipBlanks(text, k + 2)
  return after >= text.length || text.charCodeAt(after) === NL
    ? digitsValue(text, at, end) * KIB
    : null
}
