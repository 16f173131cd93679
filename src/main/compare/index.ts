/**
 * `compare`: two sessions of one scenario, or two bench results, side by side with a
 * significance call per metric (issue 9). Pure entry points for the UI's Sessions view —
 * `compareSessions(a, b)` and `compareBench(a, b)` — plus loading from paths and the text,
 * Markdown and HTML renderings the CLI writes.
 */
export { compareBench, LATENCY_FLOOR_MS, type CompareOptions } from './bench'
export { compareSessions, type SessionCompareOptions } from './sessions'
export { compareComparables, loadComparable, parseBenchResult, type Comparable } from './load'
export { DEFAULT_THRESHOLDS, judge, type Thresholds } from './significance'
export { overlayCharts, type OverlayChart } from './charts'
export { renderCompareText } from './render-text'
export { renderCompareMarkdown } from './render-markdown'
export { renderCompareHtml } from './render-html'
export { VERDICT_LABEL } from './words'
