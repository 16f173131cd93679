import { resolve } from 'node:path'
import { defineConfig, externalizeDepsPlugin } from 'electron-vite'
import react from '@vitejs/plugin-react'
import type { RollupLog } from 'rollup'

// zod ships /* @__PURE__ */ comments rollup cannot place; harmless, but they drown real warnings.
const onwarn = (log: RollupLog, warn: (log: RollupLog) => void): void => {
  if (log.code !== 'INVALID_ANNOTATION') warn(log)
}

// Main and preload are built for Electron; the renderer is the same bundle the web
// bridge serves to a browser, so it must not assume Electron anywhere.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('src/main/app/index.ts'),
          // The sampler's worker thread (src/main/sampler/worker-host.ts).
          'sampler-worker': resolve('src/main/sampler/sampler-worker.ts')
        },
        onwarn
      }
    }
  },
  preload: {
    build: {
      // electron-vite 5 externalizes dependencies unless told not to, and a sandboxed preload
      // cannot require() anything but electron: bundle them all (electron stays external).
      externalizeDeps: false,
      outDir: 'out/preload',
      // A sandboxed preload cannot be an ES module.
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        onwarn,
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      // Also served over the web bridge: a third of the bytes to load and parse.
      minify: true,
      rollupOptions: { input: { index: resolve('src/renderer/index.html') }, onwarn }
    }
  }
})
