import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PatientProfile } from '../../api/generated';
import { renderPage, stubFetch } from '../../test/render';
import { PROBLEM } from './fixtures';
import { ProfilePage } from './ProfilePage';

afterEach(() => vi.unstubAllGlobals());

const PROFILE: PatientProfile = {
  patient_id: '5f0c1a8e-0000-4000-8000-000000000001',
  legal_name: 'Ana Ruiz',
  preferred_name: null,
  date_of_birth: '1990-01-01',
  sex: null,
  state: 'CO',
  current_state: null,
  time_zone: 'America/Denver',
  language: 'en',
  phone: '+13035550100',
  emergency_contact: null,
  primary_care: null,
  pharmacy: null,
  updated_at: null,
};

const invalid = (field: string, message: string) => ({
  status: 422,
  contentType: PROBLEM,
  body: {
    type: 'https://halcyon.health/problems/validation',
    title: 'Invalid input',
    status: 422,
    errors: [{ field, message, code: 'value_error' }],
  },
});

describe('ProfilePage', () => {
  it('puts a 422 on the field it is about, then saves once corrected', async () => {
    const { requests } = stubFetch({
      'GET /api/patients/me/profile': { status: 200, body: PROFILE },
      'PATCH /api/patients/me/profile': [
        invalid('body.emergency_contact.phone', 'Enter a phone number with at least 7 digits.'),
        {
          status: 200,
          body: {
            ...PROFILE,
            preferred_name: 'Ana',
            emergency_contact: { name: 'Luis Ruiz', phone: '+13035550199', relationship: null },
          },
        },
      ],
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<ProfilePage />);

    const legal = await screen.findByLabelText('Legal name');
    expect(legal).toHaveValue('Ana Ruiz');
    expect(screen.getByLabelText('State where you live')).toHaveValue('CO');
    await user.type(screen.getByLabelText('Name you go by'), 'Ana');
    await user.type(screen.getByLabelText('Their name'), 'Luis Ruiz');
    await user.type(screen.getByLabelText('Their phone'), '12');
    await user.click(screen.getByRole('button', { name: 'Save my profile' }));

    const phone = screen.getByLabelText('Their phone');
    await waitFor(() => expect(phone).toHaveAttribute('aria-invalid', 'true'));
    expect(phone).toHaveAccessibleDescription('Enter a phone number with at least 7 digits.');
    // Only that field: the patient's own phone is fine.
    expect(screen.getByLabelText('Phone')).not.toHaveAttribute('aria-invalid');
    const first = await requests.find((r) => r.method === 'PATCH')?.json();
    expect(first).toMatchObject({
      legal_name: 'Ana Ruiz',
      preferred_name: 'Ana',
      phone: '+13035550100',
      state: 'CO',
      current_state: null,
      time_zone: 'America/Denver',
      language: 'en',
      emergency_contact: { name: 'Luis Ruiz', phone: '12', relationship: null },
      pharmacy: null,
    });

    await user.clear(phone);
    await user.type(phone, '+13035550199');
    await user.click(screen.getByRole('button', { name: 'Save my profile' }));
    expect(await screen.findByText('Your profile is saved.')).toBeInTheDocument();
    expect(screen.getByLabelText('Their phone')).not.toHaveAttribute('aria-invalid');
  });

  it('switches the app to the language the patient saves', async () => {
    stubFetch({
      'GET /api/patients/me/profile': { status: 200, body: PROFILE },
      'PATCH /api/patients/me/profile': { status: 200, body: { ...PROFILE, language: 'es' } },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<ProfilePage />);
    await user.selectOptions(
      await screen.findByLabelText('Language for the app, e-mails and reminders'),
      'es',
    );
    await user.click(screen.getByRole('button', { name: 'Save my profile' }));
    expect(await screen.findByRole('button', { name: 'Guardar mi perfil' })).toBeInTheDocument();
  });
});
