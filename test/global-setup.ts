/**
 * Builds the CLI once per test run into a private folder, so tests that need a real
 * separate process (the simulator, smoke tests of the bin) run the current sources and
 * parallel runs never clobber each other's build. Tests find it through KP_CLI.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { build } from 'vite'

export default async function setup(): Promise<() => void> {
  // Inside the checkout, so the bundle resolves its external dependencies from node_modules.
  mkdirSync('out', { recursive: true })
  const outDir = mkdtempSync(resolve('out', 'test-cli-'))
  await build({
    configFile: 'vite.cli.config.ts',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: false }
  })
  process.env.KP_CLI = join(outDir, 'index.js')
  return () => rmSync(outDir, { recursive: true, force: true })
}
