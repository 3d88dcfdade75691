// batch/v1 Job and CronJob registry rules: defaults, the generated selector, validation, and table rows.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { KObject } from '../../src/api/types';
import { defaultCronJob, defaultJob, generateJobSelector } from '../../src/registry/defaults/job';
import { cronJobPrinter } from '../../src/registry/tables/cronjobs';
import { jobPrinter } from '../../src/registry/tables/jobs';
import { validateCronJob } from '../../src/registry/validate/cronjob';
import { validateJob, validateJobUpdate } from '../../src/registry/validate/job';

function newJob(spec: Record<string, unknown> = {}): KObject {
  const j: KObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'default' },
    spec: {
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
      ...spec,
    },
  };
  defaultJob(j);
  j.metadata.uid = 'uid-1';
  generateJobSelector(j);
  return j;
}

const fields = (errs: { field: string; message: string }[]) =>
  errs.map((e) => `${e.field}: ${e.message}`);

describe('Job defaults and selector', () => {
  it('defaults as SetDefaults_Job and selects the Job uid', () => {
    const j = newJob();
    expect(j.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } },
    });
    expect(
      (j.spec as { template: { metadata: { labels: object } } }).template.metadata.labels,
    ).toEqual({
      'batch.kubernetes.io/controller-uid': 'uid-1',
      'batch.kubernetes.io/job-name': 'j',
      'controller-uid': 'uid-1',
      'job-name': 'j',
    });
    expect(validateJob(j)).toEqual([]);
    expect(
      newJob({ backoffLimitPerIndex: 1, completionMode: 'Indexed', completions: 2 }).spec,
    ).toMatchObject({
      backoffLimit: 2147483647,
    });
  });

  it('rejects what upstream rejects, naming each field', () => {
    const j = newJob({
      parallelism: -1,
      completionMode: 'Indexed',
      completions: null,
      podFailurePolicy: {
        rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [0, 3, 2] } }],
      },
    });
    (j.spec as { template: { spec: { restartPolicy: string } } }).template.spec.restartPolicy =
      'Always';
    expect(fields(validateJob(j))).toEqual(
      expect.arrayContaining([
        'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
        'spec.completions: Required value: when completion mode is Indexed',
        'spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator',
        'spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Invalid value: 2: must be ordered',
        'spec.template.spec.restartPolicy: Invalid value: "Always": only "Never" is supported when podFailurePolicy is specified',
        'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
      ]),
    );
  });

  it('keeps the template, selector and completions immutable', () => {
    const old = newJob();
    old.metadata.resourceVersion = '1';
    const next = structuredClone(old);
    (next.spec as { completions: number }).completions = 3;
    (
      next.spec as { template: { spec: { containers: { image: string }[] } } }
    ).template.spec.containers[0].image = 'nginx';
    expect(fields(validateJobUpdate(next, old))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^spec\.template: Invalid value: .*field is immutable$/),
        'spec.completions: Invalid value: 3: field is immutable',
      ]),
    );
  });
});

describe('CronJob validation', () => {
  const cj = (spec: Record<string, unknown>, name = 'c'): KObject => {
    const o: KObject = {
      metadata: { name, namespace: 'default' },
      spec: {
        schedule: '*/5 * * * *',
        jobTemplate: {
          spec: {
            template: {
              spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'b' }] },
            },
          },
        },
        ...spec,
      },
    };
    defaultCronJob(o);
    return o;
  };

  it('accepts macros and IANA zones, rejects bad schedules, zones and long names', () => {
    expect(validateCronJob(cj({ schedule: '@hourly', timeZone: 'Europe/Paris' }))).toEqual([]);
    expect(fields(validateCronJob(cj({ schedule: '61 * * * *' })))).toEqual([
      'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
    ]);
    expect(fields(validateCronJob(cj({ schedule: 'TZ=UTC 0 * * * *' })))[0]).toContain(
      'cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    );
    expect(fields(validateCronJob(cj({ timeZone: 'Nowhere/City' })))).toEqual([
      'spec.timeZone: Invalid value: "Nowhere/City": unknown time zone Nowhere/City',
    ]);
    expect(fields(validateCronJob(cj({}, 'x'.repeat(53))))).toContain(
      `metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`,
    );
  });
});

describe('batch tables', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');
  it('prints a Job as kubectl 1.32 does', () => {
    const j = newJob({ completions: 5 });
    j.metadata.creationTimestamp = '2026-12-03T11:59:00Z';
    j.status = {
      succeeded: 5,
      startTime: '2026-12-03T11:59:00Z',
      completionTime: '2026-12-03T11:59:12Z',
      conditions: [{ type: 'Complete', status: 'True' }],
    };
    expect(jobPrinter.columns.filter((c) => c.priority === 0).map((c) => c.name)).toEqual([
      'Name',
      'Status',
      'Completions',
      'Duration',
      'Age',
    ]);
    expect(jobPrinter.cells(j, now).slice(0, 5)).toEqual(['j', 'Complete', '5/5', '12s', '60s']);
    const p = newJob({ completions: null, parallelism: 3 });
    p.metadata.creationTimestamp = '2026-12-03T11:59:00Z';
    expect(jobPrinter.cells(p, now).slice(1, 4)).toEqual(['Running', '0/1 of 3', '']);
  });

  it('prints a CronJob with schedule, zone, suspend, active and last schedule', () => {
    const c: KObject = {
      metadata: { name: 'c', creationTimestamp: '2026-12-03T11:00:00Z' },
      spec: { schedule: '*/1 * * * *', suspend: false, jobTemplate: { spec: {} } },
      status: { active: [{ name: 'c-1' }], lastScheduleTime: '2026-12-03T11:59:00Z' },
    };
    expect(cronJobPrinter.cells(c, now).slice(0, 7)).toEqual([
      'c',
      '*/1 * * * *',
      '<none>',
      'False',
      1,
      '60s',
      '60m',
    ]);
  });
});

describe('examples/batch', () => {
  it('holds only objects the API accepts as they are', () => {
    const dir = path.resolve(__dirname, '../../examples/batch');
    for (const file of fs.readdirSync(dir)) {
      const obj = parse(fs.readFileSync(path.join(dir, file), 'utf8')) as KObject;
      obj.metadata.namespace = 'default';
      if (obj.kind === 'Job') {
        defaultJob(obj);
        obj.metadata.uid = 'uid-1';
        generateJobSelector(obj);
        expect(validateJob(obj), file).toEqual([]);
      } else {
        defaultCronJob(obj);
        expect(validateCronJob(obj), file).toEqual([]);
      }
    }
  });
});

describe('suspended Jobs', () => {
  it('may change where their pods run before they ever start, and nothing else', () => {
    const old = newJob({ suspend: true });
    old.metadata.resourceVersion = '1';
    const next = structuredClone(old);
    const podSpec = (next.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    podSpec.nodeSelector = { zone: 'a' };
    podSpec.tolerations = [{ key: 'k', operator: 'Exists' }];
    expect(validateJobUpdate(next, old)).toEqual([]);
    // Once started, the same change is refused.
    const started = structuredClone(old);
    started.status = { startTime: '2026-12-03T10:00:00Z' };
    expect(fields(validateJobUpdate(next, started))[0]).toMatch(
      /^spec\.template: .*field is immutable$/,
    );
    (podSpec.containers as { image: string }[])[0].image = 'nginx';
    expect(fields(validateJobUpdate(next, old))[0]).toMatch(
      /^spec\.template: .*field is immutable$/,
    );
  });
});
