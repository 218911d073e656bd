/** A calendar file (RFC 5545) for one visit, built in the browser: the API offers none. */
export interface IcsVisit {
  id: string;
  startsAt: string;
  endsAt: string;
  title: string;
  description: string;
  url: string;
}

function stamp(iso: string | Date): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Commas, semicolons, backslashes and newlines are escaped in TEXT values. */
function text(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r?\n/g, '\\n');
}

/** Lines longer than 75 octets are folded (continued on the next line after a space). */
function fold(line: string): string {
  const out: string[] = [];
  let rest = line;
  while (rest.length > 73) {
    out.push(rest.slice(0, 73));
    rest = ` ${rest.slice(73)}`;
  }
  out.push(rest);
  return out.join('\r\n');
}

export function buildIcs(visit: IcsVisit, now: Date = new Date()): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Halcyon//Patient portal//EN',
    'CALSCALE:GREGORIAN',
    'BEGIN:VEVENT',
    `UID:${visit.id}@halcyon`,
    `DTSTAMP:${stamp(now)}`,
    `DTSTART:${stamp(visit.startsAt)}`,
    `DTEND:${stamp(visit.endsAt)}`,
    `SUMMARY:${text(visit.title)}`,
    `DESCRIPTION:${text(visit.description)}`,
    `URL:${visit.url}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.map(fold).join('\r\n')}\r\n`;
}

/** A link target that downloads the file without a server round trip. */
export function icsHref(ics: string): string {
  return `data:text/calendar;charset=utf-8,${encodeURIComponent(ics)}`;
}
