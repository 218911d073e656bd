import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import {
  type AvailabilityRead,
  type AvailabilityRuleRead,
  availabilityAddAvailabilityRule,
  availabilityAddTimeOff,
  availabilityDeleteAvailabilityRule,
  availabilityDeleteTimeOff,
  psychiatristsDeleteLicense,
  psychiatristsPutLicense,
} from '../../api/generated';
import { SelectField, TextField } from '../../components/Field';
import { FormAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { US_STATES } from '../auth/usStates';
import { addDays, formatDate, formatDateTimeIn } from '../patient/format';
import { ConfirmButton } from './ConfirmButton';
import { ListRegion } from './ListRegion';
import { availabilityQuery, licensesQuery, psychiatristQuery } from './queries';
import { zonedInstant } from './zoned';

type Weekday = AvailabilityRuleRead['weekday'];
const WEEKDAYS: readonly Weekday[] = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
];

/** One psychiatrist: licences (add, renew, remove), weekly hours and time off. */
export function PsychiatristPage() {
  const { t } = useI18n();
  const { psychiatristId = '' } = useParams();
  const profile = useQuery(psychiatristQuery(psychiatristId));
  usePageTitle(profile.data?.display_name ?? t('admin.psychiatrists.title'));
  if (profile.isPending) return <Loading />;
  if (profile.isError) {
    return <ErrorState error={profile.error} onRetry={() => void profile.refetch()} />;
  }
  return (
    <section>
      <p>
        <Link to="/admin/psychiatrists">{t('admin.psychiatrists.back')}</Link>
      </p>
      <div className="page-head">
        <PageHeading>
          {profile.data.display_name}
          {profile.data.credentials ? `, ${profile.data.credentials}` : ''}
        </PageHeading>
      </div>
      <p className="muted">{t('admin.psychiatrists.zone', { zone: profile.data.time_zone })}</p>
      <Licenses psychiatristId={psychiatristId} />
      <Availability psychiatristId={psychiatristId} />
    </section>
  );
}

const LICENSE_FIELDS = ['number', 'expires_on', 'state'] as const;

