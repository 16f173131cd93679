/**
 * Snowflake-like ids for `_seq` and `SNOWFLAKE_ID()`: 41 bits of milliseconds since
 * 2015-01-01, 10 bits of node id, 12 bits of sequence. Real KalamDB ids are of this size
 * (~10^18, above 2^53), which is exactly what clients must parse losslessly.
 */
const EPOCH_MS = 1_420_070_400_000n
const NODE_ID = 1n

export class Snowflake {
  private lastMs = 0n
  private seq = 0n

  next(): bigint {
    let ms = BigInt(Date.now()) - EPOCH_MS
    if (ms <= this.lastMs) {
      ms = this.lastMs
      this.seq++
      if (this.seq > 4095n) {
        // Sequence exhausted within one millisecond: borrow the next one (ids stay unique and increasing).
        this.lastMs = ++ms
        this.seq = 0n
      }
    } else {
      this.lastMs = ms
      this.seq = 0n
    }
    return (ms << 22n) | (NODE_ID << 12n) | this.seq
  }
}
