/**
 * A /proc file kept open and re-read from offset 0 (pread) at every sample: one syscall
 * instead of open+read+read+close, and a handle that stays bound to the process it was
 * opened for — once that process is reaped, reads fail with ESRCH, so a reused pid can
 * never answer in its place.
 */
import { open, type FileHandle } from 'node:fs/promises'

/**
 * The kernel's seq_file hands out at most one buffer (one page, ≥ 4 KiB) per read and
 * stops early only at the end of the file or when the next record would not fit. A read
 * shorter than a page by more than the longest record therefore ended at EOF — which saves
 * the extra read that would confirm it: for /proc/net/tcp that read is a second walk over
 * the kernel's whole connection hash (≈ 1.7 ms on a 24 GiB machine: 262,144 buckets).
 */
const MIN_SEQ_PAGE = 4096
/** Longer than any line of /proc/net/tcp (150 bytes) or tcp6 (≈ 180). */
const MAX_RECORD = 512

export class ProcFile {
  private handle: FileHandle | null = null
  private buf = Buffer.allocUnsafe(16 * 1024)

  /**
   * @param multiRecord true for files listing many records (net/tcp): a short read ends the
   *   file only when it is short by more than a record. Single-record files (status, stat,
   *   smaps_rollup) come out whole in one read.
   */
  constructor(
    readonly path: string,
    private readonly multiRecord = false
  ) {}

  /** Opens now, so a missing or unreadable file is reported before the first sample. */
  async open(): Promise<void> {
    if (this.handle === null) this.handle = await open(this.path, 'r')
  }

  async read(): Promise<string> {
    await this.open()
    const fh = this.handle!
    let total = 0
    for (;;) {
      // Keep room for more than a page, so a short read can only mean the end of the file.
      if (this.buf.length - total < 2 * MIN_SEQ_PAGE) {
        const bigger = Buffer.allocUnsafe(this.buf.length * 2)
        this.buf.copy(bigger, 0, 0, total)
        this.buf = bigger
      }
      const { bytesRead } = await fh.read(this.buf, total, this.buf.length - total, total)
      total += bytesRead
      if (bytesRead === 0) break
      if (bytesRead < (this.multiRecord ? MIN_SEQ_PAGE - MAX_RECORD : 2 * MIN_SEQ_PAGE)) break
    }
    return this.buf.toString('utf8', 0, total)
  }

  async close(): Promise<void> {
    const fh = this.handle
    this.handle = null
    await fh?.close().catch(() => undefined)
  }
}
