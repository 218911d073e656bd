import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { vi } from 'vitest';
import { configureApiClient } from '../api/http';
import { createQueryClient } from '../api/queries';
import { I18nProvider, type Language } from '../i18n';

export interface StubResponse {
  status: number;
  body?: unknown;
  contentType?: string;
}

/** `"POST /api/auth/login"` → the answers to give, in order (the last one repeats). */
export type StubRoutes = Record<string, StubResponse | StubResponse[]>;

/**
 * Replaces fetch with a stand-in that answers by method and path, and records every request.
 * A call nobody expected answers 599 so the test fails visibly rather than hanging.
 */
export function stubFetch(routes: StubRoutes) {
  const requests: Request[] = [];
  const queues = new Map(
    Object.entries(routes).map(([key, value]) => [
      key,
      Array.isArray(value) ? [...value] : [value],
    ]),
  );
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request.clone());
    const key = `${request.method} ${new URL(request.url).pathname}`;
    const queue = queues.get(key);
    const next = queue && queue.length > 1 ? queue.shift() : queue?.[0];
    if (!next) return new Response(`unexpected ${key}`, { status: 599 });
    const body = next.body === undefined ? null : JSON.stringify(next.body);
    return new Response(body, {
      status: next.status,
      headers: { 'Content-Type': next.contentType ?? 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  configureApiClient();
  return { fetchMock, requests };
}

/** Renders one page at `path` with the app's providers, in the given language. */
export function renderPage(
  page: ReactElement,
  {
    path = '/',
    route = '*',
    language = 'en',
  }: { path?: string; route?: string; language?: Language } = {},
) {
  const queryClient = createQueryClient();
  return render(
    <I18nProvider initialLanguage={language}>
      <QueryClientProvider client={queryClient}>
        <MemoryRouter initialEntries={[path]}>
          <Routes>
            <Route path={route} element={page} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>
    </I18nProvider>,
  );
}
