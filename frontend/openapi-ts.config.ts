import { defineConfig } from '@hey-api/openapi-ts';

// `scripts/check-generated.sh` sets HALCYON_API_GEN_OUT to regenerate into a temporary folder
// and compare the result with the committed output.
const output = process.env.HALCYON_API_GEN_OUT ?? 'src/api/generated';

export default defineConfig({
  input: 'openapi.json',
  output: { path: output },
  logs: { file: false },
  plugins: [
    // Errors are thrown (as ApiError, see src/api/http.ts) so TanStack Query sees them.
    { name: '@hey-api/client-fetch', throwOnError: true, baseUrl: false },
    '@hey-api/typescript',
    '@hey-api/sdk',
  ],
});
