import type { NoteRead } from '../../api/generated';

/** Note test data shaped like the API's answers. */
export const NOTE_ID = 'c0ffee00-0000-4000-8000-000000000001';
export const SUBJECTIVE = 'Chief complaint:';

export function note(overrides: Partial<NoteRead> = {}): NoteRead {
  return {
    id: NOTE_ID,
    patient_id: '5f0c1a8e-0000-4000-8000-000000000001',
    consult_id: '9b1c1a8e-0000-4000-8000-0000000000b1',
    author_id: '5f0c1a8e-0000-4000-8000-000000000002',
    template: 'follow_up',
    title: 'Follow-up visit',
    status: 'draft',
    visit_at: '2031-03-04T21:30:00Z',
    modality: 'video',
    place_of_service: '10',
    subjective: SUBJECTIVE,
    objective: '',
    assessment: '',
    plan: '',
    diagnoses: [],
    billing_codes: ['99214'],
    billing: [
      { code: '99214', description: 'Established', modifiers: ['95'], place_of_service: '10' },
    ],
    summary_sections: [],
    patient_instructions: '',
    revision: 1,
    created_at: '2031-03-04T21:00:00Z',
    updated_at: '2031-03-04T21:00:00Z',
    signed_at: null,
    signed_by: null,
    signer_name: null,
    content_hash: null,
    integrity_ok: null,
    addenda: [],
    after_visit_summary: {
      note_id: NOTE_ID,
      title: 'Follow-up visit',
      visit_at: '2031-03-04T21:30:00Z',
      psychiatrist: 'Dr. Lee',
      signed_at: null,
      sections: [],
      diagnoses: [],
      patient_instructions: '',
      addenda: [],
    },
    ...overrides,
  };
}
