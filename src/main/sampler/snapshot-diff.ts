/**
 * The difference of two memory-map snapshots, per mapping group (pure). Answers "what grew
 * between these two moments": the allocator's anonymous memory, the heap, a data file …
 */
import {
  MAPPING_KINDS,
  type MappingGroup,
  type MappingKind,
  type MemorySnapshot,
  type SnapshotDiff,
  type SnapshotDiffRow
} from '../../shared/snapshot'

export function diffSnapshots(before: MemorySnapshot, after: MemorySnapshot): SnapshotDiff {
  const beforeByKey = new Map(before.groups.map((g) => [g.key, g]))
  const afterByKey = new Map(after.groups.map((g) => [g.key, g]))
  const rows: SnapshotDiffRow[] = []
  for (const a of after.groups) rows.push(row(beforeByKey.get(a.key), a))
  for (const b of before.groups) if (!afterByKey.has(b.key)) rows.push(row(b, undefined))
  rows.sort(
    (x, y) =>
      y.deltaRssBytes - x.deltaRssBytes ||
      y.afterRssBytes - x.afterRssBytes ||
      (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)
  )
  const byKind = Object.fromEntries(
    MAPPING_KINDS.map((k) => {
      const b = before.byKind[k]?.rssBytes ?? 0
      const a = after.byKind[k]?.rssBytes ?? 0
      return [k, { deltaRssBytes: a - b, deltaPercent: percent(b, a) }]
    })
  ) as SnapshotDiff['byKind']
  return {
    beforeT: before.t,
    afterT: after.t,
    totalDeltaRssBytes: after.totals.rssBytes - before.totals.rssBytes,
    byKind,
    rows
  }
}

function row(b: MappingGroup | undefined, a: MappingGroup | undefined): SnapshotDiffRow {
  const g = (a ?? b)!
  const beforeRss = b?.rssBytes ?? 0
  const afterRss = a?.rssBytes ?? 0
  const delta = afterRss - beforeRss
  const status: SnapshotDiffRow['status'] =
    b === undefined
      ? 'new'
      : a === undefined
        ? 'gone'
        : delta > 0
          ? 'grew'
          : delta < 0
            ? 'shrank'
            : 'same'
  const label = a?.dataLabel ?? b?.dataLabel
  return {
    key: g.key,
    kind: kindOf(a, b),
    ...(label === undefined ? {} : { dataLabel: label }),
    beforeRssBytes: beforeRss,
    afterRssBytes: afterRss,
    deltaRssBytes: delta,
    deltaPercent: b === undefined ? null : percent(beforeRss, afterRss),
    deltaPssBytes: (a?.pssBytes ?? 0) - (b?.pssBytes ?? 0),
    deltaPrivateDirtyBytes: (a?.privateDirtyBytes ?? 0) - (b?.privateDirtyBytes ?? 0),
    deltaSwapBytes: (a?.swapBytes ?? 0) - (b?.swapBytes ?? 0),
    status
  }
}

function kindOf(a: MappingGroup | undefined, b: MappingGroup | undefined): MappingKind {
  return (a ?? b)!.kind
}

/** Change relative to before; null when there was nothing before to compare against. */
function percent(before: number, after: number): number | null {
  if (before === 0) return after === 0 ? 0 : null
  return ((after - before) / before) * 100
}
