// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { BenchList, BenchSummary } from '../../../../shared/api'
import type { CompareMetric, CompareResult } from '../../../../shared/compare'
import { ProfilerError } from '../../../../shared/errors'
import { createFakeApi } from '../../test/fake-api'
import { appInfo, appState } from '../../test/factories'
import { renderWithStore } from '../../test/render'
import { benchRows, changeText, directionText, significanceText } from './Bench.utils'
import { Sessions } from './Sessions'

vi.mock('../../charts/TimeSeriesChart', () => ({
  TimeSeriesChart: () => <figure />
}))

afterEach(cleanup)

const T0 = new Date(2026, 4, 1, 12, 0, 0).getTime()

function bench(o: Partial<BenchSummary> = {}): BenchSummary {
  return {
    path: '/w/profiler-bench/0.4.3/2026-05-01-120000.json',
    label: 'profiler-bench/0.4.3/2026-05-01-120000.json',
    dir: '/w/profiler-bench',
    version: '0.4.3',
    build: null,
    url: 'http://127.0.0.1:8080',
    startedAt: T0,
    endedAt: T0 + 95_000,
    quick: true,
    benchmarks: 8,
    failed: 0,
    targetsPassed: 5,
    targetsFailed: 1,
    ...o
  }
}

const OLD = bench()
const NEW = bench({
  path: '/w/profiler-bench/0.4.4+01234567/2026-05-02-120000.json',
  label: 'profiler-bench/0.4.4+01234567/2026-05-02-120000.json',
  version: '0.4.4',
  build: '01234567',
  startedAt: T0 + 86_400_000,
  endedAt: null,
  quick: false,
  failed: 1
})

function metric(o: Partial<CompareMetric> = {}): CompareMetric {
  return {
    id: 'bench.write-latency.p25',
    name: 'write latency p25',
    group: 'benchmark',
    unit: 'ms',
    better: 'lower',
    a: 1.02,
    b: 19.03,
    change: 17.65,
    delta: 18.01,
    pValue: 0.0000001,
    test: 'Mann–Whitney U',
    significant: true,
    direction: 'worse',
    reason: '+1765%, p < 0.001: worse beyond the noise of the two runs.',
    counts: true,
    ...o
  }
}

function comparison(o: Partial<CompareResult> = {}): CompareResult {
  const side = { label: OLD.label, kind: 'bench' as const, startedAt: T0, version: '0.4.3' }
  return {
    schemaVersion: 1,
    kind: 'bench',
    verdict: 'regression',
    summary: 'B is worse than A: write latency p25 +1765%.',
    a: side,
    b: { ...side, label: NEW.label, version: '0.4.4' },
    settings: { alpha: 0.05, noise: 0.1, memoryNoise: 0.02 },
    metrics: [
      metric({
        id: 'bench.sustained-write.throughput.median',
        name: 'sustained write throughput median',
        unit: 'rows/s',
        better: 'higher',
        a: 1000,
        b: 995,
        change: -0.005,
        delta: -5,
        significant: false,
        direction: 'same',
        reason: 'within the noise band.'
      }),
      metric({
        id: 'bench.write-latency.median',
        name: 'write latency median',
        counts: false,
        significant: false,
        direction: 'same',
        contextDirection: 'worse'
      }),
      metric()
    ],
    notes: ['KalamDB version: A 0.4.3, B 0.4.4.'],
    ...o
  }
}

function api(
  list: BenchList = { dirs: ['/w/profiler-bench'], results: [NEW, OLD], unreadable: [] }
) {
  return createFakeApi({
    'app:info': () => appInfo(),
    'app:state': () => appState(),
    'sessions:list': () => [],
    'bench:list': () => list,
    'bench:compare': () => comparison()
  })
}

async function openBenchTab(): Promise<void> {
  await userEvent.click(await screen.findByRole('tab', { name: 'Bench results' }))
}

