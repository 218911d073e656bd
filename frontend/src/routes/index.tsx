import { lazy } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { Layout } from '../components/Layout';
import { RequireAuth } from '../components/RequireAuth';
import { HomePage } from '../features/home/HomePage';
import { NotFoundPage } from './NotFoundPage';

// Only the home page ships in the first bundle; every other page is its own chunk.
const SignUpPage = lazy(() => import('../features/auth/SignUpPage'));
const SignInPage = lazy(() => import('../features/auth/SignInPage'));
const VerifyEmailPage = lazy(() => import('../features/auth/VerifyEmailPage'));
const ForgotPasswordPage = lazy(() => import('../features/auth/ForgotPasswordPage'));
const ResetPasswordPage = lazy(() => import('../features/auth/ResetPasswordPage'));
const AcceptInvitePage = lazy(() => import('../features/auth/AcceptInvitePage'));
const MfaSetupPage = lazy(() => import('../features/auth/MfaSetupPage'));
const AccountPage = lazy(() => import('../features/account/AccountPage'));
const SsoCompletePage = lazy(() => import('../features/auth/SsoCompletePage'));
const MailboxPage = lazy(() => import('../features/mailbox/MailboxPage'));
// The patient portal: a layout chunk (auth, role, navigation) and one chunk per page.
const PatientArea = lazy(() => import('../features/patient/PatientArea'));
const PortalHome = lazy(() => import('../features/patient/PortalHome'));
const BookPage = lazy(() => import('../features/booking/BookPage'));
const MyVisitsPage = lazy(() => import('../features/visits/MyVisitsPage'));
const VisitPage = lazy(() => import('../features/visits/VisitPage'));
const ReschedulePage = lazy(() => import('../features/visits/ReschedulePage'));
const IntakePage = lazy(() => import('../features/intake/IntakePage'));
const QuestionnairesPage = lazy(() => import('../features/scales/QuestionnairesPage'));
const ScaleFormPage = lazy(() => import('../features/scales/ScaleFormPage'));
const ConsentsPage = lazy(() => import('../features/consents/ConsentsPage'));
const ConsentSignPage = lazy(() => import('../features/consents/ConsentSignPage'));
const ScoresPage = lazy(() => import('../features/scores/ScoresPage'));
const SummariesPage = lazy(() => import('../features/summaries/SummariesPage'));
const SummaryPage = lazy(() => import('../features/summaries/SummaryPage'));
const ProfilePage = lazy(() => import('../features/patient/ProfilePage'));
// The call and the pre-call check (WebRTC, signaling) are their own chunks, for both roles.
const CallPage = lazy(() => import('../features/call/CallPage'));
const PrecallPage = lazy(() => import('../features/precall/PrecallPage'));
// The psychiatrist's workspace: its own layout chunk and pages.
const WorkspaceArea = lazy(() => import('../features/workspace/WorkspaceArea'));
const TodayPage = lazy(() => import('../features/workspace/TodayPage'));
const MyPatientsPage = lazy(() => import('../features/workspace/MyPatientsPage'));
const ChartSummaryPage = lazy(() => import('../features/workspace/ChartSummaryPage'));
const TimelinePage = lazy(() => import('../features/workspace/TimelinePage'));
const SafetyInboxPage = lazy(() => import('../features/workspace/SafetyInboxPage'));
const AvailabilityPage = lazy(() => import('../features/workspace/AvailabilityPage'));
const PlanPage = lazy(() => import('../features/treatment/PlanPage'));
const SessionPage = lazy(() => import('../features/treatment/SessionPage'));
// The note editor (psychiatrists) and the admin console: their own chunks, never on the
// patient's first page.
const NoteForVisitPage = lazy(() => import('../features/notes/NoteForVisitPage'));
const NotePage = lazy(() => import('../features/notes/NotePage'));
const AdminArea = lazy(() => import('../features/admin/AdminArea'));
const BillingPage = lazy(() => import('../features/admin/BillingPage'));
const PaymentsPage = lazy(() => import('../features/admin/PaymentsPage'));
const RefundsPage = lazy(() => import('../features/admin/RefundsPage'));
const AuditPage = lazy(() => import('../features/admin/AuditPage'));
const PsychiatristsPage = lazy(() => import('../features/admin/PsychiatristsPage'));
const PsychiatristPage = lazy(() => import('../features/admin/PsychiatristPage'));
const VisitTypesPage = lazy(() => import('../features/admin/VisitTypesPage'));
const SettingsPage = lazy(() => import('../features/admin/SettingsPage'));

