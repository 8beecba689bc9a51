// Builds the console (web/) into dist/web/, which the broker's HTTP port serves at / (src/http/
// console-assets.ts). `npm run build:web`; `npm run dev:web` serves it with hot reload and proxies
// /api to a broker on 127.0.0.1:9094.

import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:9094', ws: true } },
  },
})
