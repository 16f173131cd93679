// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ConnectionReconciliation } from '../../../../shared/analysis'
import { ProfilerError } from '../../../../shared/errors'
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

// jsdom has no canvas: the real HistogramChart renders, Chart.js itself is replaced by a
// recorder of the configuration it would have drawn.
const barCharts = vi.hoisted(() => [] as { config: unknown }[])
vi.mock('../../charts/bar-setup', () => ({
  createBarChart: (_canvas: unknown, config: unknown) => {
    barCharts.push({ config })
    return { destroy: () => undefined }
  }
}))

afterEach(() => {
  cleanup()
  barCharts.length = 0
})

/** Never settles: the view stays in its loading state. */
const pending = <T,>(): Promise<T> => new Promise<T>(() => undefined)

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

  it('says when the chart of a long recording is drawn from a share of its samples', async () => {
    const fake = api()
    await renderWithStore(<Investigation />, fake)
    await screen.findByRole('figure', { name: 'Memory with fitted trend' })
    expect(screen.queryByText(/Drawn from/)).toBeNull()
    cleanup()
    fake.handle({ 'session:open': () => sessionView({ sampleCount: 288_000 }) })
    await renderWithStore(<Investigation />, fake)
    expect(await screen.findByText(/Drawn from 4 of 288,000 samples/)).toBeTruthy()
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

  it('says when bytes per insert were measured before any flush', async () => {
    const fake = api()
    fake.handle({
      'session:analyze': () =>
        analysis({
          attribution: [
            {
              metric: 'heapBytes',
              per: 'insert',
              bytesPerUnit: 2048,
              ci95: [1900, 2200],
              r2: 0.74,
              beforeFlush: true
            }
          ]
        })
    })
    await renderWithStore(<Investigation />, fake)
    const table = await screen.findByRole('table', { name: 'What memory grows with' })
    expect(table.textContent).toMatch(
      /2\.0 KiB .* — no flush in the window: includes the rows the server holds until one/
    )
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

describe('Investigation latency histogram', () => {
  const HISTOGRAMS = {
    insert: [
      { fromMs: 0.5, toMs: 1, count: 90 },
      { fromMs: 1, toMs: 2, count: 0 },
      { fromMs: 2, toMs: 5, count: 10 }
    ],
    query: [{ fromMs: 1, toMs: 2, count: 0 }]
  }

  it('draws a bar chart per operation with latency (ms) and count on the axes', async () => {
    const fake = api()
    fake.handle({ 'session:open': () => ({ ...sessionView(), latencyHistograms: HISTOGRAMS }) })
    await renderWithStore(<Investigation />, fake)
    const group = await screen.findByRole('group', { name: 'Latency histograms' })
    const fig = await screen.findByRole('figure', { name: 'insert latency histogram' })
    expect(group.contains(fig)).toBe(true)
    // An operation with nothing recorded gets no empty chart.
    expect(screen.queryByRole('figure', { name: 'query latency histogram' })).toBeNull()
    expect(
      screen.getByRole('img', { name: /^insert latency histogram: 100 inserts; most \(90\)/ })
    ).toBeTruthy()
    await waitFor(() => expect(barCharts.length).toBe(1))
    const config = barCharts[0]!.config as {
      type: string
      data: { labels: string[]; datasets: { data: number[] }[] }
      options: { scales: { x: { title: { text: string } }; y: { title: { text: string } } } }
    }
    expect(config.type).toBe('bar')
    expect(config.data.labels).toEqual(['0.5–1 ms', '1–2 ms', '2–5 ms'])
    expect(config.data.datasets[0]!.data).toEqual([90, 0, 10])
    expect(config.options.scales.x.title.text).toBe('latency (ms)')
    expect(config.options.scales.y.title.text).toBe('inserts (count)')
    // The bars are also a table for screen readers.
    expect(screen.getByRole('table', { name: 'insert latency histogram' }).textContent).toMatch(
      /0\.5–1 ms90.*2–5 ms10/
    )
  })

  it('says when a session has percentiles but no histogram', async () => {
    const fake = api()
    fake.handle({
      'session:open': () => ({
        ...sessionView(),
        latency: {
          schemaVersion: 1,
          unit: 'us',
          operations: {
            insert: {
              count: 5,
              minUs: 100,
              maxUs: 900,
              meanUs: 300,
              p50Us: 200,
              p90Us: 800,
              p95Us: 800,
              p99Us: 900,
              p999Us: 900
            }
          }
        }
      })
    })
    await renderWithStore(<Investigation />, fake)
    expect(await screen.findByText(/No latency histogram in this session/)).toBeTruthy()
    expect(screen.queryByRole('group', { name: 'Latency histograms' })).toBeNull()
    expect(barCharts).toEqual([])
  })
})

describe('Investigation states', () => {
  it('says what to do when there is no session yet', async () => {
    const fake = api()
    fake.handle({ 'sessions:list': () => [] })
    await renderWithStore(<Investigation />, fake)
    expect(await screen.findByText(/No session to investigate yet/)).toBeTruthy()
    expect(fake.calls.some(([n]) => n === 'session:analyze')).toBe(false)
    // Snapshots of the attached process still work without a session.
    expect(screen.getByRole('button', { name: 'Take snapshot now' })).toBeTruthy()
  })

  it('shows that it is reading the sessions, then analysing and opening one', async () => {
    const fake = api()
    let list = (): void => undefined
    fake.handle({
      'sessions:list': () =>
        new Promise((resolve) => {
          list = () => resolve([sessionSummary()])
        }),
      'session:analyze': () => pending(),
      'session:open': () => pending()
    })
    await renderWithStore(<Investigation />, fake)
    expect((await screen.findByText('Reading sessions…')).getAttribute('role')).toBe('status')
    list()
    expect((await screen.findByText('Analysing…')).getAttribute('role')).toBe('status')
    expect(screen.queryByLabelText('Analysis')).toBeNull()
  })

  it('shows that it is opening a session once the analysis is in', async () => {
    const fake = api()
    fake.handle({ 'session:open': () => pending() })
    await renderWithStore(<Investigation />, fake)
    await screen.findByLabelText('Analysis')
    expect((await screen.findByText('Opening the session…')).getAttribute('role')).toBe('status')
  })

  it('reports API errors as alerts instead of an empty page', async () => {
    const fake = api()
    fake.handle({
      'session:analyze': () => {
        throw new ProfilerError('SESSION_INVALID', 'samples.ndjson is unreadable')
      },
      'session:open': () => {
        throw new ProfilerError('SESSION_INVALID', 'session.json is missing')
      }
    })
    await renderWithStore(<Investigation />, fake)
    expect(
      (
        await screen.findByText('Could not analyse this session: samples.ndjson is unreadable')
      ).getAttribute('role')
    ).toBe('alert')
    expect(
      screen.getByText('Could not open this session: session.json is missing').getAttribute('role')
    ).toBe('alert')
  })

  it('reports a session list that cannot be read', async () => {
    const fake = api()
    fake.handle({
      'sessions:list': () => {
        throw new ProfilerError('PERMISSION_DENIED', 'permission denied: /s')
      }
    })
    await renderWithStore(<Investigation />, fake)
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toBe('Could not list sessions: permission denied: /s')
  })
})
