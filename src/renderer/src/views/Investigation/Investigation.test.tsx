// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ConnectionReconciliation } from '../../../../shared/analysis'
import { MAPPING_KINDS } from '../../../../shared/snapshot'
import { createFakeApi } from '../../test/fake-api'
import {
  analysis,
  appInfo,
  appState,
  attachment,
  sessionSummary,
  sessionView,
  T0
} from '../../test/factories'
import { renderWithStore } from '../../test/render'
import { Investigation } from './Investigation'

vi.mock('../../charts/TimeSeriesChart', () => ({
  TimeSeriesChart: ({ spec }: { spec: { title: string } }) => <figure aria-label={spec.title} />
}))

afterEach(cleanup)

const snap = (id: string, t: number) => ({ id, t, pid: 4242, label: id, rssBytes: 100 })

const STALE = { expected: 25, sockets: 40, serverReported: 40, stale: true }

function api(connections: ConnectionReconciliation = STALE) {
  return createFakeApi({
    'app:info': () => appInfo(),
    'app:state': () => appState({ attachment: attachment() }),
    'live:history': () => ({ samples: [], events: [] }),
    'sessions:list': () => [sessionSummary()],
    'session:open': () => sessionView(),
    'session:analyze': () => analysis({ connections }),
    'snapshots:list': () => [snap('live:1', T0), snap('live:2', T0 + 1000)],
    'snapshot:take': () => snap('live:3', T0 + 2000),
    'snapshots:diff': () => ({
      beforeT: T0,
      afterT: T0 + 1000,
      totalDeltaRssBytes: 3 * 1024 * 1024,
      byKind: Object.fromEntries(
        MAPPING_KINDS.map((k) => [k, { deltaRssBytes: 0, deltaPercent: null }])
      ) as never,
      rows: [
        {
          key: 'anonymous',
          kind: 'anonymous',
          beforeRssBytes: 1024,
          afterRssBytes: 3 * 1024 * 1024 + 1024,
          deltaRssBytes: 3 * 1024 * 1024,
          deltaPercent: 300,
          deltaPssBytes: 0,
          deltaPrivateDirtyBytes: 0,
          deltaSwapBytes: 0,
          status: 'grew'
        }
      ]
    })
  })
}

describe('Investigation', () => {
  it('opens the newest session and gives the answer in words before the evidence', async () => {
    await renderWithStore(<Investigation />, api())
    const answer = await screen.findByLabelText('Analysis')
    expect(answer.textContent).toMatch(/Leaks ≈ 38\.0 MiB\/min in heap, ≈ 1\.9 KiB per insert\./)
    expect(screen.getByRole('figure', { name: 'Memory with fitted trend' })).toBeTruthy()
    expect(screen.getByRole('table', { name: 'Growth by metric' }).textContent).toMatch(
      /heap.*leak.*60\.0 MiB.*98\.0 MiB/
    )
    expect(screen.getByRole('table', { name: 'What memory grows with' }).textContent).toMatch(
      /insert.*1\.9 KiB/
    )
    expect(screen.getByText(/They disagree after the grace period/)).toBeTruthy()
  })

  it('takes a snapshot now and diffs two', async () => {
    const fake = api()
    await renderWithStore(<Investigation />, fake)
    await userEvent.click(await screen.findByRole('button', { name: 'Take snapshot now' }))
    await waitFor(() => expect(fake.calls.some(([n]) => n === 'snapshot:take')).toBe(true))
    const compare = screen.getByRole('button', { name: 'Compare snapshots' })
    await waitFor(() => expect((compare as HTMLButtonElement).disabled).toBe(false))
    await userEvent.click(compare)
    const table = await screen.findByRole('table', { name: /Largest changes by mapping/ })
    expect(table.textContent).toMatch(/anonymous.*1\.0 KiB.*3\.0 MiB.*300\.0%/)
  })

  it('never says the connections agree when the run ended within the grace period', async () => {
    await renderWithStore(
      <Investigation />,
      api({ expected: 0, sockets: 4, serverReported: 0, stale: false, judgedFrom: null })
    )
    const status = await screen.findByText(/^Not judged: the run ended within the grace period/)
    expect(status.getAttribute('role')).toBe('status')
    expect(screen.queryByText(/agree/)).toBeNull()
  })
})
