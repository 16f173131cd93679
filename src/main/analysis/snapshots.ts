/**
 * Snapshot diff of a session: its first and last memory-map snapshot (by time), when it holds
 * two that parse as snapshots.
 */
import type { SnapshotDiff, MemorySnapshot } from '../../shared/snapshot'
import type { SessionData } from '../../shared/session'
import { diffSnapshots } from '../sampler/snapshot-diff'

export function sessionSnapshotDiff(snapshots: SessionData['snapshots']): SnapshotDiff | null {
  const valid = snapshots
    .map((s) => s.snapshot)
    .filter(isSnapshot)
    .sort((a, b) => a.t - b.t)
  if (valid.length < 2) return null
  return diffSnapshots(valid[0] as MemorySnapshot, valid[valid.length - 1] as MemorySnapshot)
}

function isSnapshot(v: unknown): v is MemorySnapshot {
  const s = v as Partial<MemorySnapshot> | null
  return (
    !!s &&
    typeof s.t === 'number' &&
    Array.isArray(s.groups) &&
    !!s.totals &&
    typeof s.totals.rssBytes === 'number' &&
    !!s.byKind &&
    typeof s.byKind === 'object'
  )
}
