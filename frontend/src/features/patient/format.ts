import type { Language } from '../../i18n';

/** An amount in the smallest unit of its currency, in the reader's language: "$150.00". */
export function formatMoney(cents: number, currency: string, language: Language): string {
  try {
    return new Intl.NumberFormat(language, {
      style: 'currency',
      currency: currency.toUpperCase(),
    }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

function format(iso: string, language: Language, options: Intl.DateTimeFormatOptions): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(language, options).format(date);
  } catch {
    // An unknown zone name: fall back to the browser's zone rather than showing nothing.
    const { timeZone: _ignored, ...rest } = options;
    return new Intl.DateTimeFormat(language, rest).format(date);
  }
}

/** "Tue, Mar 3, 2026, 2:30 PM MST": a visit time, in the zone it is meant in. */
export function formatDateTimeIn(iso: string, zone: string, language: Language): string {
  return format(iso, language, {
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone: zone,
    timeZoneName: 'short',
  });
}

/** "2:30 PM". */
export function formatTimeIn(iso: string, zone: string, language: Language): string {
  return format(iso, language, { hour: 'numeric', minute: '2-digit', timeZone: zone });
}

/** "Tuesday, March 3": a day heading. */
export function formatDayIn(iso: string, zone: string, language: Language): string {
  return format(iso, language, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    timeZone: zone,
  });
}

/** A date without a time ("Mar 3, 2026"); dates from the API are calendar days, not instants. */
export function formatDate(day: string, language: Language): string {
  return format(`${day.slice(0, 10)}T12:00:00Z`, language, {
    dateStyle: 'medium',
    timeZone: 'UTC',
  });
}

/** The calendar day (YYYY-MM-DD) an instant falls on in a zone. */
export function dayIn(iso: string | Date, zone: string): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  try {
    // en-CA writes dates as YYYY-MM-DD.
    return new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(date);
  } catch {
    return date.toISOString().slice(0, 10);
  }
}

/** YYYY-MM-DD plus some days. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Days from `from` to `to`, counting both. */
export function daysBetween(from: string, to: string): number {
  const ms = Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`);
  return Math.round(ms / 86_400_000);
}

/** "Mountain Standard Time"-style name of a zone, for "times are shown in …". */
export function zoneLabel(zone: string, language: Language): string {
  try {
    const parts = new Intl.DateTimeFormat(language, {
      timeZone: zone,
      timeZoneName: 'long',
    }).formatToParts(new Date());
    const name = parts.find((p) => p.type === 'timeZoneName')?.value;
    return name ? `${zone.replaceAll('_', ' ')} (${name})` : zone.replaceAll('_', ' ');
  } catch {
    return zone;
  }
}

/** A visit type's name in the reader's language, when the practice gave one. */
export function visitName(
  visitType: { name: string; name_es: string | null },
  language: Language,
): string {
  return language === 'es' && visitType.name_es ? visitType.name_es : visitType.name;
}
