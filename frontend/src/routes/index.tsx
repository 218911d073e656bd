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
      { path: 'dev/mailbox/:messageId?', element: <MailboxPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

export function createRouter() {
  return createBrowserRouter(routes);
}
