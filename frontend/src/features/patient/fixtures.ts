import type { BookingRead, ScaleDefinitionRead } from '../../api/generated';

/** Test data shaped like the API's answers. */
export const PRACTICE = {
  name: 'Halcyon Test Practice',
  environment: 'test',
  crisis_line_text: 'Call or text 988, the Suicide & Crisis Lifeline, any time.',
  crisis_line_text_es: 'Llame o envíe un texto al 988, a cualquier hora.',
};

export const VISIT_TYPE = {
  id: '7c0c1a8e-0000-4000-8000-0000000000a1',
  code: 'followup',
  name: 'Follow-up visit',
  name_es: 'Consulta de seguimiento',
  description: 'A 30-minute check-in.',
  duration_minutes: 30,
  price_cents: 15000,
  currency: 'usd',
  active: true,
  eligibility: 'any',
  is_infusion: false,
  requires_consents: false,
  requires_intake: false,
} as const;

export function booking(overrides: Partial<BookingRead> = {}): BookingRead {
  return {
    id: '9b1c1a8e-0000-4000-8000-0000000000b1',
    patient_id: '5f0c1a8e-0000-4000-8000-000000000001',
    psychiatrist_id: '5f0c1a8e-0000-4000-8000-000000000002',
    psychiatrist_name: 'Dr. Lee',
    status: 'confirmed',
    starts_at: '2031-03-04T14:30:00-07:00',
    ends_at: '2031-03-04T15:00:00-07:00',
    time_zone: 'America/Boise',
    hold_expires_at: null,
    price_cents: 15000,
    currency: 'usd',
    created_at: '2031-02-01T10:00:00-07:00',
    cancelled_at: null,
    no_show_at: null,
    join_url: 'http://localhost/visits/9b1c1a8e-0000-4000-8000-0000000000b1',
    cancellation: null,
    cancellation_policy: {
      by: 'patient',
      currency: 'usd',
      fee_cents: 0,
      full_refund: true,
      full_refund_until: '2031-03-03T14:30:00-07:00',
      reason: 'notice_met',
      refund_cents: 15000,
    },
    visit_type: { ...VISIT_TYPE },
    ...overrides,
  };
}

export const PHQ9: ScaleDefinitionRead = {
  code: 'phq9',
  name: 'PHQ-9',
  version: '1',
  language: 'en',
  loinc: '44249-1',
  instructions: 'Over the last 2 weeks, how often have you been bothered by any of the following?',
  max_total: 27,
  urgent_items: [9],
  bands: [{ code: 'minimal', label: 'Minimal', low: 0, high: 4 }],
  choices: [
    { value: 0, label: 'Not at all' },
    { value: 1, label: 'Several days' },
    { value: 2, label: 'More than half the days' },
    { value: 3, label: 'Nearly every day' },
  ],
  items: Array.from({ length: 9 }, (_, i) => ({
    number: i + 1,
    text:
      i === 8
        ? 'Thoughts that you would be better off dead, or of hurting yourself'
        : `Question ${i + 1}`,
  })),
};

export const PROBLEM = 'application/problem+json';
