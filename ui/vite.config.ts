/// <reference types="vitest/config" />
// The dashboard's build: `vite build` writes ui/dist, which the gateway embeds and serves at `/`.
// In development (`npm run dev`) the API and proxy paths go to a running gateway, so the page
// talks to the real admin API exactly as it does when embedded.
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { svelteTesting } from '@testing-library/svelte/vite'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { defineConfig } from 'vite'

const gateway = process.env.SWITCHYARD_URL ?? 'http://127.0.0.1:4545'
// The gateway refuses browser requests with a foreign Origin, so the dev server presents the
// gateway's own origin on what it forwards.
// Node sends a proxied answer's headers with its first byte, and the live feed
// (/api/events) may say nothing for 15 s: flush them at once so the page sees it connected.
const forward = {
  target: gateway,
  changeOrigin: true,
  headers: { origin: gateway },
  configure(proxy: { on(event: 'proxyRes', listener: (upstream: IncomingMessage, req: IncomingMessage, res: ServerResponse) => void): void }) {
    proxy.on('proxyRes', (upstream, _req, res) => {
      if (String(upstream.headers['content-type']).startsWith('text/event-stream')) setImmediate(() => res.flushHeaders())
    })
  },
}

export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      '/api': forward,
      '/v1': forward,
      '/healthz': forward,
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    restoreMocks: true,
  },
})
