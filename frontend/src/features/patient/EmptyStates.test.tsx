import { screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderPage, stubFetch } from '../../test/render';
import { ScoresPage } from '../scores/ScoresPage';
import { SummariesPage } from '../summaries/SummariesPage';
import { MyVisitsPage } from '../visits/MyVisitsPage';
import { booking, PROBLEM } from './fixtures';

afterEach(() => vi.unstubAllGlobals());

const EMPTY_PAGE = { items: [], page: 1, limit: 10, total: 0 };

describe('patient lists', () => {
  it('my visits: empty upcoming list offers to book', async () => {
    const { requests } = stubFetch({ 'GET /api/bookings': { status: 200, body: EMPTY_PAGE } });
    renderPage(<MyVisitsPage />, { path: '/visits' });
    expect(await screen.findByText(/You have no upcoming visits/)).toBeInTheDocument();
    expect(screen.getAllByRole('link', { name: 'Book a visit' }).length).toBeGreaterThan(0);
    expect(new URL(requests[0]?.url ?? '').searchParams.get('since')).toBeTruthy();
  });

  it('my visits: past visits page through with status badges', async () => {
    const { requests } = stubFetch({
      'GET /api/bookings': {
        status: 200,
        body: {
          items: [booking({ status: 'no_show' }), booking({ id: 'b2', status: 'cancelled' })],
          page: 1,
          limit: 10,
          total: 12,
        },
      },
    });
    renderPage(<MyVisitsPage />, { path: '/visits?when=past' });
    expect(await screen.findByText('Missed')).toBeInTheDocument();
    expect(screen.getByText('Cancelled')).toBeInTheDocument();
    expect(screen.getByText('Page 1 of 2')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Past' })).toHaveAttribute('aria-current', 'page');
    expect(new URL(requests[0]?.url ?? '').searchParams.get('until')).toBeTruthy();
  });

  it('my visits: an error can be retried', async () => {
    stubFetch({
      'GET /api/bookings': {
        status: 403,
        contentType: PROBLEM,
        body: { title: 'Not allowed', status: 403, detail: 'Patients only.' },
      },
    });
    renderPage(<MyVisitsPage />, { path: '/visits' });
    expect(await screen.findByRole('alert')).toHaveTextContent('Patients only.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('summaries: empty', async () => {
    stubFetch({ 'GET /api/patients/me/visit-summaries': { status: 200, body: EMPTY_PAGE } });
    renderPage(<SummariesPage />, { path: '/summaries' });
    expect(await screen.findByText(/No visit summaries yet/)).toBeInTheDocument();
  });

  it('summaries: listed in Spanish', async () => {
    stubFetch({
      'GET /api/patients/me/visit-summaries': {
        status: 200,
        body: {
          items: [
            {
              note_id: 'n1',
              title: 'Resumen de la consulta',
              visit_at: '2031-02-01T10:00:00Z',
              psychiatrist: 'Dra. Lee',
              patient_instructions: '',
              sections: [],
              diagnoses: [],
              addenda: [],
              signed_at: '2031-02-01T11:00:00Z',
            },
          ],
          page: 1,
          limit: 10,
          total: 1,
        },
      },
    });
    renderPage(<SummariesPage />, { path: '/summaries', language: 'es' });
    expect(await screen.findByRole('link', { name: 'Resumen de la consulta' })).toHaveAttribute(
      'href',
      '/summaries/n1',
    );
    expect(screen.getByRole('heading', { name: 'Resúmenes de consultas' })).toBeInTheDocument();
  });

  it('scores: empty, then a chart described in words', async () => {
    stubFetch({
      'GET /api/patients/me/trends': {
        status: 200,
        body: {
          patient_id: 'p',
          infusions: [],
          scales: [],
          phq9: {
            baseline_at: null,
            baseline_score: null,
            change_percent: null,
            first_remission_at: null,
            first_response_at: null,
            latest_at: null,
            latest_score: null,
            remission: false,
            remission_below: 5,
            response: false,
            response_drop_percent: 50,
          },
        },
      },
    });
    renderPage(<ScoresPage />, { path: '/scores' });
    expect(await screen.findByText(/No scores yet/)).toBeInTheDocument();
  });

  it('scores: PHQ-9 trend as an SVG chart with a text description', async () => {
    stubFetch({
      'GET /api/patients/me/trends': {
        status: 200,
        body: {
          patient_id: 'p',
          infusions: [{ at: '2031-01-10T15:00:00Z', sequence: 1 }],
          scales: [
            {
              scale: 'phq9',
              points: [
                { at: '2031-01-05T15:00:00Z', score: 20, band: 'severe', baseline: true },
                { at: '2031-01-20T15:00:00Z', score: 8, band: 'mild', response: true },
              ],
            },
          ],
          phq9: {
            baseline_at: '2031-01-05T15:00:00Z',
            baseline_score: 20,
            change_percent: 60,
            first_remission_at: null,
            first_response_at: '2031-01-20T15:00:00Z',
            latest_at: '2031-01-20T15:00:00Z',
            latest_score: 8,
            remission: false,
            remission_below: 5,
            response: true,
            response_drop_percent: 50,
          },
        },
      },
    });
    renderPage(<ScoresPage />, { path: '/scores' });
    const chart = await screen.findByRole('img', { name: 'PHQ-9 (depression) scores over time' });
    expect(chart).toHaveAccessibleDescription(/2 scores out of 27, from 20 on .* to 8 on/);
    expect(chart.querySelectorAll('circle')).toHaveLength(2);
    expect(chart.querySelectorAll('.chart-marker')).toHaveLength(1);
    expect(screen.getByText('60% lower than your first score')).toBeInTheDocument();
    expect(screen.getByText(/a response to treatment/)).toBeInTheDocument();
  });
});
