import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TimelinePage as TimelineData } from '../../api/generated';
import { renderPage, stubFetch } from '../../test/render';
import { PROBLEM } from '../patient/fixtures';
import { ANA, patientProfile } from './fixtures';
import { groupByDay, type TimelineEvent, TimelinePage } from './TimelinePage';

afterEach(() => vi.unstubAllGlobals());

const DOC = '7d0c1a8e-0000-4000-8000-0000000000d1';
const VISIT = '9b1c1a8e-0000-4000-8000-0000000000c1';
const NOTE = '3a1c1a8e-0000-4000-8000-0000000000e1';
const PLAN = '4b1c1a8e-0000-4000-8000-0000000000f1';
const TIMELINE = `GET /api/patients/${ANA}/timeline`;

const NOTE_SIGNED: TimelineEvent = {
  id: `note_signed:${NOTE}`,
  kind: 'note_signed',
  at: '2031-03-04T18:00:00Z', // 11:00 on Tuesday 4 March in Boise
  actor_name: 'Dr. Lee',
  note_id: NOTE,
  template: 'follow_up',
  visit_at: '2031-03-04T17:00:00Z',
  booking_id: VISIT,
  addendum_id: null,
};

const PHQ9: TimelineEvent = {
  id: 'scale_submitted:r1',
  kind: 'scale_submitted',
  at: '2031-03-04T16:30:00Z',
  actor_name: null,
  result_id: 'r1',
  scale: 'phq9',
  total: 19,
  max_total: 27,
  band: 'moderately_severe',
  urgent: true,
  entered_by: 'patient',
  corrects_earlier: false,
  superseded: false,
};

const BOOKED: TimelineEvent = {
  id: `visit_booked:${VISIT}`,
  kind: 'visit_booked',
  at: '2031-03-04T05:30:00Z', // still Monday 3 March, 22:30, in Boise
  actor_name: null,
  booking_id: VISIT,
  starts_at: '2031-03-04T17:00:00Z',
  ends_at: '2031-03-04T17:30:00Z',
  status: 'confirmed',
  visit_type: { id: 'vt', name: 'Follow-up', name_es: 'Seguimiento', is_infusion: false },
  psychiatrist_id: DOC,
  psychiatrist_name: 'Dr. Lee',
  cancelled_by_role: null,
  cancel_reason: null,
  duration_seconds: null,
};

const PLAN_CREATED: TimelineEvent = {
  id: `plan_created:${PLAN}`,
  kind: 'plan_created',
  at: '2031-03-01T20:00:00Z',
  actor_name: 'Dr. Lee',
  plan_id: PLAN,
  indication: 'treatment_resistant_depression',
  induction_infusions: 6,
  status: 'proposed',
  from_status: null,
  to_status: null,
  reason: null,
};

function page(items: TimelineEvent[], pageNo: number, total: number, limit = 25): TimelineData {
  return { items, total, page: pageNo, limit, time_zone: 'America/Boise' };
}

const PROFILE = { status: 200, body: patientProfile() };

function renderTimeline(language: 'en' | 'es' = 'en') {
  return renderPage(<TimelinePage />, {
    path: `/my-patients/${ANA}/timeline`,
    route: '/my-patients/:patientId/timeline',
    language,
  });
}

