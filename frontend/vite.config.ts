import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The API (and the health check) run on 127.0.0.1:8000 (HALCYON_API_URL overrides); the dev
// server forwards to them so the browser sees one origin, as behind nginx or the embedded run.
const api = process.env.HALCYON_API_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/healthz': { target: api, changeOrigin: false },
    },
  },
  preview: { host: '127.0.0.1', port: 4173 },
  build: {
    outDir: 'dist',
    sourcemap: true,
    // The home page's entry stays small: other routes are lazy chunks.
    chunkSizeWarningLimit: 300,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    // Two-core CI machines render the sign-up form (400 time zones) slowly.
    testTimeout: 20_000,
  },
});