function Licenses({ psychiatristId }: { psychiatristId: string }) {
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const licenses = useQuery(licensesQuery(psychiatristId));
  const [state, setState] = useState('');
  const [number, setNumber] = useState('');
  const [expires, setExpires] = useState('');
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['admin', 'licenses', psychiatristId] });
    void queryClient.invalidateQueries({ queryKey: ['psychiatrists'] });
    void queryClient.invalidateQueries({ queryKey: ['psychiatrist', psychiatristId] });
  };
  const save = useMutation({
    mutationFn: async () =>
      (
        await psychiatristsPutLicense({
          path: { psychiatrist_id: psychiatristId, state },
          body: { number: number.trim(), expires_on: expires },
        })
      ).data,
    onSuccess: () => {
      setNumber('');
      setExpires('');
      setState('');
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: async (code: string) =>
      psychiatristsDeleteLicense({ path: { psychiatrist_id: psychiatristId, state: code } }),
    onSuccess: refresh,
  });
  const errors = useFormErrors(save.error, LICENSE_FIELDS);
  return (
    <section className="card" aria-labelledby="licenses-heading">
      <h2 id="licenses-heading">{t('admin.licenses.title')}</h2>
      <p className="muted">{t('admin.licenses.intro')}</p>
      {remove.isError ? <ErrorState error={remove.error} /> : null}
      {licenses.isPending ? (
        <Loading />
      ) : licenses.isError ? (
        <ErrorState error={licenses.error} onRetry={() => void licenses.refetch()} />
      ) : licenses.data.length === 0 ? (
        <Empty>{t('admin.licenses.none')}</Empty>
      ) : (
        <ListRegion label={t('admin.licenses.title')}>
          <table className="table data-table">
            <thead>
              <tr>
                <th scope="col">{t('admin.licenses.state')}</th>
                <th scope="col">{t('admin.licenses.number')}</th>
                <th scope="col">{t('admin.licenses.expires')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.col.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {licenses.data.map((l) => (
                <tr key={l.state}>
                  <td data-label={t('admin.licenses.state')}>{l.state}</td>
                  <td data-label={t('admin.licenses.number')}>{l.number}</td>
                  <td data-label={t('admin.licenses.expires')}>
                    {formatDate(l.expires_on, language)}{' '}
                    {l.active ? null : (
                      <span className="badge warn">{t('admin.licenses.lapsed')}</span>
                    )}
                  </td>
                  <td>
                    <ConfirmButton
                      label={t('admin.licenses.remove', { state: l.state })}
                      confirmLabel={t('admin.licenses.removeConfirm', { state: l.state })}
                      disabled={remove.isPending}
                      onConfirm={() => remove.mutate(l.state)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ListRegion>
      )}
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate();
        }}
      >
        <h3>{t('admin.licenses.add')}</h3>
        <FormAlert error={errors.apiError} messages={errors.form} />
        <SelectField
          label={t('admin.licenses.state')}
          value={state}
          required
          error={errors.fields.state}
          onChange={(e) => setState(e.target.value)}
        >
          <option value="">{t('admin.licenses.pickState')}</option>
          {US_STATES.map(([code, name]) => (
            <option key={code} value={code}>
              {name} ({code})
            </option>
          ))}
        </SelectField>
        <TextField
          label={t('admin.licenses.number')}
          value={number}
          required
          maxLength={40}
          autoComplete="off"
          error={errors.fields.number}
          onChange={(e) => setNumber(e.target.value)}
        />
        <TextField
          label={t('admin.licenses.expires')}
          hint={t('admin.licenses.expiresHint')}
          type="date"
          value={expires}
          required
          error={errors.fields.expires_on}
          onChange={(e) => setExpires(e.target.value)}
        />
        <button type="submit" className="button primary" disabled={save.isPending || !state}>
          {save.isPending ? t('form.working') : t('admin.licenses.save')}
        </button>
      </form>
    </section>
  );
}

export function Availability({ psychiatristId }: { psychiatristId: string }) {
  const { t } = useI18n();
  const availability = useQuery(availabilityQuery(psychiatristId));
  return (
    <section className="card" aria-labelledby="availability-heading">
      <h2 id="availability-heading">{t('admin.availability.title')}</h2>
      {availability.isPending ? (
        <Loading />
      ) : availability.isError ? (
        <ErrorState error={availability.error} onRetry={() => void availability.refetch()} />
      ) : (
        <>
          <p className="muted">
            {t('admin.availability.zone', { zone: availability.data.time_zone })}
          </p>
          <WeeklyHours psychiatristId={psychiatristId} data={availability.data} />
          <TimeOff psychiatristId={psychiatristId} data={availability.data} />
          <Overrides data={availability.data} />
          <h3>{t('admin.availability.settings')}</h3>
          <dl className="facts">
            <dt>{t('admin.availability.buffer')}</dt>
            <dd>{t('admin.minutes', { minutes: availability.data.settings.buffer_minutes })}</dd>
            <dt>{t('admin.availability.step')}</dt>
            <dd>{t('admin.minutes', { minutes: availability.data.settings.slot_step_minutes })}</dd>
            <dt>{t('admin.availability.notice')}</dt>
            <dd>
              {t('admin.minutes', { minutes: availability.data.settings.min_notice_minutes })}
            </dd>
            <dt>{t('admin.availability.horizon')}</dt>
            <dd>{t('admin.days', { days: availability.data.settings.horizon_days })}</dd>
          </dl>
        </>
      )}
    </section>
  );
}

const RULE_FIELDS = ['weekday', 'start', 'end'] as const;

function WeeklyHours({ psychiatristId, data }: { psychiatristId: string; data: AvailabilityRead }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [weekday, setWeekday] = useState<Weekday>('monday');
  const [start, setStart] = useState('09:00');
  const [end, setEnd] = useState('17:00');
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: ['admin', 'availability', psychiatristId] });
  const add = useMutation({
    mutationFn: async () =>
      (
        await availabilityAddAvailabilityRule({
          path: { psychiatrist_id: psychiatristId },
          body: { weekday, start, end },
        })
      ).data,
    onSuccess: () => void refresh(),
  });
  const remove = useMutation({
    mutationFn: async (ruleId: string) =>
      availabilityDeleteAvailabilityRule({
        path: { psychiatrist_id: psychiatristId, rule_id: ruleId },
      }),
    onSuccess: () => void refresh(),
  });
  const errors = useFormErrors(add.error, RULE_FIELDS);
  const byDay = WEEKDAYS.map((day) => [day, data.rules.filter((r) => r.weekday === day)] as const);
  return (
    <>
      <h3>{t('admin.availability.weekly')}</h3>
      {remove.isError ? <ErrorState error={remove.error} /> : null}
      {data.rules.length === 0 ? (
        <Empty>{t('admin.availability.noHours')}</Empty>
      ) : (
        <dl className="facts weekly-hours">
          {byDay
            .filter(([, rules]) => rules.length > 0)
            .map(([day, rules]) => (
              <div key={day}>
                <dt>{t(`admin.weekday.${day}`)}</dt>
                <dd>
                  <ul className="plain-list">
                    {rules.map((r) => (
                      <li key={r.id}>
                        {r.start.slice(0, 5)}–{r.end.slice(0, 5)}{' '}
                        <ConfirmButton
                          label={t('admin.availability.removeHours', {
                            day: t(`admin.weekday.${day}`),
                            start: r.start.slice(0, 5),
                            end: r.end.slice(0, 5),
                          })}
                          confirmLabel={t('admin.availability.removeConfirm')}
                          onConfirm={() => remove.mutate(r.id)}
                        />
                      </li>
                    ))}
                  </ul>
                </dd>
              </div>
            ))}
        </dl>
      )}
      <form
        className="form inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          add.mutate();
        }}
      >
        <FormAlert error={errors.apiError} messages={errors.form} />
        <SelectField
          label={t('admin.availability.weekday')}
          value={weekday}
          error={errors.fields.weekday}
          onChange={(e) => setWeekday(e.target.value as Weekday)}
        >
          {WEEKDAYS.map((day) => (
            <option key={day} value={day}>
              {t(`admin.weekday.${day}`)}
            </option>
          ))}
        </SelectField>
        <TextField
          label={t('admin.availability.start')}
          type="time"
          value={start}
          required
          error={errors.fields.start}
          onChange={(e) => setStart(e.target.value)}
        />
        <TextField
          label={t('admin.availability.end')}
          type="time"
          value={end}
          required
          error={errors.fields.end}
          onChange={(e) => setEnd(e.target.value)}
        />
        <button type="submit" className="button primary" disabled={add.isPending}>
          {add.isPending ? t('form.working') : t('admin.availability.addHours')}
        </button>
      </form>
    </>
  );
}

