// End to end: batch/v1 Jobs and CronJobs with the real kubectl on one process node (the pods really run).
// Jobs: completions 5 with parallelism 2 and `kubectl wait`, an Indexed Job whose pods see their index,
// backoffLimit, podFailurePolicy FailJob on exit code 42, ttlSecondsAfterFinished. CronJobs: a `*/1`
// schedule fires within a second of the minute, Forbid skips while a run (made with
// `kubectl create job --from=cronjob/...`) is active, and history limits delete the oldest finished Job.
// The CronJobs are created first, so the wait for the minute overlaps the Job tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupClusters, startCluster, type Cluster } from '../helpers/cluster';
import {
  apply,
  eventually,
  getJson,
  getList,
  getMaybe,
  sleep,
  stopAgents,
  type KObj,
} from '../helpers/control-plane';

let c: Cluster;
const NS = '/apis/batch/v1/namespaces/default';

interface Cond {
  type: string;
  status: string;
  reason?: string;
}
const conditions = (j: KObj) =>
  ((j.status as { conditions?: Cond[] } | undefined)?.conditions ?? []) as Cond[];
const status = (j: KObj) => (j.status ?? {}) as Record<string, unknown>;

function job(name: string, spec: Record<string, unknown>, command: string): object {
  const { template, ...rest } = spec as { template?: Record<string, unknown> };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      ...rest,
      template: {
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', command] }],
          ...(template ?? {}),
        },
      },
    },
  };
}

function cronJob(name: string, schedule: string, extra: Record<string, unknown>, command: string) {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule,
      ...extra,
      jobTemplate: {
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              terminationGracePeriodSeconds: 1,
              containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', command] }],
            },
          },
        },
      },
    },
  };
}

/** `kubectl apply -f -`, as a user deploys them (client-side validation against /openapi/v2 included). */
async function create(...objects: object[]): Promise<void> {
  await apply(c, ...objects);
}

