import { builtinModules } from 'node:module'
import { defineConfig } from 'vite'
import pkg from './package.json' with { type: 'json' }

// The CLI (and the simulator it starts) run under plain Node: one ESM bundle per entry,
// every npm dependency left external so `node_modules` is the single copy.
const external = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  ...Object.keys(pkg.dependencies)
]

export default defineConfig({
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'out/cli',
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    rollupOptions: {
      input: {
        index: 'src/main/cli/index.ts',
        bench: 'bench/index.ts',
        // The sampler's worker thread (src/main/sampler/worker-host.ts), next to its users.
        'sampler-worker': 'src/main/sampler/sampler-worker.ts'
      },
      external: (id) => external.some((e) => id === e || id.startsWith(`${e}/`)),
      output: {
        format: 'esm',
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js'
      }
    }
  },
  ssr: { noExternal: [] }
})