describe('Sessions: bench results', () => {
  it('is a tab of the Sessions view, reachable with the arrow keys', async () => {
    const fake = api()
    await renderWithStore(<Sessions />, fake)
    const sessionsTab = await screen.findByRole('tab', { name: 'Recorded sessions' })
    expect(sessionsTab.getAttribute('aria-selected')).toBe('true')
    expect(fake.calls.some(([n]) => n === 'bench:list')).toBe(false)
    sessionsTab.focus()
    await userEvent.keyboard('{ArrowRight}')
    const benchTab = screen.getByRole('tab', { name: 'Bench results' })
    expect(benchTab.getAttribute('aria-selected')).toBe('true')
    expect(document.activeElement).toBe(benchTab)
    expect(screen.getByRole('tabpanel', { name: 'Bench results' })).toBeTruthy()
    expect(await screen.findByRole('table', { name: /Saved bench results/ })).toBeTruthy()
    await userEvent.keyboard('{Home}')
    expect(screen.getByRole('tabpanel', { name: 'Recorded sessions' })).toBeTruthy()
  })

  it('lists saved results with version, build, date, quick or full and targets', async () => {
    await renderWithStore(<Sessions />, api())
    await openBenchTab()
    const table = await screen.findByRole('table', { name: 'Saved bench results, newest first' })
    const rows = within(table).getAllByRole('row')
    expect(rows).toHaveLength(3)
    expect(rows[1]!.textContent).toMatch(
      /0\.4\.4 \(build 01234567\)2026-05-02 12:00:00full81 failed5 met, 1 missed.*0\.4\.4\+01234567/
    )
    expect(rows[2]!.textContent).toMatch(/0\.4\.32026-05-01 12:00:00 · 1m 35squick8/)
    expect(screen.getByText('Folders: /w/profiler-bench')).toBeTruthy()
  })

  it('compares the two picked results: verdict in words and a table of metrics', async () => {
    const fake = api()
    await renderWithStore(<Sessions />, fake)
    await openBenchTab()
    const compare = await screen.findByRole('button', { name: /Compare selected bench results/ })
    expect(compare.hasAttribute('disabled')).toBe(true)
    await userEvent.click(
      screen.getByRole('checkbox', { name: `Select ${OLD.label} for comparison` })
    )
    await userEvent.click(
      screen.getByRole('checkbox', { name: `Select ${NEW.label} for comparison` })
    )
    expect(compare.textContent).toBe('Compare selected bench results (2 of 2)')
    await userEvent.click(compare)
    const region = screen.getByRole('region', { name: 'Bench comparison' })
    expect(await within(region).findByText('Regression: B is worse than A')).toBeTruthy()
    expect(fake.calls.find(([n]) => n === 'bench:compare')?.[1]).toEqual({
      a: OLD.path,
      b: NEW.path
    })
    expect(region.textContent).toMatch(/A \(reference\): 0\.4\.3.*B \(candidate\): 0\.4\.4/)
    expect(within(region).getByRole('status').textContent).toMatch(/write latency p25 \+1765%/)
    const table = within(region).getByRole('table', { name: /Bench metrics, A against B/ })
    const rows = within(table).getAllByRole('row')
    expect(rows.map((r) => within(r).queryAllByRole('columnheader').length)).toEqual([6, 0, 0, 0])
    expect(rows[1]!.textContent).toMatch(
      /write latency p25.*1\.02 ms19\.0 ms\+18\.0 ms \(\+1765\.0%\)significantworse \(lower is better\)/
    )
    expect(rows[2]!.textContent).toMatch(
      /sustained write throughput median.*1,000 rows\/s995 rows\/s−5\.0 rows\/s \(−0\.5%\)within noisesame \(higher is better\)/
    )
    expect(rows[3]!.textContent).toMatch(/context onlyworse \(not counted; lower is better\)/)
    expect(within(region).getByRole('list', { name: 'Notes on this comparison' }).textContent).toBe(
      'KalamDB version: A 0.4.3, B 0.4.4.'
    )
  })

  it('swaps A and B', async () => {
    const fake = api()
    await renderWithStore(<Sessions />, fake)
    await openBenchTab()
    await userEvent.click(
      await screen.findByRole('checkbox', { name: `Select ${OLD.label} for comparison` })
    )
    await userEvent.click(
      screen.getByRole('checkbox', { name: `Select ${NEW.label} for comparison` })
    )
    await userEvent.click(screen.getByRole('button', { name: /Compare selected bench results/ }))
    await userEvent.click(screen.getByRole('button', { name: 'Swap A and B' }))
    await waitFor(() =>
      expect(fake.calls.filter(([n]) => n === 'bench:compare').at(-1)?.[1]).toEqual({
        a: NEW.path,
        b: OLD.path
      })
    )
  })

  it('says so when the folder has no saved result, and names unreadable files', async () => {
    await renderWithStore(
      <Sessions />,
      api({
        dirs: ['/w/profiler-bench'],
        results: [],
        unreadable: [
          { path: '/w/profiler-bench/x.json', reason: 'profiler-bench/x.json is not JSON' }
        ]
      })
    )
    await openBenchTab()
    expect(await screen.findByText(/No saved bench results in \/w\/profiler-bench/)).toBeTruthy()
    expect(screen.getByText('1 file in the folder is not a readable bench result')).toBeTruthy()
    expect(screen.getByText('profiler-bench/x.json is not JSON')).toBeTruthy()
    expect(screen.queryByRole('table')).toBeNull()
  })

  it('shows that it is reading, then an error that a refresh clears', async () => {
    const fake = api()
    let release = (): void => undefined
    fake.handle({
      'bench:list': () =>
        new Promise((_, reject) => {
          release = () => reject(new ProfilerError('PERMISSION_DENIED', 'permission denied: /w'))
        })
    })
    await renderWithStore(<Sessions />, fake)
    await openBenchTab()
    expect((await screen.findByText('Reading bench results…')).getAttribute('role')).toBe('status')
    release()
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Could not list bench results: permission denied: /w'
    )
    fake.handle({ 'bench:list': () => ({ dirs: ['/w'], results: [OLD, NEW], unreadable: [] }) })
    await userEvent.click(screen.getByRole('button', { name: 'Refresh bench results' }))
    expect(await screen.findByRole('table', { name: /Saved bench results/ })).toBeTruthy()
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('reports a comparison the engine refused', async () => {
    const fake = api()
    fake.handle({
      'bench:compare': () => {
        throw new ProfilerError('BAD_INPUT', 'profiler-bench/x.json is not a readable bench result')
      }
    })
    await renderWithStore(<Sessions />, fake)
    await openBenchTab()
    await userEvent.click(
      await screen.findByRole('checkbox', { name: `Select ${OLD.label} for comparison` })
    )
    await userEvent.click(
      screen.getByRole('checkbox', { name: `Select ${NEW.label} for comparison` })
    )
    await userEvent.click(screen.getByRole('button', { name: /Compare selected bench results/ }))
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Could not compare these bench results: profiler-bench/x.json is not a readable bench result'
    )
    expect(screen.queryByRole('table', { name: /Bench metrics/ })).toBeNull()
  })
})

describe('Bench.utils', () => {
  it('words the change with its unit, the significance and the direction', () => {
    expect(changeText(metric())).toBe('+18.0 ms (+1765.0%)')
    expect(changeText(metric({ change: null }))).toBe('+18.0 ms')
    expect(changeText(metric({ delta: null, change: null }))).toBe('—')
    expect(changeText(metric({ unit: 'bytes/row', delta: -2048, change: -0.5 }))).toBe(
      '−2.0 KiB/row (−50.0%)'
    )
    expect(significanceText(metric())).toBe('significant')
    expect(significanceText(metric({ significant: false }))).toBe('within noise')
    expect(significanceText(metric({ counts: false }))).toBe('context only')
    expect(directionText(metric({ better: 'higher', direction: 'better' }))).toBe(
      'better (higher is better)'
    )
    expect(
      directionText(metric({ counts: false, direction: 'same', contextDirection: 'same' }))
    ).toBe('same (lower is better)')
  })

  it('puts significant counted rows first, context rows last, otherwise in order', () => {
    const rows = benchRows(comparison().metrics).map((m) => m.id)
    expect(rows).toEqual([
      'bench.write-latency.p25',
      'bench.sustained-write.throughput.median',
      'bench.write-latency.median'
    ])
  })
})
