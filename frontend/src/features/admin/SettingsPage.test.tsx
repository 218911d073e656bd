import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PracticeSettingRead, PracticeSettingsRead } from '../../api/generated';
import { renderPage, stubFetch } from '../../test/render';
import { SettingsPage } from './SettingsPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const SETTINGS_URL = '/api/admin/practice-settings';
const ADMIN = '5f0c1a8e-0000-4000-8000-000000000009';
const EN_TEXT = 'If you are thinking about hurting yourself, call or text 988 now.';

function setting(overrides: Partial<PracticeSettingRead> & Pick<PracticeSettingRead, 'key'>) {
  return {
    section: 'cancellation',
    kind: 'integer',
    unit: null,
    description: '',
    value: 0,
    default: 0,
    overridden: false,
    minimum: null,
    exclusive_minimum: false,
    maximum: null,
    max_length: null,
    changed: null,
    ...overrides,
  } satisfies PracticeSettingRead;
}

function settings(
  changes: Partial<Record<string, Partial<PracticeSettingRead>>> = {},
): PracticeSettingsRead {
  const all = [
    setting({
      key: 'cancellation_notice_hours',
      unit: 'hours',
      value: 24,
      default: 24,
      minimum: 0,
      maximum: 336,
    }),
    setting({
      key: 'cancellation_fee_cents',
      unit: 'cents',
      value: 5000,
      default: 5000,
      minimum: 0,
    }),
    setting({
      key: 'booking_horizon_days',
      section: 'booking',
      unit: 'days',
      value: 90,
      default: 60,
      minimum: 1,
      maximum: 366,
      overridden: true,
      changed: { id: ADMIN, name: 'Dana Admin', at: '2031-03-04T17:00:00Z' },
    }),
    setting({
      key: 'reminder_offsets_minutes',
      section: 'booking',
      kind: 'integer_list',
      unit: 'minutes',
      value: [1440, 60],
      default: [1440, 60],
      minimum: 5,
      maximum: 20160,
      max_items: 5,
    }),
    setting({
      key: 'crisis_resources_text',
      section: 'crisis',
      kind: 'text',
      value: EN_TEXT,
      default: EN_TEXT,
      max_length: 2000,
    }),
    setting({
      key: 'infusion_dose_min_mg_per_kg',
      section: 'infusion',
      kind: 'number',
      unit: 'mg_per_kg',
      value: 0.1,
      default: 0.1,
      minimum: 0,
      exclusive_minimum: true,
      maximum: 5,
    }),
    setting({
      key: 'phq9_remission_below',
      section: 'response',
      unit: 'points',
      value: 5,
      default: 5,
      minimum: 1,
      maximum: 27,
    }),
  ];
  return { settings: all.map((s) => ({ ...s, ...(changes[s.key] ?? {}) })) };
}

const PRACTICE = {
  name: 'Halcyon Ketamine & Interventional Psychiatry',
  crisis_line_phone: '988',
  crisis_line_text: EN_TEXT,
  crisis_line_text_es: 'Llame al 988.',
  environment: 'development',
};

function patches(requests: Request[]) {
  return requests.filter((r) => r.method === 'PATCH' && new URL(r.url).pathname === SETTINGS_URL);
}

