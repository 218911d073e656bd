import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { SlotRead } from '../../api/generated';
import { SelectField, TextField } from '../../components/Field';
import { Empty, ErrorState, Loading } from '../../components/States';
import { LANGUAGES, useI18n } from '../../i18n';
import { browserTimeZone } from '../auth/usStates';
import { addDays, dayIn, daysBetween, formatDayIn, formatTimeIn } from '../patient/format';
import { psychiatristsQuery, slotsQuery } from '../patient/queries';
import { TimeZoneControl } from './TimeZoneControl';

/** A slot's identity: one psychiatrist at one start time. */
export function slotKey(slot: Pick<SlotRead, 'psychiatrist_id' | 'starts_at'>): string {
  return `${slot.psychiatrist_id}|${slot.starts_at}`;
}

const MAX_RANGE_DAYS = 31;

/**
 * Open times for a visit type between two days, as two radio groups: the days that have open
 * times (with how many), then the times of the day chosen (the first day, or the chosen time's).
 * Two weeks of an open schedule stay a short list of days rather than hundreds of times, and
 * each group is one stop for Tab (the arrow keys move within it). Shared by booking (any
 * psychiatrist, filterable) and rescheduling (the visit's psychiatrist only).
 */
export function SlotPicker({
  visitTypeId,
  fixedPsychiatristId,
  selected,
  onSelect,
  error,
  zoneHint,
}: {
  visitTypeId: string;
  /** Rescheduling keeps the same psychiatrist: no filter is offered. */
  fixedPsychiatristId?: string;
  selected: SlotRead | null;
  onSelect: (slot: SlotRead | null) => void;
  /** A server message about the chosen time (e.g. `starts_at` of a 422). */
  error?: string | undefined;
  /** The patient's zone before the first search answers. */
  zoneHint?: string | undefined;
}) {
  const { t, language } = useI18n();
  const startZone = zoneHint ?? browserTimeZone();
  const [from, setFrom] = useState(() => dayIn(new Date(), startZone));
  const [to, setTo] = useState(() => addDays(dayIn(new Date(), startZone), 13));
  const [psychiatristId, setPsychiatristId] = useState(fixedPsychiatristId ?? '');
  const [speaks, setSpeaks] = useState('');
  const psychiatrists = useQuery({ ...psychiatristsQuery, enabled: !fixedPsychiatristId });

  const rangeError =
    daysBetween(from, to) < 0
      ? t('book.rangeBackwards')
      : daysBetween(from, to) > MAX_RANGE_DAYS
        ? t('book.rangeTooLong', { days: MAX_RANGE_DAYS })
        : undefined;
  const slots = useQuery({
    ...slotsQuery({
      visitTypeId,
      from,
      to,
      psychiatristId: psychiatristId || undefined,
      language: speaks || undefined,
    }),
    enabled: !rangeError && Boolean(from && to),
  });
  const zone = slots.data?.time_zone ?? startZone;

  const days = useMemo(() => {
    const groups = new Map<string, SlotRead[]>();
    for (const slot of slots.data?.slots ?? []) {
      const day = dayIn(slot.starts_at, zone);
      const list = groups.get(day);
      if (list) list.push(slot);
      else groups.set(day, [slot]);
    }
    return [...groups.entries()];
  }, [slots.data, zone]);

  const selectedKey = selected ? slotKey(selected) : null;
  const [chosenDay, setChosenDay] = useState<string | null>(null);
  const selectedDay = selected ? dayIn(selected.starts_at, zone) : null;
  const [shownDay, shownSlots] = days.find(([day]) => day === chosenDay) ??
    days.find(([day]) => day === selectedDay) ??
    days[0] ?? [null, []];
  return (
    <div className="slot-picker">
      <TimeZoneControl zone={zone} />
      <div className="filters">
        <TextField
          label={t('book.from')}
          type="date"
          value={from}
          onChange={(e) => {
            setFrom(e.target.value);
            onSelect(null);
          }}
          required
        />
        <TextField
          label={t('book.to')}
          type="date"
          value={to}
          min={from}
          onChange={(e) => {
            setTo(e.target.value);
            onSelect(null);
          }}
          error={rangeError}
          required
        />
        {!fixedPsychiatristId ? (
          <SelectField
            label={t('book.psychiatrist')}
            value={psychiatristId}
            onChange={(e) => {
              setPsychiatristId(e.target.value);
              onSelect(null);
            }}
          >
            <option value="">{t('book.anyPsychiatrist')}</option>
            {(psychiatrists.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.credentials ? `${p.display_name}, ${p.credentials}` : p.display_name}
              </option>
            ))}
          </SelectField>
        ) : null}
        {!fixedPsychiatristId ? (
          <SelectField
            label={t('book.language')}
            value={speaks}
            onChange={(e) => {
              setSpeaks(e.target.value);
              onSelect(null);
            }}
          >
            <option value="">{t('book.anyLanguage')}</option>
            {LANGUAGES.map((lang) => (
              <option key={lang} value={lang} lang={lang}>
                {t(`language.${lang}`)}
              </option>
            ))}
          </SelectField>
        ) : null}
      </div>
      {!rangeError && days.length > 0 ? (
        <fieldset className="slot-days">
          <legend>{t('book.chooseDay')}</legend>
          <ul className="day-list">
            {days.map(([day, list]) => (
              <li key={day}>
                <label className={day === shownDay ? 'slot selected' : 'slot'}>
                  <input
                    type="radio"
                    name="slot-day"
                    value={day}
                    checked={day === shownDay}
                    onChange={() => {
                      setChosenDay(day);
                      if (day !== selectedDay) onSelect(null); // a time is chosen on the day shown
                    }}
                  />
                  <span className="slot-time">
                    {formatDayIn(list[0]?.starts_at ?? day, zone, language)}
                  </span>
                  <span className="slot-who">{t('book.timesCount', { count: list.length })}</span>
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
      ) : null}
      <fieldset className="slots" aria-describedby={error ? 'slot-error' : undefined}>
        <legend>{t('book.chooseTime')}</legend>
        {error ? (
          <p className="field-error" id="slot-error">
            {error}
          </p>
        ) : null}
        {rangeError ? null : slots.isPending ? (
          <Loading label={t('book.searching')} />
        ) : slots.isError ? (
          <ErrorState error={slots.error} onRetry={() => void slots.refetch()} />
        ) : shownDay === null ? (
          <Empty>{t('book.noSlots')}</Empty>
        ) : (
          <section key={shownDay} className="slot-day" aria-labelledby={`day-${shownDay}`}>
            <h3 id={`day-${shownDay}`}>
              {formatDayIn(shownSlots[0]?.starts_at ?? shownDay, zone, language)}
            </h3>
            <ul className="slot-list">
              {shownSlots.map((slot) => {
                const key = slotKey(slot);
                return (
                  <li key={key}>
                    <label className={key === selectedKey ? 'slot selected' : 'slot'}>
                      <input
                        type="radio"
                        name="slot"
                        value={key}
                        checked={key === selectedKey}
                        onChange={() => onSelect(slot)}
                      />
                      <span className="slot-time">
                        {formatTimeIn(slot.starts_at, zone, language)}
                      </span>
                      {fixedPsychiatristId ? null : (
                        <>
                          {' '}
                          <span className="slot-who">{slot.psychiatrist_name}</span>
                        </>
                      )}
                    </label>
                  </li>
                );
              })}
            </ul>
          </section>
        )}
      </fieldset>
    </div>
  );
}
