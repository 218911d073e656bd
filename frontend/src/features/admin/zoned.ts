/** The offset of `zone` from UTC at an instant, in minutes (e.g. -420 for 7 hours behind). */
function offsetMinutes(instant: Date, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - instant.getTime()) / 60_000);
}

/**
 * A wall-clock day and time in a zone (the psychiatrist's, not the browser's) as an ISO
 * instant with its offset, e.g. ("2031-03-04", "09:00", "America/Denver") →
 * "2031-03-04T16:00:00.000Z".
 */
export function zonedInstant(day: string, time: string, zone: string): string {
  const [y = 1970, m = 1, d = 1] = day.split('-').map(Number);
  const [hh = 0, mm = 0] = time.split(':').map(Number);
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  // Two passes settle the offset across a daylight-saving change.
  let instant = guess - offsetMinutes(new Date(guess), zone) * 60_000;
  instant = guess - offsetMinutes(new Date(instant), zone) * 60_000;
  return new Date(instant).toISOString();
}
