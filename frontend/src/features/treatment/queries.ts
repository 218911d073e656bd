import { queryOptions } from '@tanstack/react-query';
import {
  treatmentGetTreatmentPlan,
  treatmentGetTreatmentReadiness,
  treatmentListInfusionSessions,
  treatmentListTreatmentPlans,
  treatmentPrefillInfusionSession,
} from '../../api/generated';
import { ApiError } from '../../api/problem';

/** Treatment plans and infusion sessions (psychiatrists). Sessions: see workspace's query. */

export function plansQuery(patientId: string) {
  return queryOptions({
    queryKey: ['chart', patientId, 'plans'],
    queryFn: async ({ signal }) =>
      (await treatmentListTreatmentPlans({ path: { patient_id: patientId }, signal })).data,
  });
}

/** What stands between the patient and an active plan (unreviewed flags, unsigned consents). */
export function readinessQuery(patientId: string) {
  return queryOptions({
    queryKey: ['chart', patientId, 'treatment-readiness'],
    queryFn: async ({ signal }) =>
      (await treatmentGetTreatmentReadiness({ path: { patient_id: patientId }, signal })).data,
  });
}

export function planQuery(planId: string) {
  return queryOptions({
    queryKey: ['plan', planId],
    queryFn: async ({ signal }) =>
      (await treatmentGetTreatmentPlan({ path: { plan_id: planId }, signal })).data,
  });
}

export function planSessionsQuery(planId: string) {
  return queryOptions({
    queryKey: ['plan', planId, 'sessions'],
    queryFn: async ({ signal }) =>
      (await treatmentListInfusionSessions({ path: { plan_id: planId }, signal })).data,
  });
}

export function prefillQuery(planId: string) {
  return queryOptions({
    queryKey: ['plan', planId, 'prefill'],
    queryFn: async ({ signal }) =>
      (await treatmentPrefillInfusionSession({ path: { plan_id: planId }, signal })).data,
  });
}

/** The API's "BP above the hold threshold: hold or give a reason" answer to starting a session. */
export function isHoldRequired(error: unknown): error is ApiError {
  return error instanceof ApiError && error.problem.type.endsWith('/hold-required');
}
