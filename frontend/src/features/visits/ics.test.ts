import { describe, expect, it } from 'vitest';
import { buildIcs } from './ics';

describe('buildIcs', () => {
  it('writes one event in UTC with escaped text and folded long lines', () => {
    const ics = buildIcs(
      {
        id: 'b1',
        startsAt: '2031-03-04T14:30:00-07:00',
        endsAt: '2031-03-04T15:00:00-07:00',
        title: 'Follow-up, with Dr. Lee; video',
        description: `Join here: https://example.org/visits/b1${'x'.repeat(80)}`,
        url: 'https://example.org/visits/b1',
      },
      new Date('2031-03-01T00:00:00Z'),
    );
    const lines = ics.split('\r\n');
    expect(lines).toContain('DTSTART:20310304T213000Z');
    expect(lines).toContain('DTEND:20310304T220000Z');
    expect(lines).toContain('DTSTAMP:20310301T000000Z');
    expect(lines).toContain('SUMMARY:Follow-up\\, with Dr. Lee\\; video');
    expect(lines).toContain('UID:b1@halcyon');
    expect(lines.every((l) => l.length <= 75)).toBe(true);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });
});
