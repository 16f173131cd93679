#!/usr/bin/env node
// Runs the built CLI. `npm install` builds it (the `prepare` script); a missing build is
// explained in one line rather than a module-not-found stack.
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const entry = fileURLToPath(new URL('../out/cli/index.js', import.meta.url))
if (!existsSync(entry)) {
  process.stderr.write(
    'error: the CLI is not built yet: run `npm run build:cli` (npm install does it) and retry\n'
  )
  process.exit(2)
}
await import(pathToFileURL(entry).href)
