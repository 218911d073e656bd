import type { PlanRead } from '../../api/generated';

/** Treatment test data shaped like the API's answers. */
export const PATIENT = '5f0c1a8e-0000-4000-8000-0000000000a1';
export const PLAN = '6a0c1a8e-0000-4000-8000-0000000000b1';

/** A proposed plan of PATIENT, ready to become active. */
export function planRead(overrides: Partial<PlanRead> = {}): PlanRead {
  return {
    id: PLAN,
    patient_id: PATIENT,
    created_by: 'psy-1',
    indication: 'treatment_resistant_depression',
    indication_detail: '',
    induction_infusions: 6,
    dose_mg_per_kg: 0.5,
    infusion_minutes: 40,
    infusions_per_week: 2,
    schedule_notes: '',
    maintenance_interval_weeks: 4,
    maintenance_notes: '',
    status: 'proposed',
    created_at: '2031-02-01T00:00:00Z',
    updated_at: '2031-02-01T00:00:00Z',
    activated_at: null,
    induction_done: 0,
    maintenance_done: 0,
    history: [],
    allowed_transitions: ['active'],
    ...overrides,
  };
}
