// @vitest-environment jsdom
import { act, cleanup, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createFakeApi } from '../../test/fake-api'
import { appInfo, appState, attachment, sample, T0 } from '../../test/factories'
import { renderWithStore } from '../../test/render'
import { Live } from './Live'

vi.mock('../../charts/TimeSeriesChart', () => ({
  TimeSeriesChart: ({
    spec,
    summary
  }: {
    spec: { title: string; datasets: { data: unknown[] }[] }
    summary: string
  }) => (
    <figure
      aria-label={spec.title}
      data-points={spec.datasets.reduce((n, d) => n + d.data.length, 0)}
    >
      {summary}
    </figure>
  )
}))

afterEach(cleanup)

function api(
  state = appState({
    attachment: attachment(),
    live: { intervalMs: 1000, pollServer: true, sampling: true }
  })
) {
  return createFakeApi({
    'app:info': () => appInfo(),
    'app:state': () => state,
    'live:history': () => ({ samples: [sample({ t: T0 })], events: [] }),
    'live:configure': (r) => ({
      intervalMs: r.intervalMs ?? 1000,
      pollServer: r.pollServer ?? true
    })
  })
}

describe('Live', () => {
  it('asks to attach first when there is nothing to show', async () => {
    await renderWithStore(<Live />, api(appState()))
    expect(screen.getByText(/attach to a KalamDB process/)).toBeTruthy()
  })

  it('draws the history, then each batch of samples, with units in the text alternative', async () => {
    const fake = api()
    await renderWithStore(<Live />, fake, 'live')
    const memory = () => screen.getByRole('figure', { name: 'Memory' })
    await waitFor(() => expect(memory().getAttribute('data-points')).toBe('4'))
    act(() =>
      fake.emit('onSamples', {
        samples: [sample({ t: T0 + 1000 }), sample({ t: T0 + 2000, rssBytes: 200 * 1024 * 1024 })]
      })
    )
    expect(memory().getAttribute('data-points')).toBe('12')
    expect(memory().textContent).toMatch(/^RSS 200\.0 MiB/)
    expect(screen.getByRole('status').textContent).toBe('Sampling pid 4242 every 1.0 s')
    for (const title of [
      'CPU',
      'WebSocket connections',
      'Notifications',
      'Latency',
      'Overload answers (429 / 503)'
    ])
      expect(screen.getByRole('figure', { name: title })).toBeTruthy()
  })

  it('changes the sampling interval and server polling', async () => {
    const fake = api()
    await renderWithStore(<Live />, fake, 'live')
    await userEvent.selectOptions(screen.getByRole('combobox', { name: /Sample every/ }), '250')
    await userEvent.click(screen.getByRole('checkbox', { name: /Poll server statistics/ }))
    const calls = fake.calls.filter(([n]) => n === 'live:configure').map(([, r]) => r)
    expect(calls).toEqual([{ intervalMs: 250 }, { pollServer: false }])
  })
})
