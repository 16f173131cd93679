/** Sessions, one session in full, and its analysis: shared by Sessions, Investigation, Export. */
import { useCallback, useEffect, useState } from 'react'
import type { SessionSummary, SessionView } from '../../../shared/api'
import type { AnalysisResult } from '../../../shared/analysis'
import type { ApiClient } from '../../../shared/client'
import { errorText } from '../api'
import type { Load } from '../components/states'

export function useSessions(api: ApiClient): {
  sessions: Load<SessionSummary[]>
  refresh: () => void
} {
  const [sessions, setSessions] = useState<Load<SessionSummary[]>>({ state: 'loading' })
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let live = true
    api
      .call('sessions:list', {})
      .then((value) => live && setSessions({ state: 'ready', value }))
      .catch((e: unknown) => live && setSessions({ state: 'error', message: errorText(e) }))
    return () => {
      live = false
    }
  }, [api, tick])
  return { sessions, refresh: useCallback(() => setTick((t) => t + 1), []) }
}

export function useSessionView(api: ApiClient, dir: string | null): Load<SessionView> {
  const [view, setView] = useState<Load<SessionView>>({ state: 'idle' })
  useEffect(() => {
    if (!dir) return setView({ state: 'idle' })
    let live = true
    setView({ state: 'loading' })
    api
      .call('session:open', { dir })
      .then((value) => live && setView({ state: 'ready', value }))
      .catch((e: unknown) => live && setView({ state: 'error', message: errorText(e) }))
    return () => {
      live = false
    }
  }, [api, dir])
  return view
}

export function useAnalysis(api: ApiClient, dir: string | null): Load<AnalysisResult> {
  const [analysis, setAnalysis] = useState<Load<AnalysisResult>>({ state: 'idle' })
  useEffect(() => {
    if (!dir) return setAnalysis({ state: 'idle' })
    let live = true
    setAnalysis({ state: 'loading' })
    api
      .call('session:analyze', { dir })
      .then((value) => live && setAnalysis({ state: 'ready', value }))
      .catch((e: unknown) => live && setAnalysis({ state: 'error', message: errorText(e) }))
    return () => {
      live = false
    }
  }, [api, dir])
  return analysis
}