const TIME_OFF_FIELDS = ['starts_at', 'ends_at', 'reason'] as const;

function TimeOff({ psychiatristId, data }: { psychiatristId: string; data: AvailabilityRead }) {
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const zone = data.time_zone;
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: ['admin', 'availability', psychiatristId] });
  const add = useMutation({
    mutationFn: async () =>
      (
        await availabilityAddTimeOff({
          path: { psychiatrist_id: psychiatristId },
          body: {
            // Whole days in the psychiatrist's zone, the last one included.
            starts_at: zonedInstant(from, '00:00', zone),
            ends_at: zonedInstant(addDays(to || from, 1), '00:00', zone),
            reason: reason.trim() || null,
          },
        })
      ).data,
    onSuccess: () => {
      setFrom('');
      setTo('');
      setReason('');
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: async (id: string) =>
      availabilityDeleteTimeOff({ path: { psychiatrist_id: psychiatristId, time_off_id: id } }),
    onSuccess: () => void refresh(),
  });
  const errors = useFormErrors(add.error, TIME_OFF_FIELDS);
  return (
    <>
      <h3>{t('admin.availability.timeOff')}</h3>
      {remove.isError ? <ErrorState error={remove.error} /> : null}
      {data.time_off.length === 0 ? (
        <Empty>{t('admin.availability.noTimeOff')}</Empty>
      ) : (
        <ul className="plain-list">
          {data.time_off.map((off) => (
            <li key={off.id}>
              {formatDateTimeIn(off.starts_at, zone, language)} –{' '}
              {formatDateTimeIn(off.ends_at, zone, language)}
              {off.reason ? ` · ${off.reason}` : ''}{' '}
              <ConfirmButton
                label={t('admin.availability.removeTimeOff')}
                confirmLabel={t('admin.availability.removeConfirm')}
                onConfirm={() => remove.mutate(off.id)}
              />
            </li>
          ))}
        </ul>
      )}
      <form
        className="form inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          add.mutate();
        }}
      >
        <FormAlert error={errors.apiError} messages={errors.form} />
        <TextField
          label={t('admin.availability.firstDay')}
          type="date"
          value={from}
          required
          error={errors.fields.starts_at}
          onChange={(e) => setFrom(e.target.value)}
        />
        <TextField
          label={t('admin.availability.lastDay')}
          type="date"
          value={to}
          min={from || undefined}
          error={errors.fields.ends_at}
          onChange={(e) => setTo(e.target.value)}
        />
        <TextField
          label={t('admin.availability.reason')}
          value={reason}
          maxLength={200}
          error={errors.fields.reason}
          onChange={(e) => setReason(e.target.value)}
        />
        <button type="submit" className="button primary" disabled={add.isPending || !from}>
          {add.isPending ? t('form.working') : t('admin.availability.addTimeOff')}
        </button>
      </form>
    </>
  );
}

function Overrides({ data }: { data: AvailabilityRead }) {
  const { t, language } = useI18n();
  if (data.overrides.length === 0) return null;
  return (
    <>
      <h3>{t('admin.availability.overrides')}</h3>
      <ul className="plain-list">
        {data.overrides.map((o) => (
          <li key={o.id}>
            {formatDate(o.on_date, language)}:{' '}
            {o.windows.length === 0
              ? t('admin.availability.away')
              : o.windows
                  .map((w) => `${String(w[0]).slice(0, 5)}–${String(w[1]).slice(0, 5)}`)
                  .join(', ')}
            {o.reason ? ` · ${o.reason}` : ''}
          </li>
        ))}
      </ul>
    </>
  );
}

export default PsychiatristPage;