export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { index: true, element: <HomePage /> },
      { path: 'sign-up', element: <SignUpPage /> },
      { path: 'sign-in', element: <SignInPage /> },
      { path: 'sign-in/complete', element: <SsoCompletePage /> },
      { path: 'verify-email', element: <VerifyEmailPage /> },
      { path: 'forgot-password', element: <ForgotPasswordPage /> },
      { path: 'reset-password', element: <ResetPasswordPage /> },
      { path: 'accept-invite', element: <AcceptInvitePage /> },
      {
        path: 'mfa/setup',
        element: (
          <RequireAuth>
            <MfaSetupPage />
          </RequireAuth>
        ),
      },
      {
        path: 'account',
        element: (
          <RequireAuth>
            <AccountPage />
          </RequireAuth>
        ),
      },
      {
        path: 'visits/:bookingId/call',
        element: (
          <RequireAuth>
            <CallPage />
          </RequireAuth>
        ),
      },
      {
        path: 'visits/:bookingId/check',
        element: (
          <RequireAuth>
            <PrecallPage />
          </RequireAuth>
        ),
      },
      {
        element: <PatientArea />,
        children: [
          { path: 'portal', element: <PortalHome /> },
          { path: 'book', element: <BookPage /> },
          { path: 'visits', element: <MyVisitsPage /> },
          // The API's join link (e-mails, .ics) points here.
          { path: 'visits/:bookingId', element: <VisitPage /> },
          { path: 'visits/:bookingId/reschedule', element: <ReschedulePage /> },
          { path: 'intake', element: <IntakePage /> },
          { path: 'questionnaires', element: <QuestionnairesPage /> },
          { path: 'questionnaires/:code', element: <ScaleFormPage /> },
          { path: 'consents', element: <ConsentsPage /> },
          { path: 'consents/:kind', element: <ConsentSignPage /> },
          { path: 'scores', element: <ScoresPage /> },
          { path: 'summaries', element: <SummariesPage /> },
          { path: 'summaries/:noteId', element: <SummaryPage /> },
          { path: 'profile', element: <ProfilePage /> },
        ],
      },
      {
        element: <WorkspaceArea />,
        children: [
          { path: 'today', element: <TodayPage /> },
          { path: 'my-patients', element: <MyPatientsPage /> },
          { path: 'my-patients/:patientId', element: <ChartSummaryPage /> },
          { path: 'my-patients/:patientId/timeline', element: <TimelinePage /> },
          { path: 'safety', element: <SafetyInboxPage /> },
          { path: 'availability', element: <AvailabilityPage /> },
          { path: 'my-patients/:patientId/plans/:planId', element: <PlanPage /> },
          { path: 'infusion-sessions/:sessionId', element: <SessionPage /> },
        ],
      },
      {
        // Staff only: the workspace's guard and navigation around the note editor.
        element: <WorkspaceArea />,
        children: [
          { path: 'visits/:bookingId/note', element: <NoteForVisitPage /> },
          { path: 'notes/:noteId', element: <NotePage /> },
        ],
      },
      {
        path: 'admin',
        element: <AdminArea />,
        children: [
          { index: true, element: <BillingPage /> },
          { path: 'payments', element: <PaymentsPage /> },
          { path: 'refunds', element: <RefundsPage /> },
          { path: 'audit', element: <AuditPage /> },
          { path: 'psychiatrists', element: <PsychiatristsPage /> },
          { path: 'psychiatrists/:psychiatristId', element: <PsychiatristPage /> },
          { path: 'visit-types', element: <VisitTypesPage /> },
          { path: 'settings', element: <SettingsPage /> },
        ],
      },
      { path: 'dev/mailbox/:messageId?', element: <MailboxPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

export function createRouter() {
  return createBrowserRouter(routes);
}
