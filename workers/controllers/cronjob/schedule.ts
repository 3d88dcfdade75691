// Which scheduled time is due now, and how many were missed: the CronJob controller's time math.
// k8s: pkg/controller/cronjob/utils.go mostRecentScheduleTime, nextScheduleTime, nextScheduleTimeDuration
import type { CronJob } from '../../../src/api/batch';
import { nextFireTime, type CronSchedule } from '../../../src/lib/cron';
import { parseTime } from '../../../src/lib/time';

/** k8s: more than this many missed start times means the clock is off: warn, run the latest only. */
export const MANY_MISSED = 100;
/** k8s: nextScheduleDelta: wake a little after the scheduled time, never just before it. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
const MINUTE = 60_000;

export interface Due {
  /** The latest scheduled time at or before now that has not run, if any. */
  time?: number;
  /** Schedules missed since the last run (0 when none is due, 1 when only `time`). */
  missed: number;
}

/**
 * The most recent unmet schedule: from lastScheduleTime (or creation), bounded below by
 * now - startingDeadlineSeconds, up to now.
 */
export function mostRecentScheduleTime(
  cj: CronJob,
  now: number,
  schedule: CronSchedule,
  zone?: string,
): Due {
  let earliest =
    parseTime(cj.status?.lastScheduleTime) ?? parseTime(cj.metadata.creationTimestamp) ?? now;
  const sds = cj.spec.startingDeadlineSeconds;
  if (sds !== undefined && sds !== null) earliest = Math.max(earliest, now - sds * 1000);
  const t1 = nextFireTime(schedule, earliest, zone);
  if (t1 === undefined || t1 > now) return { missed: 0 };
  const t2 = nextFireTime(schedule, t1, zone);
  if (t2 === undefined || t2 > now) return { time: t1, missed: 1 };
  // Walk to the latest, but stop counting past the limit (a clock years off must not spin here).
  let last = t2;
  let missed = 2;
  for (;;) {
    const next = nextFireTime(schedule, last, zone);
    if (next === undefined || next > now) break;
    last = next;
    missed++;
    if (missed > MANY_MISSED) {
      // Too many to walk: find the latest one from a window before now that doubles until it
      // holds a fire time (never earlier than the last one found), then walk that window only.
      let w = Math.max(MINUTE, t2 - t1);
      let from = now - w;
      for (;;) {
        if (from <= last) {
          from = last;
          break;
        }
        const n = nextFireTime(schedule, from, zone);
        if (n !== undefined && n <= now) break;
        w *= 2;
        from = now - w;
      }
      for (let probe = nextFireTime(schedule, from, zone); probe !== undefined && probe <= now;) {
        last = probe;
        probe = nextFireTime(schedule, probe, zone);
      }
      break;
    }
  }
  return { time: last, missed };
}

/** Milliseconds until the next scheduled time after now, plus the delta. */
export function untilNext(schedule: CronSchedule, now: number, zone?: string): number | undefined {
  const next = nextFireTime(schedule, now, zone);
  return next === undefined ? undefined : next - now + NEXT_SCHEDULE_DELTA_MS;
}
