/**
 * /proc/PID/smaps: parse apart from read (STYLE.md §11). A KalamDB server under load has
 * thousands of mappings (mimalloc segments, thread stacks, libraries), so the parser walks
 * the text by character codes and never runs a regular expression or splits per line:
 * 6,000 mappings (4 MB of text) parse in a few milliseconds.
 *
 * Format (fs/proc/task_mmu.c): one header per mapping
 *   `start-end perms offset dev inode[ padding name]`
 * followed by `Key:   value kB` lines. Names are what the kernel prints: a path (newlines
 * escaped as \012, spaces kept), ` (deleted)` appended for unlinked files, or a bracketed
 * region ([heap], [stack], [vdso], [anon:NAME] …). Headers start with a lowercase hex digit,
 * fields with an uppercase letter, which is how the two are told apart.
 */

/** One mapping of smaps. Sizes are bytes. */
export interface SmapsMapping {
  /** Start address, hex as printed. */
  start: string
  /** End address (exclusive), hex as printed. */
  end: string
  /** e.g. `r-xp`; the fourth character is `s` for shared, `p` for private mappings. */
  perms: string
  offset: number
  /** Device `major:minor`, hex as printed. */
  dev: string
  inode: number
  /** Path or bracketed name without ` (deleted)`; '' for an anonymous mapping. */
  path: string
  /** The kernel appended ` (deleted)`: the file was unlinked while mapped. */
  deleted: boolean
  sizeBytes: number
  rssBytes: number
  pssBytes: number
  sharedCleanBytes: number
  sharedDirtyBytes: number
  privateCleanBytes: number
  privateDirtyBytes: number
  anonymousBytes: number
  swapBytes: number
}

const DELETED_SUFFIX = ' (deleted)'
const SPACE = 32
const COLON = 58
const ZERO = 48
const NINE = 57
const LOWER_A = 97
const LOWER_F = 102

/** Parses the whole text of /proc/PID/smaps. Malformed lines are skipped, never thrown on. */
export function parseSmaps(text: string): SmapsMapping[] {
  const out: SmapsMapping[] = []
  let m: SmapsMapping | null = null
  const len = text.length
  let pos = 0
  while (pos < len) {
    let eol = text.indexOf('\n', pos)
    if (eol < 0) eol = len
    const c0 = text.charCodeAt(pos)
    if ((c0 >= ZERO && c0 <= NINE) || (c0 >= LOWER_A && c0 <= LOWER_F)) {
      m = parseHeader(text, pos, eol)
      if (m) out.push(m)
    } else if (m !== null && eol - pos > 5) {
      // Dispatch on a few characters instead of comparing names: this loop runs for
      // ~25 lines per mapping, and only 9 of the ~27 field names are kept.
      const c1 = text.charCodeAt(pos + 1)
      const c3 = text.charCodeAt(pos + 3)
      switch (c0) {
        case 83 /* S */:
          if (c1 === 105 /* Size: */ && c3 === 101 && text.charCodeAt(pos + 4) === COLON) {
            m.sizeBytes = parseKb(text, pos + 5, eol)
          } else if (c1 === 119 /* Swap: */ && text.charCodeAt(pos + 4) === COLON) {
            m.swapBytes = parseKb(text, pos + 5, eol)
          } else if (c1 === 104 && c3 === 114 /* Shared_ */) {
            const c7 = text.charCodeAt(pos + 7)
            if (c7 === 67 /* Clean */) m.sharedCleanBytes = parseKb(text, pos + 13, eol)
            else if (c7 === 68 /* Dirty */) m.sharedDirtyBytes = parseKb(text, pos + 13, eol)
          }
          break
        case 82 /* R */:
          if (c1 === 115 /* Rss: */ && c3 === COLON) m.rssBytes = parseKb(text, pos + 4, eol)
          break
        case 80 /* P */:
          if (c1 === 115 /* Pss: */ && c3 === COLON) {
            m.pssBytes = parseKb(text, pos + 4, eol)
          } else if (c1 === 114 && c3 === 118 /* Private_ */) {
            const c8 = text.charCodeAt(pos + 8)
            if (c8 === 67 /* Clean */) m.privateCleanBytes = parseKb(text, pos + 14, eol)
            else if (c8 === 68 /* Dirty */) m.privateDirtyBytes = parseKb(text, pos + 14, eol)
          }
          break
        case 65 /* A */:
          if (c1 === 110 && text.charCodeAt(pos + 9) === COLON /* Anonymous: */) {
            m.anonymousBytes = parseKb(text, pos + 10, eol)
          }
          break
      }
    }
    pos = eol + 1
  }
  return out
}

