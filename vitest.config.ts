import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'sim/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'out/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start simulators and helper processes; two cores, so keep it modest.
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
    silent: process.env.VERBOSE_TESTS ? false : 'passed-only'
  }
})
