// The cron parser and fire times CronJob uses: fields, ranges, steps, names, macros, day-of-month/week
// rules, time zones; and the missed-schedule count of the CronJob controller.
import { describe, expect, it } from 'vitest';
import type { CronJob } from '../../src/api/batch';
import { isKnownTimeZone, nextFireTime, parseCron, rfc3339InZone } from '../../src/lib/cron';
import { mostRecentScheduleTime, untilNext } from '../../workers/controllers/cronjob/schedule';

const at = (s: string) => Date.parse(s);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const next = (spec: string, from: string, zone?: string) =>
  iso(nextFireTime(parseCron(spec), at(from), zone));

describe('parseCron', () => {
  it('expands ranges, steps, lists and names', () => {
    const s = parseCron('*/15 9-17/4 1,15 jan-mar MON-fri');
    expect([...s.minute.values]).toEqual([0, 15, 30, 45]);
    expect([...s.hour.values]).toEqual([9, 13, 17]);
    expect([...s.dom.values]).toEqual([1, 15]);
    expect([...s.month.values]).toEqual([1, 2, 3]);
    expect([...s.dow.values]).toEqual([1, 2, 3, 4, 5]);
    expect([...parseCron('5/20 * * * *').minute.values]).toEqual([5, 25, 45]);
  });

  it('knows the macros', () => {
    for (const [macro, fields] of [
      ['@hourly', '0 * * * *'],
      ['@daily', '0 0 * * *'],
      ['@midnight', '0 0 * * *'],
      ['@weekly', '0 0 * * 0'],
      ['@monthly', '0 0 1 * *'],
      ['@yearly', '0 0 1 1 *'],
      ['@annually', '0 0 1 1 *'],
    ])
      expect(parseCron(macro)).toEqual(parseCron(fields));
  });

  it('rejects what robfig/cron rejects, saying why', () => {
    expect(() => parseCron('* * * *')).toThrow('expected exactly 5 fields, found 4');
    expect(() => parseCron('60 * * * *')).toThrow('above maximum (59)');
    expect(() => parseCron('* * 0 * *')).toThrow('below minimum (1)');
    expect(() => parseCron('*/0 * * * *')).toThrow('step of range should be a positive number');
    expect(() => parseCron('5-1 * * * *')).toThrow('beyond end of range');
    expect(() => parseCron('* * * foo *')).toThrow('failed to parse int from foo');
    expect(() => parseCron('@every 5m')).toThrow('unrecognized descriptor');
  });
});

describe('nextFireTime', () => {
  it('is the next matching minute, strictly after the given time', () => {
    expect(next('*/1 * * * *', '2026-12-03T13:04:59.500Z')).toBe('2026-12-03T13:05:00.000Z');
    expect(next('*/1 * * * *', '2026-12-03T13:05:00.000Z')).toBe('2026-12-03T13:06:00.000Z');
    expect(next('@hourly', '2026-12-03T13:05:00Z')).toBe('2026-12-03T14:00:00.000Z');
    expect(next('30 2 * * *', '2026-12-31T03:00:00Z')).toBe('2027-01-01T02:30:00.000Z');
  });

  it('ORs day of month and day of week when both are restricted, ANDs them when one is *', () => {
    // 2026-12-03 is a Thursday. "the 10th or any Monday" → Monday the 7th.
    expect(next('0 0 10 * mon', '2026-12-03T12:00:00Z')).toBe('2026-12-07T00:00:00.000Z');
    // "*/2 days and Mondays" is not a bare star: OR again (the 5th is odd).
    expect(next('0 0 */2 * 1', '2026-12-03T12:00:00Z')).toBe('2026-12-05T00:00:00.000Z');
    expect(next('0 0 * * mon', '2026-12-03T12:00:00Z')).toBe('2026-12-07T00:00:00.000Z');
  });

  it('reads the schedule in the time zone, across daylight saving changes', () => {
    // 09:00 in New York is 14:00 UTC in December (EST), 13:00 UTC in July (EDT).
    expect(next('0 9 * * *', '2026-12-03T15:00:00Z', 'America/New_York')).toBe(
      '2026-12-04T14:00:00.000Z',
    );
    expect(next('0 9 * * *', '2026-07-03T15:00:00Z', 'America/New_York')).toBe(
      '2026-07-04T13:00:00.000Z',
    );
    expect(next('0 0 * * *', '2026-12-03T12:00:00Z', 'Asia/Kolkata')).toBe(
      '2026-12-03T18:30:00.000Z',
    );
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
  });

  it('finds rare dates and gives up on impossible ones', () => {
    expect(next('0 0 29 2 *', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('0 0 30 2 *', '2026-03-01T00:00:00Z')).toBeUndefined();
  });
});

function cronJob(created: string, extra: Partial<CronJob['spec']> = {}, last?: string): CronJob {
  return {
    metadata: { name: 'c', creationTimestamp: created },
    spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: {} } }, ...extra },
    status: last ? { lastScheduleTime: last } : {},
  };
}

