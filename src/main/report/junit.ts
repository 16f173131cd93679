/**
 * JUnit XML: one testcase per criterion, so CI systems (Jenkins, GitLab, GitHub test
 * reporters) show a run's verdicts natively. Shape of Ant's junit.xsd, the one every consumer
 * reads: testsuites › testsuite(name, tests, failures, errors, skipped, time, timestamp,
 * hostname) › properties, testcase(name, classname, time) › failure|error|skipped, system-out,
 * system-err.
 *
 * Mapping: failed → <failure> with measured vs threshold; could not be measured → <skipped>
 * (no data never passes, but it did not fail either); the target crashed → <error> on every
 * criterion that did not pass, plus a testcase for the target itself. A run without criteria
 * gets one testcase per memory-metric verdict, so a nightly `sample` still reports a leak.
 */
import { formatPercent } from '../../shared/units'
import { metricLabel } from './words'
import type { ReportModel } from './model'

interface Case {
  name: string
  outcome: 'pass' | 'failure' | 'error' | 'skipped'
  message?: string
  type?: string
  body?: string
}

export function renderJunit(m: ReportModel, hostname: string): string {
  const suiteName = `kalam-profiler.${m.scenario}`
  const cases = testCases(m)
  const count = (o: Case['outcome']): number => cases.filter((c) => c.outcome === o).length
  const time = (m.durationMs / 1000).toFixed(3)
  const timestamp = new Date(m.startT).toISOString().slice(0, 19)
  const attrs = `tests="${cases.length}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('skipped')}" time="${time}"`
  const props: [string, string][] = [
    ['scenario', m.scenario],
    ['status', m.status],
    ...m.environment,
    ...m.parameters.map(([k, v]): [string, string] => [`parameter.${k}`, v]),
    ['reproduce', m.reproduce.command]
  ]
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kalam-profiler" ${attrs}>`,
    `  <testsuite name="${x(suiteName)}" ${attrs} timestamp="${timestamp}" hostname="${x(hostname)}" id="0" package="kalam-profiler">`,
    '    <properties>',
    ...props.map(([k, v]) => `      <property name="${x(k)}" value="${x(v)}"/>`),
    '    </properties>'
  ]
  for (const c of cases) {
    const open = `    <testcase name="${x(c.name)}" classname="${x(suiteName)}" time="0"`
    if (c.outcome === 'pass') {
      out.push(`${open}/>`)
      continue
    }
    out.push(`${open}>`)
    const msg = `message="${x(c.message ?? '')}"`
    if (c.outcome === 'skipped') out.push(`      <skipped ${msg}/>`)
    else
      out.push(
        `      <${c.outcome} ${msg} type="${x(c.type ?? c.outcome)}">${x(c.body ?? c.message ?? '')}</${c.outcome}>`
      )
    out.push('    </testcase>')
  }
  out.push(
    `    <system-out>${x([m.summary, ...m.findings.map((f) => `${f.severity}: ${f.text}`)].join('\n'))}</system-out>`,
    '    <system-err/>',
    '  </testsuite>',
    '</testsuites>',
    ''
  )
  return out.join('\n')
}

function testCases(m: ReportModel): Case[] {
  const crashed = m.status === 'target-crashed'
  const crashMessage = m.events.crash?.message ?? 'the target process exited during the run'
  const cases: Case[] = m.criteria.map((c) => {
    const name = `${c.name} (${c.threshold})`
    if (c.outcome === 'pass') return { name, outcome: 'pass' }
    if (crashed)
      return {
        name,
        outcome: 'error',
        type: 'target-crashed',
        message: `target crashed: ${crashMessage}; measured ${c.measured}, threshold ${c.threshold}`,
        body: c.reason
      }
    if (c.outcome === 'fail')
      return {
        name,
        outcome: 'failure',
        type: 'criterion-failed',
        message: `measured ${c.measured}, threshold ${c.threshold}`,
        body: `${c.name}: measured ${c.measured}, threshold ${c.threshold}.${c.reason ? ` ${c.reason}` : ''}`
      }
    return { name, outcome: 'skipped', message: `not measurable: ${c.reason}` }
  })
  if (m.criteria.length === 0)
    for (const r of m.metrics) {
      const name = `${metricLabel(r.field)} does not leak`
      const message = `${r.reason} (growth ${formatPercent(r.growthPercent)})`
      cases.push(
        r.verdict === 'stable'
          ? { name, outcome: 'pass' }
          : r.verdict === 'leak'
            ? { name, outcome: 'failure', type: 'leak', message, body: message }
            : { name, outcome: 'skipped', message: `inconclusive: ${message}` }
      )
    }
  if (crashed)
    cases.push({
      name: 'target process stays up',
      outcome: 'error',
      type: 'target-crashed',
      message: crashMessage
    })
  return cases
}

/** Escapes for XML text and attributes, dropping characters XML 1.0 cannot hold at all. */
export function x(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      .replace(/\n/g, '&#10;')
      .replace(/\r/g, '&#13;')
      .replace(/\t/g, '&#9;')
  )
}
