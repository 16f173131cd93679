import pkg from '../../package.json' with { type: 'json' }

/** The profiler's own version, from package.json (written into sessions and reports). */
export const PROFILER_VERSION: string = pkg.version
