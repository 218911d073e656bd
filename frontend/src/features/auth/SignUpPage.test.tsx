import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderPage, stubFetch } from '../../test/render';
import { SignUpPage } from './SignUpPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

async function fillForm(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText('Full name'), 'Ana Rivera');
  await user.type(screen.getByLabelText('E-mail'), 'ana@example.org');
  await user.type(screen.getByLabelText('Password'), 'correct horse battery');
  await user.type(screen.getByLabelText('Date of birth'), '1990-04-12');
  await user.selectOptions(screen.getByLabelText('State where you live'), 'ID');
}

describe('SignUpPage', () => {
  it('shows the server field error on the field it names', async () => {
    const { requests } = stubFetch({
      'POST /api/auth/register': {
        status: 422,
        contentType: 'application/problem+json',
        body: {
          type: 'https://halcyon.health/problems/validation',
          title: 'Invalid input',
          status: 422,
          errors: [
            {
              field: 'body.email',
              message: 'This e-mail address cannot receive mail.',
              code: 'value_error',
            },
          ],
        },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<SignUpPage />, { path: '/sign-up' });

    await fillForm(user);
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    const message = await screen.findByText('This e-mail address cannot receive mail.');
    const email = screen.getByLabelText('E-mail');
    expect(email).toHaveAttribute('aria-invalid', 'true');
    expect(email).toHaveFocus();
    expect(email).toHaveAccessibleDescription('This e-mail address cannot receive mail.');
    expect(message.id).toBe(email.getAttribute('aria-describedby'));
    expect(screen.getByLabelText('Full name')).not.toHaveAttribute('aria-invalid');
    expect(screen.getByRole('alert')).toHaveTextContent('Please check the form');

    expect(requests).toHaveLength(1);
    const sent = requests[0];
    expect(sent?.method).toBe('POST');
    expect(new URL(sent?.url ?? '').pathname).toBe('/api/auth/register');
    expect(sent?.credentials).toBe('include');
    expect(await sent?.json()).toMatchObject({
      email: 'ana@example.org',
      full_name: 'Ana Rivera',
      date_of_birth: '1990-04-12',
      state: 'ID',
      language: 'en',
    });
  });

  it("shows a 429's detail, which says when to try again", async () => {
    stubFetch({
      'POST /api/auth/register': {
        status: 429,
        contentType: 'application/problem+json',
        body: {
          title: 'Too many attempts',
          status: 429,
          detail: 'Too many sign-ups from this address. Try again in 10 minutes.',
          errors: [],
          retry_after: 600,
        },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<SignUpPage />, { path: '/sign-up' });

    await fillForm(user);
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Too many sign-ups from this address. Try again in 10 minutes.',
    );
  });

  it('confirms the e-mail was sent after a 202', async () => {
    stubFetch({
      'POST /api/auth/register': { status: 202, body: { message: 'Check your e-mail.' } },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<SignUpPage />, { path: '/sign-up', language: 'es' });

    await user.type(screen.getByLabelText('Nombre completo'), 'Ana Rivera');
    await user.type(screen.getByLabelText('Correo electrónico'), 'ana@example.org');
    await user.type(screen.getByLabelText('Contraseña'), 'correct horse battery');
    await user.type(screen.getByLabelText('Fecha de nacimiento'), '1990-04-12');
    await user.selectOptions(screen.getByLabelText('Estado donde vive'), 'CA');
    await user.click(screen.getByRole('button', { name: 'Crear cuenta' }));

    expect(await screen.findByRole('heading', { name: 'Revise su correo' })).toBeInTheDocument();
    expect(screen.getByText(/ana@example\.org/)).toBeInTheDocument();
  });
});