/**
 * `Size:      1234 kB` → bytes. Every size field of smaps is in kB (KiB) and right-aligned,
 * so the digits are read backwards from the unit instead of skipping the padding.
 */
function parseKb(text: string, from: number, eol: number): number {
  let pos = eol - 1
  // Skip the unit (` kB`) and anything after the number.
  while (pos >= from) {
    const d = text.charCodeAt(pos) - ZERO
    if (d >= 0 && d <= 9) break
    pos--
  }
  let n = 0
  let scale = 1
  while (pos >= from) {
    const d = text.charCodeAt(pos) - ZERO
    if (d < 0 || d > 9) break
    n += d * scale
    scale *= 10
    pos--
  }
  return n * 1024
}

function parseHeader(text: string, pos: number, eol: number): SmapsMapping | null {
  // Five space-separated fields, then the name (which may itself contain spaces).
  const s1 = text.indexOf(' ', pos)
  if (s1 < 0 || s1 >= eol) return null
  const s2 = text.indexOf(' ', s1 + 1)
  if (s2 < 0 || s2 >= eol) return null
  const s3 = text.indexOf(' ', s2 + 1)
  if (s3 < 0 || s3 >= eol) return null
  const s4 = text.indexOf(' ', s3 + 1)
  if (s4 < 0 || s4 >= eol) return null
  let s5 = text.indexOf(' ', s4 + 1)
  if (s5 < 0 || s5 > eol) s5 = eol
  const dash = text.indexOf('-', pos)
  // A field line never has a colon before its first space; a header has none either,
  // but its address range must hold a dash.
  if (dash < 0 || dash > s1 || text.charCodeAt(s1 - 1) === COLON) return null
  let nameStart = s5
  while (nameStart < eol && text.charCodeAt(nameStart) === SPACE) nameStart++
  let path = nameStart < eol ? text.slice(nameStart, eol) : ''
  let deleted = false
  if (path.endsWith(DELETED_SUFFIX)) {
    deleted = true
    path = path.slice(0, -DELETED_SUFFIX.length)
  }
  return {
    start: text.slice(pos, dash),
    end: text.slice(dash + 1, s1),
    perms: text.slice(s1 + 1, s2),
    offset: parseInt(text.slice(s2 + 1, s3), 16),
    dev: text.slice(s3 + 1, s4),
    inode: Number(text.slice(s4 + 1, s5)),
    path,
    deleted,
    sizeBytes: 0,
    rssBytes: 0,
    pssBytes: 0,
    sharedCleanBytes: 0,
    sharedDirtyBytes: 0,
    privateCleanBytes: 0,
    privateDirtyBytes: 0,
    anonymousBytes: 0,
    swapBytes: 0
  }
}

/** True for a mapping the process can execute (its perms carry `x`). */
export function isExecutable(m: Pick<SmapsMapping, 'perms'>): boolean {
  return m.perms.charCodeAt(2) === 120 /* x */
}

/** True for a MAP_SHARED mapping (perms end in `s`). */
export function isShared(m: Pick<SmapsMapping, 'perms'>): boolean {
  return m.perms.charCodeAt(3) === 115 /* s */
}
