// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import importPlugin from 'eslint-plugin-import'
import globals from 'globals'

const services = [
  'target',
  'sampler',
  'workload',
  'scenarios',
  'analysis',
  'session',
  'report',
  'benchmark',
  'compare'
].map((s) => `./src/main/${s}`)

// Layers (STYLE.md §2): shared imports nothing of ours; renderer and preload only shared;
// services never the front ends; `electron` only in main/app and preload; the simulator
// and the product never import each other (the product must talk KalamDB's protocol only).
const zones = [
  { target: './src/shared', from: ['./src/main', './src/renderer', './src/preload', './sim'] },
  { target: './src/renderer', from: ['./src/main', './src/preload', './sim'] },
  { target: './src/preload', from: ['./src/main', './src/renderer', './sim'] },
  ...services.map((target) => ({
    target,
    from: ['./src/main/app', './src/main/bridge', './src/main/cli', './sim']
  })),
  { target: './src/main/bridge', from: ['./src/main/app', './src/main/cli', './sim'] },
  { target: './src/main/app', from: ['./src/main/cli', './sim'] },
  { target: './sim', from: ['./src/main', './src/renderer', './src/preload'] }
]

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'profiler-sessions/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    plugins: { import: importPlugin },
    languageOptions: { globals: { ...globals.node } },
    settings: {
      'import/resolver': {
        typescript: {
          project: ['tsconfig.node.json', 'tsconfig.web.json'],
          noWarnOnMultipleProjects: true
        }
      }
    },
    rules: {
      'import/no-restricted-paths': ['error', { zones }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ],
      '@typescript-eslint/consistent-type-imports': 'error'
    }
  },
  {
    files: ['**/*.{ts,tsx,js}'],
    ignores: ['src/main/app/**', 'src/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'electron is imported only in src/main/app and src/preload'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } }
  }
)
