/**
 * A /proc file kept open and re-read from offset 0 (pread) at every sample: one syscall
 * instead of open+read+read+close, and a descriptor that stays bound to the process it was
 * opened for — once that process is reaped, reads fail with ESRCH, so a reused pid can
 * never answer in its place.
 *
 * Small files are read synchronously (≈ 5 µs; a thread-pool round trip costs several times
 * the read itself), files whose generation is expensive (smaps_rollup walks every page
 * table, net/tcp the kernel's whole connection hash) asynchronously, off the event loop.
 */
import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs'

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

function preadAsync(fd: number, buf: Buffer, offset: number, position: number): Promise<number> {
  return new Promise((resolve, reject) =>
    read(fd, buf, offset, buf.length - offset, position, (err, n) =>
      err ? reject(err) : resolve(n)
    )
  )
}

export class ProcFile {
  private fd: number | null = null
  private buf = Buffer.allocUnsafe(16 * 1024)
  /** read() calls the last read of the file took: more than one for a table over a page. */
  lastReadCalls = 0

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
  open(): number {
    if (this.fd === null) this.fd = openSync(this.path, 'r')
    return this.fd
  }

  readSync(): string {
    const fd = this.open()
    let total = 0
    for (;;) {
      this.makeRoom(total)
      const n = readSync(fd, this.buf, total, this.buf.length - total, total)
      total += n
      if (this.ended(n)) break
    }
    return this.buf.toString('utf8', 0, total)
  }

  async read(): Promise<string> {
    const fd = this.open()
    let total = 0
    this.lastReadCalls = 0
    for (;;) {
      this.makeRoom(total)
      const n = await preadAsync(fd, this.buf, total, total)
      this.lastReadCalls++
      total += n
      if (this.ended(n)) break
    }
    return this.buf.toString('utf8', 0, total)
  }

  /** The size fstat reports, for files whose size is a count (a /proc/PID/fd directory). */
  size(): number {
    return fstatSync(this.open()).size
  }

  close(): void {
    const fd = this.fd
    this.fd = null
    if (fd !== null) {
      try {
        closeSync(fd)
      } catch {
        // Already gone with its process: nothing to release.
      }
    }
  }

  /** Keeps room for more than a page, so a short read can only mean the end of the file. */
  private makeRoom(used: number): void {
    if (this.buf.length - used >= 2 * MIN_SEQ_PAGE) return
    const bigger = Buffer.allocUnsafe(this.buf.length * 2)
    this.buf.copy(bigger, 0, 0, used)
    this.buf = bigger
  }

  private ended(bytesRead: number): boolean {
    return (
      bytesRead === 0 ||
      bytesRead < (this.multiRecord ? MIN_SEQ_PAGE - MAX_RECORD : 2 * MIN_SEQ_PAGE)
    )
  }
}
