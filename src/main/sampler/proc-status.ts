/**
 * /proc/PID/status: parse apart from read (STYLE.md §11). Memory lines are "Key:\t  N kB";
 * kernel threads and zombies have no VmRSS, RssAnon … lines at all, so every memory figure is
 * nullable here and the sampler decides what a missing one means.
 */

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
  const fields = new Map<string, string>()
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    fields.set(line.slice(0, colon), line.slice(colon + 1).trim())
  }
  const kib = (key: string): number | null => {
    const m = /^(\d+)\s*kB$/.exec(fields.get(key) ?? '')
    return m ? Number(m[1]) * KIB : null
  }
  const int = (key: string): number | null => {
    const m = /^(\d+)/.exec(fields.get(key) ?? '')
    return m ? Number(m[1]) : null
  }
  return {
    // Name is the comm, tab-trimmed; the kernel escapes newlines and backslashes in it.
    name: fields.get('Name') ?? '',
    state: (fields.get('State') ?? '?').charAt(0),
    pid: int('Pid'),
    ppid: int('PPid'),
    uid: int('Uid'),
    vmRssBytes: kib('VmRSS'),
    vmHwmBytes: kib('VmHWM'),
    vmSizeBytes: kib('VmSize'),
    rssAnonBytes: kib('RssAnon'),
    rssFileBytes: kib('RssFile'),
    rssShmemBytes: kib('RssShmem'),
    vmStkBytes: kib('VmStk'),
    vmSwapBytes: kib('VmSwap'),
    threads: int('Threads')
  }
}