async function kubectl(args: string[], timeoutMs = 60_000): Promise<string> {
  const out = await c.kubectl(args, { timeoutMs });
  if (out.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${out.stderr}`);
  return out.stdout;
}

async function finished(name: string, type: 'Complete' | 'Failed', timeoutMs = 30_000) {
  return eventually(
    `job ${name} ${type}`,
    async () => {
      const j = await getJson(c, `${NS}/jobs/${name}`);
      return conditions(j).some((x) => x.type === type && x.status === 'True') ? j : undefined;
    },
    timeoutMs,
    200,
  );
}

beforeAll(async () => {
  c = await startCluster({ extraArgs: ['--agents', '1', '--runtime', 'process'] });
  await create(
    cronJob('tick', '*/1 * * * *', {}, 'true'),
    cronJob('forbid', '*/1 * * * *', { concurrencyPolicy: 'Forbid' }, 'sleep 300'),
    cronJob('hist', '0 0 1 1 *', { successfulJobsHistoryLimit: 1 }, 'true'),
  );
  // A run of "forbid" that is still going when the minute comes.
  await kubectl(['create', 'job', 'forbid-manual', '--from=cronjob/forbid']);
}, 120_000);

afterAll(async () => {
  await stopAgents();
  await cleanupClusters();
}, 60_000);

describe('Jobs', () => {
  it('runs completions 5 with parallelism 2 to Complete, kubectl wait returns, and the table shows it', async () => {
    await create(job('five', { completions: 5, parallelism: 2 }, 'sleep 0.2'));
    const t0 = Date.now();
    await kubectl(['wait', '--for=condition=complete', 'job/five', '--timeout=45s'], 50_000);
    const j = await getJson(c, `${NS}/jobs/five`);
    expect(status(j).succeeded).toBe(5);
    expect(status(j).failed ?? 0).toBe(0);
    expect(conditions(j).map((x) => x.type)).toEqual(['SuccessCriteriaMet', 'Complete']);
    expect(status(j).completionTime).toBeTruthy();
    const pods = await getList(c, '/api/v1/namespaces/default/pods?labelSelector=job-name%3Dfive');
    expect(pods).toHaveLength(5);
    // Every pod was counted, and released: no tracking finalizer is left behind.
    expect(pods.every((p) => !(p.metadata.finalizers ?? []).length)).toBe(true);
    const table = await kubectl(['get', 'jobs', 'five']);
    expect(table.split('\n')[0].split(/\s+/)).toEqual([
      'NAME',
      'STATUS',
      'COMPLETIONS',
      'DURATION',
      'AGE',
    ]);
    expect(table).toMatch(/five\s+Complete\s+5\/5\s+\d+s/);
    console.log(`completions 5 / parallelism 2: complete after ${Date.now() - t0} ms`);
  }, 60_000);

  it('gives each pod of an Indexed Job its index in JOB_COMPLETION_INDEX', async () => {
    // The pod fails unless the injected variable equals the index label the controller set.
    await create(
      job(
        'indexed',
        {
          completions: 3,
          parallelism: 3,
          completionMode: 'Indexed',
          backoffLimit: 0,
          template: {
            restartPolicy: 'Never',
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: 'main',
                image: 'busybox',
                command: [
                  'sh',
                  '-c',
                  'test -n "$JOB_COMPLETION_INDEX" && test "$JOB_COMPLETION_INDEX" = "$WANT"',
                ],
                env: [
                  {
                    name: 'WANT',
                    valueFrom: {
                      fieldRef: {
                        fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']",
                      },
                    },
                  },
                ],
              },
            ],
          },
        },
        '',
      ),
    );
    const j = await finished('indexed', 'Complete');
    expect(status(j).completedIndexes).toBe('0-2');
    const pods = await getList(
      c,
      '/api/v1/namespaces/default/pods?labelSelector=job-name%3Dindexed',
    );
    const idx = pods.map(
      (p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'],
    );
    expect(idx.sort()).toEqual(['0', '1', '2']);
    expect(pods.map((p) => p.metadata.name).sort()[0]).toMatch(/^indexed-0-/);
  }, 40_000);

  it('stops at backoffLimit with Failed / BackoffLimitExceeded', async () => {
    await create(job('fails', { completions: 2, parallelism: 2, backoffLimit: 1 }, 'exit 1'));
    const j = await finished('fails', 'Failed');
    const failed = conditions(j).find((x) => x.type === 'Failed')!;
    expect(failed.reason).toBe('BackoffLimitExceeded');
    expect(conditions(j).find((x) => x.type === 'FailureTarget')?.reason).toBe(
      'BackoffLimitExceeded',
    );
    expect(status(j).failed).toBe(2);
    expect(status(j).active ?? 0).toBe(0);
    const out = await c.kubectl(['wait', '--for=condition=failed', 'job/fails', '--timeout=5s']);
    expect(out.code).toBe(0);
    expect(await kubectl(['get', 'job', 'fails'])).toMatch(/fails\s+Failed\s+0\/2/);
  }, 40_000);

  it('fails the Job at once on exit code 42 under podFailurePolicy FailJob', async () => {
    await create(
      job(
        'exit42',
        {
          backoffLimit: 6,
          podFailurePolicy: {
            rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }],
          },
        },
        'exit 42',
      ),
    );
    const j = await finished('exit42', 'Failed');
    const failed = conditions(j).find((x) => x.type === 'Failed')!;
    expect(failed.reason).toBe('PodFailurePolicy');
    expect(failed).toMatchObject({ status: 'True' });
    expect((failed as { message?: string }).message).toMatch(
      /exit code 42 matching FailJob rule at index 0/,
    );
    // One pod only: the policy failed the Job instead of retrying up to backoffLimit.
    const pods = await getList(
      c,
      '/api/v1/namespaces/default/pods?labelSelector=job-name%3Dexit42',
    );
    expect(pods).toHaveLength(1);
  }, 40_000);

  it('deletes a finished Job and its pods after ttlSecondsAfterFinished', async () => {
    await create(job('short', { ttlSecondsAfterFinished: 1 }, 'true'));
    await finished('short', 'Complete');
    await eventually(
      'job short and its pods gone',
      async () => {
        const j = await getMaybe(c, `${NS}/jobs/short`);
        const pods = await getList(
          c,
          '/api/v1/namespaces/default/pods?labelSelector=job-name%3Dshort',
        );
        return !j && pods.length === 0;
      },
      20_000,
      200,
    );
  }, 40_000);

  it('refuses a change to an immutable field with 422 naming it', async () => {
    const out = await c.kubectl([
      'patch',
      'job',
      'five',
      '--type=merge',
      '-p',
      '{"spec":{"completions":9}}',
    ]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('spec.completions');
    expect(out.stderr).toContain('field is immutable');
  });
});

describe('discovery', () => {
  it('lists jobs and cronjobs (cj) in api-resources and explains their fields', async () => {
    const rows = (await kubectl(['api-resources', '--api-group=batch'])).trim().split('\n');
    expect(rows.slice(1).map((r) => r.split(/\s+/))).toEqual([
      ['cronjobs', 'cj', 'batch/v1', 'true', 'CronJob'],
      ['jobs', 'batch/v1', 'true', 'Job'],
    ]);
    expect(await kubectl(['explain', 'cronjob.spec.timeZone'])).toContain('IANA time zone');
    expect(await kubectl(['explain', 'job.spec.podFailurePolicy.rules.action'])).toContain(
      'FailJob',
    );
  });
});

describe('CronJobs', () => {
  it('creates a CronJob with kubectl create cronjob and describes a Job', async () => {
    await kubectl([
      'create',
      'cronjob',
      'made',
      '--image=busybox',
      '--schedule=0 3 * * *',
      '--',
      'true',
    ]);
    const cj = await getJson(c, `${NS}/cronjobs/made`);
    expect(cj.spec).toMatchObject({
      schedule: '0 3 * * *',
      concurrencyPolicy: 'Allow',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      suspend: false,
    });
    const described = await kubectl(['describe', 'job', 'five']);
    expect(described).toMatch(/Completions:\s+5/);
    expect(described).toMatch(/Pods Statuses:\s+0 Active .*5 Succeeded \/ 0 Failed/);
    expect(described).toContain('Completed');
  });

  it('keeps only successfulJobsHistoryLimit finished Jobs', async () => {
    await kubectl(['create', 'job', 'hist-a', '--from=cronjob/hist']);
    const a = await getJson(c, `${NS}/jobs/hist-a`);
    expect(a.metadata.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
    await finished('hist-a', 'Complete');
    await kubectl(['create', 'job', 'hist-b', '--from=cronjob/hist']);
    await finished('hist-b', 'Complete');
    await eventually(
      'hist-a deleted by the history limit',
      async () => !(await getMaybe(c, `${NS}/jobs/hist-a`)),
      15_000,
      200,
    );
    expect(await getMaybe(c, `${NS}/jobs/hist-b`)).toBeDefined();
    const cj = await getJson(c, `${NS}/cronjobs/hist`);
    expect(status(cj).lastSuccessfulTime).toBeTruthy();
  }, 40_000);

  it('starts */1 within a second of the minute, and Forbid skips while its last run runs', async () => {
    // The first minute after "tick" was created: it may have passed while the Job tests ran (then its
    // creationTimestamp tells), else the test watches for it.
    const tickCj = await getJson(c, `${NS}/cronjobs/tick`);
    const minute =
      Math.ceil((Date.parse(tickCj.metadata.creationTimestamp!) + 1) / 60_000) * 60_000;
    const name = `tick-${minute / 60_000}`;
    let seenAt = 0;
    let j: KObj | undefined;
    while (Date.now() < minute + 10_000) {
      if (Date.now() >= minute - 500) {
        j = await getMaybe(c, `${NS}/jobs/${name}`);
        if (j) {
          seenAt = Date.now();
          break;
        }
        await sleep(50);
      } else await sleep(Math.min(1000, minute - 500 - Date.now()));
    }
    expect(j, `${name} was never created`).toBeDefined();
    // creationTimestamp has whole seconds: a Job made in the minute's first second shows 0 here.
    expect(Date.parse(j!.metadata.creationTimestamp!) - minute).toBeLessThanOrEqual(1000);
    expect(j!.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(
      new Date(minute).toISOString().replace('.000Z', 'Z'),
    );
    console.log(
      `cronjob */1: Job created ${Date.parse(j!.metadata.creationTimestamp!) - minute} ms (whole seconds) after the minute, seen by polling ${seenAt - minute} ms after it`,
    );
    const tick = await getJson(c, `${NS}/cronjobs/tick`);
    expect(Date.parse(status(tick).lastScheduleTime as string)).toBe(minute);
    // Forbid: the manual run is still active, so nothing new was scheduled for this minute.
    expect(await getMaybe(c, `${NS}/jobs/forbid-${minute / 60_000}`)).toBeUndefined();
    const forbid = await getJson(c, `${NS}/cronjobs/forbid`);
    expect((status(forbid).active as { name: string }[]).map((r) => r.name)).toEqual([
      'forbid-manual',
    ]);
    const table = await kubectl(['get', 'cronjobs']);
    expect(table.split('\n')[0].split(/\s{2,}/)).toEqual([
      'NAME',
      'SCHEDULE',
      'TIMEZONE',
      'SUSPEND',
      'ACTIVE',
      'LAST SCHEDULE',
      'AGE',
    ]);
  }, 75_000);
});
