import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import {
  adminListInvitations,
  auditListAuditEntries,
  auditVerifyAuditChain,
  availabilityGetAvailability,
  type BillingGetRevenueData,
  type BillingListPaymentsData,
  type BillingListRefundsData,
  billingGetRevenue,
  billingListOpenHolds,
  billingListPayments,
  billingListRefunds,
  paymentsAdminGetPayment,
  practiceGetPracticeSettings,
  psychiatristsGetPsychiatrist,
  psychiatristsListLicenses,
  psychiatristsListPsychiatrists,
  visitTypesListVisitTypes,
} from '../../api/generated';
import type { AuditQuery } from './auditFilters';

/** The admin console's server state; this module loads only with the console's chunks. */

export type PaymentsQuery = NonNullable<BillingListPaymentsData['query']>;
export type RefundsQuery = NonNullable<BillingListRefundsData['query']>;
export type RevenueQuery = NonNullable<BillingGetRevenueData['query']>;

export function paymentsQuery(query: PaymentsQuery) {
  return queryOptions({
    queryKey: ['admin', 'payments', query],
    queryFn: async ({ signal }) => (await billingListPayments({ query, signal })).data,
    placeholderData: keepPreviousData,
  });
}

export function paymentQuery(paymentId: string) {
  return queryOptions({
    queryKey: ['admin', 'payment', paymentId],
    queryFn: async ({ signal }) =>
      (await paymentsAdminGetPayment({ path: { payment_id: paymentId }, signal })).data,
    // What is left to refund must be current when the dialog opens.
    staleTime: 0,
  });
}

export function refundsQuery(query: RefundsQuery) {
  return queryOptions({
    queryKey: ['admin', 'refunds', query],
    queryFn: async ({ signal }) => (await billingListRefunds({ query, signal })).data,
    placeholderData: keepPreviousData,
  });
}

export function revenueQuery(query: RevenueQuery) {
  return queryOptions({
    queryKey: ['admin', 'revenue', query],
    queryFn: async ({ signal }) => (await billingGetRevenue({ query, signal })).data,
    placeholderData: keepPreviousData,
  });
}

export function holdsQuery(page: number) {
  return queryOptions({
    queryKey: ['admin', 'holds', page],
    queryFn: async ({ signal }) =>
      (await billingListOpenHolds({ query: { page, limit: 20 }, signal })).data,
    placeholderData: keepPreviousData,
    // Holds last minutes: keep the list fresh while it is on screen.
    refetchInterval: 30_000,
  });
}

export function auditQuery(query: AuditQuery) {
  return queryOptions({
    queryKey: ['admin', 'audit', query],
    queryFn: async ({ signal }) => (await auditListAuditEntries({ query, signal })).data,
    placeholderData: keepPreviousData,
  });
}

export const auditChainQuery = queryOptions({
  queryKey: ['admin', 'audit-chain'],
  queryFn: async ({ signal }) => (await auditVerifyAuditChain({ signal })).data,
  staleTime: 0,
});

export const adminPsychiatristsQuery = queryOptions({
  queryKey: ['psychiatrists'],
  queryFn: async ({ signal }) => (await psychiatristsListPsychiatrists({ signal })).data,
});

export function psychiatristQuery(id: string) {
  return queryOptions({
    queryKey: ['psychiatrist', id],
    queryFn: async ({ signal }) =>
      (await psychiatristsGetPsychiatrist({ path: { psychiatrist_id: id }, signal })).data,
  });
}

export function licensesQuery(id: string) {
  return queryOptions({
    queryKey: ['admin', 'licenses', id],
    queryFn: async ({ signal }) =>
      (await psychiatristsListLicenses({ path: { psychiatrist_id: id }, signal })).data,
  });
}

export function availabilityQuery(id: string) {
  return queryOptions({
    queryKey: ['admin', 'availability', id],
    queryFn: async ({ signal }) =>
      (await availabilityGetAvailability({ path: { psychiatrist_id: id }, signal })).data,
  });
}

export function invitationsQuery(page: number) {
  return queryOptions({
    queryKey: ['admin', 'invitations', page],
    queryFn: async ({ signal }) =>
      (await adminListInvitations({ query: { page, limit: 20 }, signal })).data,
    placeholderData: keepPreviousData,
  });
}

export const allVisitTypesQuery = queryOptions({
  queryKey: ['admin', 'visit-types'],
  queryFn: async ({ signal }) =>
    (await visitTypesListVisitTypes({ query: { include_inactive: true }, signal })).data,
});

export const practiceSettingsKey = ['admin', 'practice-settings'] as const;

/** Every setting an admin may change, with its default and last change. */
export const practiceSettingsQuery = queryOptions({
  queryKey: practiceSettingsKey,
  queryFn: async ({ signal }) => (await practiceGetPracticeSettings({ signal })).data,
});
