// CronJob validation: the schedule and time zone, policies and limits, and the Job template it stamps out.
// k8s: pkg/apis/batch/validation/validation.go ValidateCronJobCreate, validateCronJobSpec, validateScheduleFormat
import type { KObject } from '../../api/types';
import { CronParseError, isKnownTimeZone, parseCron } from '../../lib/cron';
import { fieldErr, path, type FieldError } from '../field-errors';
import { asObj, immutable, isSet, nonNegative, objOf } from './fields';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta';
import { JOB_META, validateJobSpec } from './job';

/** Job names are `<cronjob>-<minutes since the epoch>` (11 characters), and Job names stay within 63. */
const MAX_CRONJOB_NAME = 52;
const POLICIES = ['Allow', 'Forbid', 'Replace'];

function validateSchedule(schedule: unknown, timeZone: unknown): FieldError[] {
  const fld = 'spec.schedule';
  if (typeof schedule !== 'string' || !schedule) return [fieldErr.required(fld)];
  const errs: FieldError[] = [];
  if (/^\s*(CRON_)?TZ=/.test(schedule))
    errs.push(
      fieldErr.invalid(
        fld,
        schedule,
        'cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
      ),
    );
  else
    try {
      parseCron(schedule);
    } catch (e) {
      if (!(e instanceof CronParseError)) throw e;
      errs.push(fieldErr.invalid(fld, schedule, e.message));
    }
  if (isSet(timeZone)) {
    const tp = 'spec.timeZone';
    if (typeof timeZone !== 'string' || timeZone === '')
      errs.push(fieldErr.invalid(tp, timeZone, 'timeZone must be nil or non-empty string'));
    else if (timeZone.toLowerCase() === 'local')
      errs.push(
        fieldErr.invalid(
          tp,
          timeZone,
          'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
        ),
      );
    else if (!isKnownTimeZone(timeZone))
      errs.push(fieldErr.invalid(tp, timeZone, `unknown time zone ${timeZone}`));
  }
  return errs;
}

function validateCronJobSpec(cj: KObject): FieldError[] {
  const spec = objOf(cj.spec);
  const errs = validateSchedule(spec.schedule, spec.timeZone);
  for (const f of [
    'startingDeadlineSeconds',
    'successfulJobsHistoryLimit',
    'failedJobsHistoryLimit',
  ])
    errs.push(...nonNegative(spec[f], path.child('spec', f)));
  if (!isSet(spec.concurrencyPolicy)) errs.push(fieldErr.required('spec.concurrencyPolicy'));
  else if (!POLICIES.includes(spec.concurrencyPolicy as string))
    errs.push(fieldErr.notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, POLICIES));
  const jt = objOf(spec.jobTemplate);
  const jobSpec = objOf(jt.spec);
  // k8s: ValidateJobTemplateSpec: the selector of each Job is generated, so a template may not set one.
  if (isSet(jobSpec.selector) && jobSpec.manualSelector !== true)
    errs.push(
      fieldErr.invalid(
        'spec.jobTemplate.spec.selector',
        jobSpec.selector,
        '`selector` will be auto-generated',
      ),
    );
  errs.push(...validateJobSpec(jobSpec, 'spec.jobTemplate.spec'));
  return errs;
}

export function validateCronJob(cj: KObject): FieldError[] {
  const errs = [...validateObjectMeta(cj.metadata, JOB_META), ...validateCronJobSpec(cj)];
  const name = cj.metadata.name ?? '';
  if (name.length > MAX_CRONJOB_NAME)
    errs.push(
      fieldErr.invalid(
        'metadata.name',
        name,
        `must be no more than ${MAX_CRONJOB_NAME} characters`,
      ),
    );
  return errs;
}

export function validateCronJobUpdate(cj: KObject, old: KObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(cj.metadata, old.metadata), ...validateCronJobSpec(cj)];
  // The template's selector is generated per Job; nothing else in a CronJob is immutable.
  const sel = asObj(objOf(objOf(objOf(cj.spec).jobTemplate).spec).selector);
  const oldSel = asObj(objOf(objOf(objOf(old.spec).jobTemplate).spec).selector);
  if (sel || oldSel) errs.push(...immutable(sel, oldSel, 'spec.jobTemplate.spec.selector'));
  return errs;
}
