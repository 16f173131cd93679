/**
 * Row storage of one table partition, shaped like KalamDB's: a bounded in-memory memtable of
 * latest row versions, flushed into immutable segment files under the data directory (the
 * simulator's stand-in for RocksDB SST + Parquet batches). After a flush the rows leave the
 * process's memory; reads merge the memtable with the segments (newest version wins, deletes
 * are tombstones), loading segments lazily through a small LRU cache, pruned by each
 * segment's primary-key range and bloom filter.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import type { Row } from './eval'
import { approxSize, compareValues, type Column, type Value } from './types'

/** Parsed segments kept in memory at most (the rest are re-read from disk when needed). */
const SEGMENT_CACHE_ENTRIES = 4
const BLOOM_BITS_PER_ROW = 10
/** Rows encoded and written per write during a flush. */
const FLUSH_CHUNK_ROWS = 500

type Key = Value

interface Segment {
  file: string
  rowCount: number
  bytes: number
  minKey: Key
  maxKey: Key
  bloom: Uint8Array
}

/** Shared across partitions: bounded cache of parsed segment rows. */
class SegmentCache {
  private readonly entries = new Map<string, Row[]>()

  get(file: string, load: () => Row[]): Row[] {
    const hit = this.entries.get(file)
    if (hit) {
      this.entries.delete(file)
      this.entries.set(file, hit)
      return hit
    }
    const rows = load()
    this.entries.set(file, rows)
    while (this.entries.size > SEGMENT_CACHE_ENTRIES) {
      this.entries.delete(this.entries.keys().next().value!)
    }
    return rows
  }

  drop(file: string): void {
    this.entries.delete(file)
  }
}

export const segmentCache = new SegmentCache()

export class Partition {
  memtable = new Map<Key, Row>()
  memBytes = 0
  /** The memtable being written out (readable until its segment exists). */
  flushing: Row[] | null = null
  readonly segments: Segment[] = []
  /** Exact number of live (not deleted) rows, so COUNT(*) needs no scan. */
  liveCount = 0
  /** Time of the oldest write not yet flushed (interval flush policy). */
  oldestWriteAt = 0
  private nextBatch = 0

  constructor(
    readonly dir: string,
    private readonly columns: readonly Column[],
    private readonly pkIndex: number
  ) {}

  keyOf(row: Row): Key {
    return this.pkIndex < 0 ? row.seq : (row.values[this.pkIndex] ?? null)
  }