describe('missed schedules (CronJob controller)', () => {
  const every = parseCron('*/1 * * * *');

  it('has nothing due before the first fire time, one at it, and counts the missed ones after', () => {
    const cj = cronJob('2026-12-03T13:00:10Z');
    expect(mostRecentScheduleTime(cj, at('2026-12-03T13:00:50Z'), every)).toEqual({ missed: 0 });
    expect(mostRecentScheduleTime(cj, at('2026-12-03T13:01:00Z'), every)).toEqual({
      time: at('2026-12-03T13:01:00Z'),
      missed: 1,
    });
    expect(mostRecentScheduleTime(cj, at('2026-12-03T13:05:30Z'), every)).toEqual({
      time: at('2026-12-03T13:05:00Z'),
      missed: 5,
    });
  });

  it('counts from lastScheduleTime, and no further back than startingDeadlineSeconds', () => {
    const cj = cronJob(
      '2026-12-01T00:00:00Z',
      { startingDeadlineSeconds: 150 },
      '2026-12-03T12:00:00Z',
    );
    expect(mostRecentScheduleTime(cj, at('2026-12-03T13:00:00Z'), every)).toEqual({
      time: at('2026-12-03T13:00:00Z'),
      missed: 3,
    });
  });

  it('reports more than 100 missed schedules and still finds the latest', () => {
    const cj = cronJob('2026-12-01T00:00:00Z');
    const due = mostRecentScheduleTime(cj, at('2026-12-03T13:00:30Z'), every);
    expect(due.missed).toBeGreaterThan(100);
    expect(iso(due.time)).toBe('2026-12-03T13:00:00.000Z');
  });

  it('finds the latest of very many missed weekday schedules over a weekend', () => {
    const cj = cronJob('2026-01-01T00:00:00Z', { schedule: '0 9 * * 1-5' });
    const due = mostRecentScheduleTime(cj, at('2026-12-06T12:00:00Z'), parseCron('0 9 * * 1-5'));
    expect(due.missed).toBeGreaterThan(100);
    expect(iso(due.time)).toBe('2026-12-04T09:00:00.000Z');
  });

  it('wakes 100 ms after the next fire time', () => {
    expect(untilNext(every, at('2026-12-03T13:00:59.250Z'))).toBe(850);
  });
});

describe('rfc3339InZone', () => {
  it("prints the zone's wall clock and offset, Z for UTC", () => {
    const t = at('2026-12-03T14:00:00Z');
    expect(rfc3339InZone(t, undefined)).toBe('2026-12-03T14:00:00Z');
    expect(rfc3339InZone(t, 'Europe/Paris')).toBe('2026-12-03T15:00:00+01:00');
    expect(rfc3339InZone(t, 'America/New_York')).toBe('2026-12-03T09:00:00-05:00');
    expect(rfc3339InZone(t, 'Asia/Kolkata')).toBe('2026-12-03T19:30:00+05:30');
  });
});
