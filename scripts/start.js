#!/usr/bin/env node
// `npm start`: the desktop app where Electron's runtime is installed; otherwise one clear
// line and the same UI served to a browser by `kalam-profiler ui`.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const built = [
  'out/main/index.js',
  'out/preload/index.cjs',
  'out/renderer/index.html',
  'out/cli/index.js'
]

if (built.some((f) => !existsSync(join(root, f)))) {
  console.log('Building the app (first start)…')
  const r = spawnSync('npm', ['run', 'build'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32'
  })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

const electron = electronRuntime()
if (electron.path) {
  const child = spawn(electron.path, [root, ...process.argv.slice(2)], { stdio: 'inherit' })
  child.on('exit', (code) => process.exit(code ?? 0))
} else {
  console.log(
    `Electron runtime not available (${electron.reason}): serving the same UI to your browser instead.`
  )
  const child = spawn(
    process.execPath,
    [join(root, 'out/cli/index.js'), 'ui', ...process.argv.slice(2)],
    {
      stdio: 'inherit'
    }
  )
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code) => process.exit(code ?? 0))
}

/** Where the Electron binary is, downloading it once if the install skipped it. */
function electronRuntime() {
  if (process.env.KP_NO_ELECTRON) return { reason: 'KP_NO_ELECTRON is set' }
  const pkgDir = join(root, 'node_modules/electron')
  if (!existsSync(join(pkgDir, 'package.json')))
    return { reason: 'the electron package is not installed' }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'no display: DISPLAY and WAYLAND_DISPLAY are unset' }
  }
  const binary = () => {
    const pathTxt = join(pkgDir, 'path.txt')
    if (!existsSync(pathTxt)) return undefined
    const p = join(pkgDir, 'dist', readFileSync(pathTxt, 'utf8').trim())
    return existsSync(p) ? p : undefined
  }
  if (binary()) return { path: binary() }
  console.log('Fetching the Electron runtime (once)…')
  const r = spawnSync(process.execPath, [join(pkgDir, 'install.js')], {
    cwd: pkgDir,
    encoding: 'utf8',
    timeout: 180_000
  })
  const found = binary()
  if (r.status === 0 && found) return { path: found }
  const why = `${r.stderr ?? ''}${r.error?.message ?? ''}`
    .split('\n')
    .find((l) => /error|fail/i.test(l))
  return { reason: `its download failed${why ? `: ${why.trim()}` : ''}` }
}
