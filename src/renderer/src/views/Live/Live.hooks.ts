/** The live series as chart specs, redrawn when the store's live version moves. */
import { useMemo } from 'react'
import { useLiveVersion, useStore } from '../../state/StoreContext'
import { liveCharts, type LiveChartId } from './Live.utils'
import type { ChartSpec } from '../../charts/spec'

export function useLiveCharts(): { charts: Record<LiveChartId, ChartSpec>; version: number } {
  const store = useStore()
  const version = useLiveVersion()
  // Specs hold the live arrays by reference; they are rebuilt only when reset swaps them.
  const series = store.live.series
  const latencyOp = store.live.latencyOp
  const charts = useMemo(() => liveCharts(store.live), [store, series, latencyOp])
  return { charts, version }
}
