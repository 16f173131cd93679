/**
 * Memory the faults retain on purpose. Bytes are written (not just reserved) so they are
 * resident and show in RssAnon, and packed into 1 MiB slabs so the per-allocation overhead
 * does not blur the ground truth: N bytes per event means N bytes, not N plus a header.
 */
const SLAB_BYTES = 1024 * 1024

export class LeakPool {
  private readonly slabs: Buffer[] = []
  private current: Buffer | null = null
  private used = 0
  /** Bytes retained so far. */
  total = 0

  retain(bytes: number): void {
    if (bytes <= 0) return
    this.total += bytes
    let left = bytes
    while (left > 0) {
      if (!this.current || this.used === this.current.length) {
        this.current = Buffer.allocUnsafeSlow(SLAB_BYTES)
        this.slabs.push(this.current)
        this.used = 0
      }
      const n = Math.min(left, this.current.length - this.used)
      this.current.fill(1, this.used, this.used + n)
      this.used += n
      left -= n
    }
  }
}
