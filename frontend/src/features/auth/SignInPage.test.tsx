import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getSession, resetSessionForTests } from '../../api/session';
import { renderPage, stubFetch } from '../../test/render';
import { SignInPage } from './SignInPage';

const ME = {
  id: '5f0c1a8e-0000-4000-8000-000000000002',
  email: 'dr.lee@example.org',
  role: 'psychiatrist',
  full_name: 'Dr. Lee',
  email_verified: true,
  mfa_enabled: true,
  mfa_required: true,
} as const;

beforeEach(() => resetSessionForTests());
afterEach(() => vi.unstubAllGlobals());

function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/account" element={<h1>Account page</h1>} />
      <Route path="/portal" element={<h1>Patient portal</h1>} />
      <Route path="/today" element={<h1>Psychiatrist today</h1>} />
      <Route path="/book" element={<h1>Book page</h1>} />
      <Route path="/mfa/setup" element={<h1>MFA setup page</h1>} />
    </Routes>
  );
}

describe('SignInPage', () => {
  it('asks for the code when MFA is required, then signs in', async () => {
    const { requests } = stubFetch({
      'GET /api/auth/oidc': { status: 200, body: { enabled: false } },
      'POST /api/auth/login': {
        status: 200,
        body: { status: 'mfa_required', mfa_token: 'mfa-abc-123' },
      },
      'POST /api/auth/login/mfa': {
        status: 200,
        body: { status: 'ok', access_token: 'tok', expires_in: 600, user: ME },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<App />, { path: '/sign-in' });

    await user.type(screen.getByLabelText('E-mail'), 'dr.lee@example.org');
    await user.type(screen.getByLabelText('Password'), 'long enough password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const code = await screen.findByLabelText('Six-digit code');
    await user.type(code, '123456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));

    // A psychiatrist lands on their day.
    expect(await screen.findByRole('heading', { name: 'Psychiatrist today' })).toBeInTheDocument();
    expect(getSession()).toMatchObject({ status: 'signed-in', accessToken: 'tok' });
    const mfa = requests.find((r) => r.url.endsWith('/api/auth/login/mfa'));
    expect(await mfa?.json()).toEqual({ mfa_token: 'mfa-abc-123', code: '123456' });
  });

  it('lands a patient on their portal, or on the page that asked for sign-in', async () => {
    const patient = { ...ME, role: 'patient', mfa_enabled: false, mfa_required: false };
    stubFetch({
      'GET /api/auth/oidc': { status: 200, body: { enabled: false } },
      'POST /api/auth/login': {
        status: 200,
        body: { status: 'ok', access_token: 'tok', expires_in: 600, user: patient },
      },
    });
    const user = userEvent.setup({ delay: null });
    const { unmount } = renderPage(<App />, { path: '/sign-in' });
    await user.type(screen.getByLabelText('E-mail'), 'ana@example.org');
    await user.type(screen.getByLabelText('Password'), 'long enough password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Patient portal' })).toBeInTheDocument();
    unmount();

    renderPage(<App />, { path: '/sign-in?next=%2Fbook' });
    expect(await screen.findByRole('heading', { name: 'Book page' })).toBeInTheDocument();
  });

  it('sends staff without MFA to enrolment', async () => {
    stubFetch({
      'GET /api/auth/oidc': { status: 200, body: { enabled: false } },
      'POST /api/auth/login': {
        status: 200,
        body: {
          status: 'mfa_enrollment_required',
          access_token: 'limited',
          user: { ...ME, mfa_enabled: false },
        },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<App />, { path: '/sign-in' });

    await user.type(screen.getByLabelText('E-mail'), 'dr.lee@example.org');
    await user.type(screen.getByLabelText('Password'), 'long enough password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'MFA setup page' })).toBeInTheDocument();
    expect(getSession().mfaEnrollmentRequired).toBe(true);
  });

  it('shows wrong-password errors and offers single sign-on when enabled', async () => {
    stubFetch({
      'GET /api/auth/oidc': { status: 200, body: { enabled: true, display_name: 'Okta' } },
      'POST /api/auth/login': {
        status: 401,
        contentType: 'application/problem+json',
        body: { title: 'Sign-in required', status: 401, detail: 'Wrong e-mail or password.' },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<App />, { path: '/sign-in' });

    const sso = await screen.findByRole('link', { name: 'Sign in with Okta' });
    expect(sso).toHaveAttribute('href', '/api/auth/oidc/login');

    await user.type(screen.getByLabelText('E-mail'), 'dr.lee@example.org');
    await user.type(screen.getByLabelText('Password'), 'wrong password!!');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong e-mail or password.');
    expect(getSession().status).not.toBe('signed-in');
  });

  it('explains why single sign-on did not finish', async () => {
    stubFetch({
      'GET /api/auth/oidc': { status: 200, body: { enabled: true, display_name: 'Okta' } },
    });
    renderPage(<App />, { path: '/sign-in?sso_error=no_account' });
    expect(await screen.findByText(/No account uses that e-mail yet/)).toBeTruthy();
    expect(await screen.findByRole('link', { name: 'Sign in with Okta' })).toBeTruthy();
  });
});
