/** Process discovery for the Targets view. */
import { useCallback, useEffect, useState } from 'react'
import type { Target } from '../../../../shared/api'
import type { ApiClient } from '../../../../shared/client'
import { errorText } from '../../api'
import type { Load } from '../../components/states'

export function useTargets(
  api: ApiClient,
  all: boolean
): { targets: Load<Target[]>; refresh: () => void } {
  const [targets, setTargets] = useState<Load<Target[]>>({ state: 'loading' })
  const refresh = useCallback(() => {
    let live = true
    setTargets({ state: 'loading' })
    api
      .call('targets:list', { all })
      .then((value) => live && setTargets({ state: 'ready', value }))
      .catch((e: unknown) => live && setTargets({ state: 'error', message: errorText(e) }))
    return () => {
      live = false
    }
  }, [api, all])
  useEffect(() => refresh(), [refresh])
  return { targets, refresh: () => void refresh() }
}
