import type {
  FlagRead,
  NoteListItem,
  PatientProfile,
  Phq9Outcome,
  TrendPoint,
} from '../../api/generated';

/** Workspace test data shaped like the API's answers: a patient's chart as her psychiatrist sees it. */
export const ANA = '5f0c1a8e-0000-4000-8000-0000000000a1';

export function patientProfile(overrides: Partial<PatientProfile> = {}): PatientProfile {
  return {
    patient_id: ANA,
    legal_name: 'Ana Ruiz',
    preferred_name: null,
    date_of_birth: '1990-01-01',
    state: 'ID',
    current_state: null,
    phone: null,
    language: 'es',
    time_zone: 'America/Boise',
    sex: null,
    emergency_contact: null,
    pharmacy: null,
    primary_care: null,
    updated_at: null,
    ...overrides,
  };
}

/** A high-severity intake flag nobody has reviewed yet. */
export function unreviewedFlag(patientId: string): FlagRead {
  return {
    id: 'f1',
    current: true,
    severity: 'high',
    status: 'unreviewed',
    message: 'Past suicide attempt reported',
    created_at: '2031-02-01T00:00:00Z',
    evidence: {},
    intake_id: 'i1',
    patient_id: patientId,
    review_reason: null,
    reviewed_at: null,
    reviewed_by: null,
    reviewed_by_name: null,
    rule_id: 'r1',
    rule_set_version: '1',
    rule_version: 1,
  };
}

/** PHQ-9 down from 20 to 12: better, but neither a response nor a remission. */
export const PHQ9_OUTCOME: Phq9Outcome = {
  baseline_score: 20,
  baseline_at: '2031-01-01T00:00:00Z',
  latest_score: 12,
  latest_at: '2031-03-01T00:00:00Z',
  change_percent: 40,
  response: false,
  remission: false,
  first_response_at: null,
  first_remission_at: null,
  response_drop_percent: 50,
  remission_below: 5,
};

export function trendPoint(at: string, score: number, band: string, baseline = false): TrendPoint {
  return { at, score, band, baseline, response: false, remission: false };
}

/** A follow-up note Dr. Lee signed on 1 March. */
export function signedNote(patientId: string, overrides: Partial<NoteListItem> = {}): NoteListItem {
  return {
    id: 'n1',
    addenda: 0,
    author_id: 'p',
    consult_id: null,
    patient_id: patientId,
    signed_at: '2031-03-01T18:00:00Z',
    signer_name: 'Dr. Lee',
    status: 'signed',
    template: 'follow_up',
    title: 'Follow-up',
    visit_at: '2031-03-01T17:00:00Z',
    ...overrides,
  };
}
