/** The scenario catalogue. */
import { useEffect, useState } from 'react'
import type { ApiClient } from '../../../../shared/client'
import type { ScenarioInfo } from '../../../../shared/run'
import { errorText } from '../../api'
import type { Load } from '../../components/states'

export function useScenarios(api: ApiClient): Load<ScenarioInfo[]> {
  const [list, setList] = useState<Load<ScenarioInfo[]>>({ state: 'loading' })
  useEffect(() => {
    let live = true
    api
      .call('scenarios:list', {})
      .then((value) => live && setList({ state: 'ready', value }))
      .catch((e: unknown) => live && setList({ state: 'error', message: errorText(e) }))
    return () => {
      live = false
    }
  }, [api])
  return list
}