describe('TimelinePage', () => {
  it('groups events by day in the psychiatrist’s zone, links to the note and plan, and loads more', async () => {
    const { requests } = stubFetch({
      [`GET /api/patients/${ANA}/profile`]: PROFILE,
      [TIMELINE]: [
        // Pages of three events each.
        { status: 200, body: page([NOTE_SIGNED, PHQ9, BOOKED], 1, 4, 3) },
        { status: 200, body: page([PLAN_CREATED], 2, 4, 3) },
      ],
    });
    renderTimeline();
    expect(
      await screen.findByRole('heading', { name: 'Timeline: Ana Ruiz', level: 1 }),
    ).toBeInTheDocument();
    const tuesday = await screen.findByRole('region', { name: 'Tuesday, March 4, 2031' });
    const monday = screen.getByRole('region', { name: 'Monday, March 3, 2031' });
    const tuesdayEvents = within(tuesday).getAllByRole('article');
    expect(tuesdayEvents).toHaveLength(2);
    expect(tuesdayEvents[0]).toHaveTextContent(/11:00\sAM\sNote signed/);
    expect(tuesdayEvents[0]).toHaveTextContent('Follow-up visit');
    expect(tuesdayEvents[0]).toHaveTextContent('by Dr. Lee');
    expect(
      within(tuesdayEvents[0] as HTMLElement).getByRole('link', { name: 'Open the note' }),
    ).toHaveAttribute('href', `/notes/${NOTE}`);
    expect(tuesdayEvents[1]).toHaveTextContent('Questionnaire: PHQ-9 (depression)');
    expect(tuesdayEvents[1]).toHaveTextContent('19 of 27 · moderately severe');
    expect(tuesdayEvents[1]).toHaveTextContent('Self-harm item above 0');
    const [booked] = within(monday).getAllByRole('article');
    expect(booked).toHaveTextContent(/10:30\sPM\sVisit booked/);
    expect(booked).toHaveTextContent('Follow-up with Dr. Lee');
    expect(within(booked as HTMLElement).getByRole('link', { name: 'Visit note' })).toHaveAttribute(
      'href',
      `/visits/${VISIT}/note`,
    );
    expect(screen.getByText(/3 of 4 events/)).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    const saturday = await screen.findByRole('region', { name: 'Saturday, March 1, 2031' });
    expect(within(saturday).getByRole('article')).toHaveTextContent('Treatment plan proposed');
    expect(within(saturday).getByRole('link', { name: 'Open the plan' })).toHaveAttribute(
      'href',
      `/my-patients/${ANA}/plans/${PLAN}`,
    );
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
    const asked = requests.filter((r) => r.url.includes('/timeline')).map((r) => new URL(r.url));
    expect(asked.map((u) => u.searchParams.get('page'))).toEqual(['1', '2']);
    expect(asked[0]?.searchParams.getAll('kind')).toEqual([]);
  });

  it('filter chips ask for their kinds only, and say when nothing matches', async () => {
    const { requests } = stubFetch({
      [`GET /api/patients/${ANA}/profile`]: PROFILE,
      [TIMELINE]: [
        { status: 200, body: page([NOTE_SIGNED, PHQ9, BOOKED], 1, 3) },
        { status: 200, body: page([], 1, 0) },
      ],
    });
    renderTimeline();
    await screen.findAllByRole('article');
    const everything = screen.getByRole('button', { name: 'Everything' });
    expect(everything).toHaveAttribute('aria-pressed', 'true');
    const chip = screen.getByRole('button', { name: /Questionnaires/ });
    await userEvent.click(chip);
    expect(chip).toHaveAttribute('aria-pressed', 'true');
    expect(everything).toHaveAttribute('aria-pressed', 'false');
    expect(await screen.findByText('Nothing of these kinds yet.')).toBeInTheDocument();
    const last = new URL(requests[requests.length - 1]?.url ?? '');
    expect(last.pathname).toBe(`/api/patients/${ANA}/timeline`);
    expect(last.searchParams.getAll('kind')).toEqual(['scale_submitted']);
  });

  it('shows an empty timeline, and an error with a way to try again', async () => {
    stubFetch({
      [`GET /api/patients/${ANA}/profile`]: PROFILE,
      [TIMELINE]: [
        {
          status: 403,
          contentType: PROBLEM,
          body: {
            type: 'https://halcyon.health/problems/forbidden',
            title: 'Not allowed',
            status: 403,
            detail: 'You are not on this patient’s care team.',
            errors: [],
          },
        },
        { status: 200, body: page([], 1, 0) },
      ],
    });
    renderTimeline();
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('You are not on this patient’s care team.');
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Nothing on this timeline yet.')).toBeInTheDocument();
  });

  it('speaks Spanish', async () => {
    stubFetch({
      [`GET /api/patients/${ANA}/profile`]: PROFILE,
      [TIMELINE]: { status: 200, body: page([NOTE_SIGNED, BOOKED], 1, 2) },
    });
    renderTimeline('es');
    expect(
      await screen.findByRole('heading', { name: 'Cronología: Ana Ruiz', level: 1 }),
    ).toBeInTheDocument();
    const tuesday = await screen.findByRole('region', { name: 'martes, 4 de marzo de 2031' });
    expect(within(tuesday).getByRole('article')).toHaveTextContent('Nota firmada');
    expect(screen.getByText(/Seguimiento con Dr. Lee/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Todo' })).toHaveAttribute('aria-pressed', 'true');
  });
});

describe('groupByDay', () => {
  it('splits at local midnight, not UTC midnight', () => {
    const days = groupByDay([NOTE_SIGNED, PHQ9, BOOKED], 'America/Boise');
    expect(days.map((d) => [d.day, d.events.length])).toEqual([
      ['2031-03-04', 2],
      ['2031-03-03', 1],
    ]);
    expect(groupByDay([NOTE_SIGNED, PHQ9, BOOKED], 'UTC').map((d) => d.day)).toEqual([
      '2031-03-04',
    ]);
  });
});