describe('SettingsPage', () => {
  it('shows each setting in its section with its unit, limits, default and last change', async () => {
    stubFetch({
      [`GET ${SETTINGS_URL}`]: { status: 200, body: settings() },
      'GET /api/practice': { status: 200, body: PRACTICE },
    });
    renderPage(<SettingsPage />, { path: '/admin/settings' });
    const notice = await screen.findByLabelText('Notice for a full refund (hours)');
    expect(notice).toHaveValue(24);
    expect(notice).toHaveAccessibleDescription(/From 0 to 336 hours\.\s*Default: 24 hours\./);

    const cancellation = screen.getByRole('group', { name: 'Cancellation policy' });
    expect(
      within(cancellation).getByLabelText("Late-cancellation fee (amount in the visit's currency)"),
    ).toHaveValue('50.00');
    const horizon = screen.getByLabelText('Latest booking, from now (days)');
    expect(horizon).toHaveValue(90);
    expect(horizon).toHaveAccessibleDescription(
      /Default: 60 days\..*Changed by Dana Admin on .*2031/,
    );
    expect(screen.getByLabelText('Lowest dose per kg (mg/kg)')).toHaveAccessibleDescription(
      /More than 0 and at most 5 mg\/kg\./,
    );
    expect(screen.getByLabelText('Crisis message in English')).toHaveValue(EN_TEXT);
    // Only a changed setting can go back to its default.
    expect(screen.getAllByRole('button', { name: /Reset to default/ })).toHaveLength(1);
    expect(screen.getByText('development')).toBeInTheDocument();
  });

  it('saves only what changed, as the API wants it, and says so', async () => {
    const { requests } = stubFetch({
      [`GET ${SETTINGS_URL}`]: { status: 200, body: settings() },
      [`PATCH ${SETTINGS_URL}`]: {
        status: 200,
        body: settings({
          cancellation_notice_hours: { value: 48, overridden: true },
          cancellation_fee_cents: { value: 2500, overridden: true },
        }),
      },
      'GET /api/practice': { status: 200, body: PRACTICE },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<SettingsPage />, { path: '/admin/settings' });
    const notice = await screen.findByLabelText('Notice for a full refund (hours)');
    await user.clear(notice);
    await user.type(notice, '48');
    const fee = screen.getByLabelText(/Late-cancellation fee/);
    await user.clear(fee);
    await user.type(fee, '25.00');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    expect(await screen.findByText('Saved. The new values apply from now on.')).toBeInTheDocument();
    const [patch] = patches(requests);
    expect(await patch?.json()).toEqual({
      cancellation_notice_hours: 48,
      cancellation_fee_cents: 2500,
    });
    expect(screen.getAllByRole('button', { name: /Reset to default/ })).toHaveLength(3);
  });

  it('shows the API’s refusal next to the field it names, and keeps what was typed', async () => {
    stubFetch({
      [`GET ${SETTINGS_URL}`]: { status: 200, body: settings() },
      [`PATCH ${SETTINGS_URL}`]: {
        status: 422,
        contentType: 'application/problem+json',
        body: {
          type: 'https://halcyon.health/problems/practice-settings-invalid',
          title: 'These settings do not fit together',
          status: 422,
          detail:
            'The lowest dose per kg (1.5) must not be above the highest (1.0). Nothing was saved.',
          errors: [
            {
              field: 'body.infusion_dose_min_mg_per_kg',
              message: 'The lowest dose per kg (1.5) must not be above the highest (1.0).',
              code: 'out_of_order',
            },
          ],
        },
      },
      'GET /api/practice': { status: 200, body: PRACTICE },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<SettingsPage />, { path: '/admin/settings' });
    const dose = await screen.findByLabelText('Lowest dose per kg (mg/kg)');
    await user.clear(dose);
    await user.type(dose, '1.5');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    await vi.waitFor(() => expect(dose).toHaveAttribute('aria-invalid', 'true'));
    expect(dose).toHaveAccessibleDescription(/must not be above the highest/);
    expect(dose).toHaveFocus();
    expect(dose).toHaveValue(1.5);
    expect(screen.queryByText(/^Saved\./)).not.toBeInTheDocument();
  });

  it('refuses what is not a number on the field without asking the API', async () => {
    const { requests } = stubFetch({
      [`GET ${SETTINGS_URL}`]: { status: 200, body: settings() },
      'GET /api/practice': { status: 200, body: PRACTICE },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<SettingsPage />, { path: '/admin/settings' });
    const fee = await screen.findByLabelText(/Late-cancellation fee/);
    await user.clear(fee);
    await user.type(fee, 'fifty');
    const text = screen.getByLabelText('Crisis message in English');
    await user.clear(text);
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(fee).toHaveAttribute('aria-invalid', 'true');
    expect(fee).toHaveAccessibleDescription(/Enter an amount, such as 50.00\./);
    expect(fee).toHaveFocus();
    expect(text).toHaveAccessibleDescription(/This cannot be empty\./);
    expect(patches(requests)).toHaveLength(0);
  });

  it('takes the reminder offsets as numbers separated by commas, and none at all', async () => {
    const { requests } = stubFetch({
      [`GET ${SETTINGS_URL}`]: { status: 200, body: settings() },
      [`PATCH ${SETTINGS_URL}`]: [
        {
          status: 200,
          body: settings({ reminder_offsets_minutes: { value: [2880, 120], overridden: true } }),
        },
        {
          status: 200,
          body: settings({ reminder_offsets_minutes: { value: [], overridden: true } }),
        },
      ],
      'GET /api/practice': { status: 200, body: PRACTICE },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<SettingsPage />, { path: '/admin/settings' });
    const label = 'Reminder e-mails before a visit (minutes)';
    const reminders = await screen.findByLabelText(label);
    expect(reminders).toHaveValue('1440, 60');
    expect(reminders).toHaveAccessibleDescription(
      /Up to 5 numbers separated by commas, each from 5 to 20160 minutes\. Empty: no reminders\.\s*Default: 1440, 60 minutes\.\s*Visits already booked get the new reminders too/,
    );
    await user.clear(reminders);
    await user.type(reminders, '120 2880');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Saved. The new values apply from now on.')).toBeInTheDocument();
    expect(await patches(requests)[0]?.json()).toEqual({ reminder_offsets_minutes: [120, 2880] });
    expect(screen.getByLabelText(label)).toHaveValue('2880, 120'); // as the API keeps them

    await user.clear(screen.getByLabelText(label));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await vi.waitFor(() => expect(patches(requests)).toHaveLength(2));
    expect(await patches(requests)[1]?.json()).toEqual({ reminder_offsets_minutes: [] });
    await vi.waitFor(() => expect(screen.getByLabelText(label)).toHaveValue(''));
  });

  it('refuses reminder offsets that are not whole numbers, and shows the API’s word on one of them', async () => {
    const { requests } = stubFetch({
      [`GET ${SETTINGS_URL}`]: { status: 200, body: settings() },
      [`PATCH ${SETTINGS_URL}`]: {
        status: 422,
        contentType: 'application/problem+json',
        body: {
          type: 'https://halcyon.health/problems/validation',
          title: 'Some fields are not valid',
          status: 422,
          errors: [
            {
              field: 'body.reminder_offsets_minutes.1',
              message: 'Input should be greater than or equal to 5',
              code: 'greater_than_equal',
            },
          ],
        },
      },
      'GET /api/practice': { status: 200, body: PRACTICE },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<SettingsPage />, { path: '/admin/settings' });
    const reminders = await screen.findByLabelText('Reminder e-mails before a visit (minutes)');
    await user.clear(reminders);
    await user.type(reminders, '1 day, 1 hour');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(reminders).toHaveAttribute('aria-invalid', 'true');
    expect(reminders).toHaveAccessibleDescription(/Enter whole numbers separated by commas/);
    expect(patches(requests)).toHaveLength(0);

    await user.clear(reminders);
    await user.type(reminders, '1440, 1');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await vi.waitFor(() => expect(patches(requests)).toHaveLength(1));
    await vi.waitFor(() =>
      expect(reminders).toHaveAccessibleDescription(/greater than or equal to 5/),
    );
    expect(reminders).toHaveValue('1440, 1');
  });

  it('puts one setting back to its default', async () => {
    const { requests } = stubFetch({
      [`GET ${SETTINGS_URL}`]: { status: 200, body: settings() },
      [`PATCH ${SETTINGS_URL}`]: {
        status: 200,
        body: settings({
          booking_horizon_days: {
            value: 60,
            overridden: false,
            changed: { id: ADMIN, name: 'Dana Admin', at: '2031-03-05T17:00:00Z' },
          },
        }),
      },
      'GET /api/practice': { status: 200, body: PRACTICE },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<SettingsPage />, { path: '/admin/settings' });
    await user.click(
      await screen.findByRole('button', {
        name: 'Reset to default: Latest booking, from now (days)',
      }),
    );
    expect(
      await screen.findByText('Latest booking, from now (days): back to the default.'),
    ).toBeInTheDocument();
    expect(await patches(requests)[0]?.json()).toEqual({ booking_horizon_days: null });
    const horizon = screen.getByLabelText('Latest booking, from now (days)');
    expect(horizon).toHaveValue(60);
    expect(horizon).toHaveAccessibleDescription(/Reset to the default by Dana Admin/);
    expect(screen.queryByRole('button', { name: /Reset to default/ })).not.toBeInTheDocument();
  });

  it('says nothing changed when nothing did', async () => {
    const { requests } = stubFetch({
      [`GET ${SETTINGS_URL}`]: { status: 200, body: settings() },
      'GET /api/practice': { status: 200, body: PRACTICE },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<SettingsPage />, { path: '/admin/settings' });
    await user.click(await screen.findByRole('button', { name: 'Save changes' }));
    expect(screen.getByRole('status')).toHaveTextContent('Nothing has changed yet.');
    expect(patches(requests)).toHaveLength(0);
  });

  it('offers to try again when the settings cannot be loaded, in Spanish too', async () => {
    stubFetch({
      [`GET ${SETTINGS_URL}`]: [
        // A 4xx: not retried by the query client, so the page offers to try again.
        {
          status: 403,
          contentType: 'application/problem+json',
          body: { title: 'Not allowed', status: 403 },
        },
        { status: 200, body: settings() },
      ],
      'GET /api/practice': { status: 200, body: PRACTICE },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<SettingsPage />, { path: '/admin/settings', language: 'es' });
    await user.click(await screen.findByRole('button', { name: 'Intentar de nuevo' }));
    expect(
      await screen.findByLabelText('Antelación para el reembolso completo (horas)'),
    ).toHaveValue(24);
    expect(screen.getByRole('group', { name: 'Política de cancelación' })).toBeInTheDocument();
  });
});