  /** The latest version of the row with this key, or undefined (deleted rows are undefined). */
  get(key: Key): Row | undefined {
    const mem = this.memtable.get(key)
    if (mem) return mem.deleted ? undefined : mem
    if (this.flushing) {
      const r = binarySearch(this.flushing, key, (row) => this.keyOf(row))
      if (r) return r.deleted ? undefined : r
    }
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const seg = this.segments[i]!
      if (compareValues(key, seg.minKey) < 0 || compareValues(key, seg.maxKey) > 0) continue
      if (!bloomHas(seg.bloom, key)) continue
      const r = binarySearch(this.load(seg), key, (row) => this.keyOf(row))
      if (r) return r.deleted ? undefined : r
    }
    return undefined
  }

  /** Writes a new version (insert, update or tombstone). */
  put(row: Row, now: number): void {
    const key = this.keyOf(row)
    const prev = this.memtable.get(key)
    if (prev) this.memBytes -= approxSize(prev.values)
    this.memtable.set(key, row)
    this.memBytes += approxSize(row.values)
    if (this.oldestWriteAt === 0) this.oldestWriteAt = now
  }

  /** Removes a row from memory only (stream-table TTL eviction; streams are never flushed). */
  evict(key: Key): void {
    const prev = this.memtable.get(key)
    if (!prev) return
    this.memBytes -= approxSize(prev.values)
    this.memtable.delete(key)
    if (!prev.deleted) this.liveCount--
  }

  /**
   * Latest live rows in primary-key order (ascending or descending), merged lazily from the
   * memtable, the flushing memtable and the segments: a segment is read only when the scan
   * reaches its key range, so `ORDER BY pk DESC LIMIT 10` touches one segment.
   */
  *scan(desc = false): Generator<Row> {
    const keyOf = (r: Row): Key => this.keyOf(r)
    const cmp = desc
      ? (a: Key, b: Key): number => compareValues(b, a)
      : (a: Key, b: Key): number => compareValues(a, b)
    interface Source {
      rows: Row[]
      idx: number
      priority: number
    }
    const heads: Source[] = []
    const addSource = (rows: Row[], priority: number): void => {
      if (rows.length === 0) return
      heads.push({ rows: desc ? rows.slice().reverse() : rows, idx: 0, priority })
    }
    const memRows = Array.from(this.memtable.values()).sort((a, b) =>
      compareValues(keyOf(a), keyOf(b))
    )
    addSource(memRows, this.segments.length + 1)
    if (this.flushing) addSource(this.flushing, this.segments.length)
    // Segments not yet loaded, in the order the scan reaches their first key.
    const pending = this.segments
      .map((seg, priority) => ({ seg, priority, first: desc ? seg.maxKey : seg.minKey }))
      .sort((a, b) => cmp(a.first, b.first))
    for (;;) {
      let best: Source | undefined
      for (const h of heads) {
        if (h.idx >= h.rows.length) continue
        if (!best) best = h
        else {
          const c = cmp(keyOf(h.rows[h.idx]!), keyOf(best.rows[best.idx]!))
          if (c < 0 || (c === 0 && h.priority > best.priority)) best = h
        }
      }
      while (
        pending.length > 0 &&
        (!best || cmp(pending[0]!.first, keyOf(best.rows[best.idx]!)) <= 0)
      ) {
        const p = pending.shift()!
        addSource(this.load(p.seg), p.priority)
        const h = heads[heads.length - 1]!
        if (
          !best ||
          cmp(keyOf(h.rows[0]!), keyOf(best.rows[best.idx]!)) < 0 ||
          (cmp(keyOf(h.rows[0]!), keyOf(best.rows[best.idx]!)) === 0 && h.priority > best.priority)
        ) {
          best = h
        }
      }
      if (!best) return
      const row = best.rows[best.idx]!
      const key = keyOf(row)
      for (const h of heads) {
        while (h.idx < h.rows.length && compareValues(keyOf(h.rows[h.idx]!), key) === 0) h.idx++
      }
      for (let i = heads.length - 1; i >= 0; i--) {
        if (heads[i]!.idx >= heads[i]!.rows.length) heads.splice(i, 1)
      }
      if (!row.deleted) yield row
    }
  }

  /** Moves the memtable aside for writing; null when there is nothing to flush. */
  beginFlush(): Row[] | null {
    if (this.memtable.size === 0 || this.flushing) return null
    const rows = Array.from(this.memtable.values()).sort((a, b) =>
      compareValues(this.keyOf(a), this.keyOf(b))
    )
    this.flushing = rows
    this.memtable = new Map()
    this.memBytes = 0
    this.oldestWriteAt = 0
    return rows
  }

  /** Writes the flushing rows as a new segment; returns the file's size in bytes. */
  async completeFlush(rows: Row[]): Promise<number> {
    try {
      mkdirSync(this.dir, { recursive: true })
      const file = join(this.dir, `batch-${this.nextBatch++}.ndjson`)
      const bytes = await this.writeSegment(file, rows)
      const bloom = new Uint8Array(Math.ceil(Math.max(64, rows.length * BLOOM_BITS_PER_ROW) / 8))
      for (const r of rows) bloomAdd(bloom, this.keyOf(r))
      this.segments.push({
        file,
        rowCount: rows.length,
        bytes,
        minKey: this.keyOf(rows[0]!),
        maxKey: this.keyOf(rows[rows.length - 1]!),
        bloom
      })
      return bytes
    } finally {
      this.flushing = null
    }
  }

  /**
   * Writes rows as NDJSON a chunk at a time: the whole text of a 10,000-row memtable at once
   * (its lines, the joined string and the buffer written) would be a 5-10 MiB spike in RSS
   * at every flush, which a profiler reads as the server's memory.
   */
  private async writeSegment(file: string, rows: readonly Row[]): Promise<number> {
    const fh = await open(file, 'w')
    let bytes = 0
    try {
      for (let i = 0; i < rows.length; i += FLUSH_CHUNK_ROWS) {
        let text = ''
        const end = Math.min(rows.length, i + FLUSH_CHUNK_ROWS)
        for (let j = i; j < end; j++) text += encodeLine(rows[j]!, this.columns) + '\n'
        const buf = Buffer.from(text)
        await fh.write(buf)
        bytes += buf.length
      }
    } finally {
      await fh.close()
    }
    return bytes
  }

  get segmentBytes(): number {
    let n = 0
    for (const s of this.segments) n += s.bytes
    return n
  }

  destroy(): void {
    for (const s of this.segments) segmentCache.drop(s.file)
    rmSync(this.dir, { recursive: true, force: true })
  }

  private load(seg: Segment): Row[] {
    return segmentCache.get(seg.file, () =>
      readFileSync(seg.file, 'utf8')
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => decodeLine(l, this.columns))
    )
  }
}

function encodeLine(r: Row, columns: readonly Column[]): string {
  const cells: unknown[] = [r.seq.toString(), r.deleted ? 1 : 0]
  for (let i = 0; i < columns.length; i++) {
    const v = r.values[i] ?? null
    cells.push(typeof v === 'bigint' ? v.toString() : v)
  }
  return JSON.stringify(cells)
}

function decodeLine(line: string, columns: readonly Column[]): Row {
  const cells = JSON.parse(line) as unknown[]
  const values: Value[] = []
  for (let i = 0; i < columns.length; i++) {
    const v = cells[i + 2] as Value
    values.push(columns[i]!.type === 'BigInt' && typeof v === 'string' ? BigInt(v) : v)
  }
  return { seq: BigInt(cells[0] as string), deleted: cells[1] === 1, values }
}

function binarySearch(rows: Row[], key: Key, keyOf: (r: Row) => Key): Row | undefined {
  let lo = 0
  let hi = rows.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const c = compareValues(keyOf(rows[mid]!), key)
    if (c === 0) return rows[mid]
    if (c < 0) lo = mid + 1
    else hi = mid - 1
  }
  return undefined
}

function hashes(key: Key): [number, number] {
  const s = typeof key === 'bigint' ? key.toString() : String(key)
  let h1 = 0x811c9dc5
  let h2 = 0x01000193
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 0x01000193)
    h2 = Math.imul(h2 ^ c, 0x5bd1e995)
  }
  return [h1 >>> 0, h2 >>> 0]
}

function bloomAdd(bits: Uint8Array, key: Key): void {
  const [a, b] = hashes(key)
  const m = bits.length * 8
  for (let k = 0; k < 3; k++) {
    const bit = (a + k * b) % m
    bits[bit >> 3]! |= 1 << (bit & 7)
  }
}

function bloomHas(bits: Uint8Array, key: Key): boolean {
  const [a, b] = hashes(key)
  const m = bits.length * 8
  for (let k = 0; k < 3; k++) {
    const bit = (a + k * b) % m
    if ((bits[bit >> 3]! & (1 << (bit & 7))) === 0) return false
  }
  return true
}
