// The Job controller's pure rules: pod failure policy matching, pod failure backoff, success policy,
// completion index intervals, and the pod an Indexed Job creates.
import { describe, expect, it } from 'vitest';
import type { Job, PodFailurePolicyRule } from '../../src/api/batch';
import type { Pod } from '../../src/api/core';
import { formatIndexes, intervalsOf, parseIndexes } from '../../src/lib/indexes';
import { backoffDelayMs, remainingBackoffMs } from '../../workers/controllers/job/backoff';
import { deadlineLeftMs, failureCondition } from '../../workers/controllers/job/finish';
import { matchPodFailurePolicy } from '../../workers/controllers/job/pod-failure-policy';
import { podForJob } from '../../workers/controllers/job/pod-template';
import { matchSuccessPolicy } from '../../workers/controllers/job/success-policy';
import { isPodFailed } from '../../workers/controllers/job/util';
import { expireAt } from '../../workers/controllers/job/ttl';

function failedPod(exitCodes: Record<string, number>, conditions: [string, string][] = []): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns' },
    status: {
      phase: 'Failed',
      conditions: conditions.map(([type, status]) => ({ type, status: status as 'True' })),
      containerStatuses: Object.entries(exitCodes).map(([name, exitCode]) => ({
        name,
        state: { terminated: { exitCode } },
      })),
    },
  };
}

describe('matchPodFailurePolicy', () => {
  const rules: PodFailurePolicyRule[] = [
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
    { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1, 2] } },
  ];

  it('fails the Job on a listed exit code of the named container, with upstream message', () => {
    expect(matchPodFailurePolicy(rules, failedPod({ main: 42 }))).toEqual({
      failJobMessage:
        'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1',
      countFailed: true,
      action: 'FailJob',
    });
    // Another container with 42 does not match the rule that names "main"; NotIn [1,2] counts it.
    expect(matchPodFailurePolicy(rules, failedPod({ side: 42 }))).toEqual({
      countFailed: true,
      action: 'Count',
    });
  });

  it('ignores a disruption, and never matches exit code 0', () => {
    expect(
      matchPodFailurePolicy(rules, failedPod({ main: 42 }, [['DisruptionTarget', 'True']])),
    ).toEqual({
      countFailed: false,
      action: 'Ignore',
    });
    expect(matchPodFailurePolicy(rules, failedPod({ main: 0, side: 1 }))).toEqual({
      countFailed: true,
    });
    expect(matchPodFailurePolicy(undefined, failedPod({ main: 42 }))).toEqual({
      countFailed: true,
    });
  });
});

describe('pod failure backoff', () => {
  it('is 10 s doubling per failure, capped at 10 minutes', () => {
    expect([0, 1, 2, 3, 4, 6, 7, 50].map(backoffDelayMs)).toEqual([
      0, 10_000, 20_000, 40_000, 80_000, 320_000, 600_000, 600_000,
    ]);
  });

  it('counts failures since the last success and waits from the last failure', () => {
    const finishedAt = (ms: number, phase: string): Pod => ({
      metadata: {},
      status: {
        phase,
        containerStatuses: [{ state: { terminated: { finishedAt: new Date(ms).toISOString() } } }],
      },
    });
    const now = 100_000;
    // Two failures after the success: 20 s from the last one (at 95 s).
    expect(
      remainingBackoffMs(
        [finishedAt(50_000, 'Succeeded')],
        [finishedAt(40_000, 'Failed'), finishedAt(90_000, 'Failed'), finishedAt(95_000, 'Failed')],
        now,
      ),
    ).toBe(15_000);
    expect(remainingBackoffMs([], [], now)).toBe(0);
  });
});

describe('success policy and indexes', () => {
  it('is met by the named indexes, or by enough of them', () => {
    const done = new Set([0, 2, 3]);
    expect(matchSuccessPolicy([{ succeededIndexes: '0,2-3' }], 5, done)).toBe(
      'Matched rules at index 0',
    );
    expect(matchSuccessPolicy([{ succeededIndexes: '0-4' }], 5, done)).toBeUndefined();
    expect(
      matchSuccessPolicy(
        [{ succeededIndexes: '1' }, { succeededIndexes: '0-4', succeededCount: 3 }],
        5,
        done,
      ),
    ).toBe('Matched rules at index 1');
    expect(matchSuccessPolicy([{ succeededCount: 4 }], 5, done)).toBeUndefined();
  });

  it('writes completed indexes as upstream does', () => {
    expect(formatIndexes(intervalsOf([5, 0, 1, 3, 4, 7, 8, 9]))).toBe('0,1,3-5,7-9');
    expect(parseIndexes('0,1,3-5', 6)).toEqual([
      [0, 0],
      [1, 1],
      [3, 5],
    ]);
    expect(() => parseIndexes('3-5', 5)).toThrow('too large index: 5');
    expect(() => parseIndexes('3,1', 5)).toThrow('non-increasing order');
  });
});

describe('Job pods', () => {
  const job: Job = {
    metadata: { name: 'idx', namespace: 'ns', uid: 'u1' },
    spec: {
      completionMode: 'Indexed',
      completions: 3,
      template: {
        metadata: { labels: { app: 'x' } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  };

  it('gives an Indexed pod its index: annotation, label, hostname, name and JOB_COMPLETION_INDEX', () => {
    const p = podForJob(job, 2);
    expect(p.metadata.generateName).toBe('idx-2-');
    expect(p.metadata.annotations).toEqual({ 'batch.kubernetes.io/job-completion-index': '2' });
    expect(p.metadata.labels).toEqual({
      app: 'x',
      'batch.kubernetes.io/job-completion-index': '2',
    });
    expect(p.metadata.finalizers).toEqual(['batch.kubernetes.io/job-tracking']);
    expect(p.spec!.hostname).toBe('idx-2');
    expect(p.spec!.containers![0].env).toEqual([
      {
        name: 'JOB_COMPLETION_INDEX',
        valueFrom: {
          fieldRef: {
            apiVersion: 'v1',
            fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']",
          },
        },
      },
    ]);
    expect(p.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Job',
      name: 'idx',
      controller: true,
    });
  });

  it('counts a deleted unfinished pod as failed unless only failed pods are replaced', () => {
    const deleted: Pod = {
      metadata: { deletionTimestamp: '2026-12-03T00:00:00Z' },
      status: { phase: 'Running' },
    };
    expect(isPodFailed(deleted, job)).toBe(true);
    expect(
      isPodFailed(deleted, { ...job, spec: { ...job.spec, podReplacementPolicy: 'Failed' } }),
    ).toBe(false);
  });

  it('expires a finished Job ttlSecondsAfterFinished after its terminal condition', () => {
    const done: Job = {
      ...job,
      spec: { ...job.spec, ttlSecondsAfterFinished: 30 },
      status: {
        conditions: [
          { type: 'Complete', status: 'True', lastTransitionTime: '2026-12-03T10:00:00Z' },
        ],
      },
    };
    expect(expireAt(done)).toBe(Date.parse('2026-12-03T10:00:30Z'));
    expect(expireAt({ ...done, status: {} })).toBeUndefined();
  });
});

describe('when a Job fails', () => {
  const base: Job = {
    metadata: { name: 'j', namespace: 'ns' },
    spec: {
      backoffLimit: 2,
      template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c' }] } },
    },
    status: { startTime: '2026-12-03T10:00:00Z' },
  };
  const running = (restarts: number): Pod => ({
    metadata: {},
    status: { phase: 'Running', containerStatuses: [{ name: 'c', restartCount: restarts }] },
  });
  const t0 = Date.parse('2026-12-03T10:00:00Z');

  it('counts failed pods past backoffLimit, and restarts under OnFailure', () => {
    expect(failureCondition(base, [], 3, t0)).toMatchObject({
      type: 'FailureTarget',
      reason: 'BackoffLimitExceeded',
    });
    expect(failureCondition(base, [running(1)], 0, t0)).toBeUndefined();
    expect(failureCondition(base, [running(1), running(1)], 0, t0)?.reason).toBe(
      'BackoffLimitExceeded',
    );
  });

  it('fails past activeDeadlineSeconds, counted from startTime', () => {
    const j = { ...base, spec: { ...base.spec, activeDeadlineSeconds: 60 } };
    expect(deadlineLeftMs(j, t0 + 20_000)).toBe(40_000);
    expect(failureCondition(j, [], 0, t0 + 59_999)).toBeUndefined();
    expect(failureCondition(j, [], 0, t0 + 60_000)?.reason).toBe('DeadlineExceeded');
    expect(deadlineLeftMs({ ...j, spec: { ...j.spec, suspend: true } }, t0)).toBeUndefined();
  });

  it('turns a recorded FailureTarget into Failed with its reason, and keeps SuccessCriteriaMet', () => {
    const cond = (type: string) => ({ type, status: 'True' as const, reason: 'R', message: 'M' });
    expect(
      failureCondition({ ...base, status: { conditions: [cond('FailureTarget')] } }, [], 0, t0),
    ).toEqual({ type: 'Failed', reason: 'R', message: 'M' });
    expect(
      failureCondition(
        { ...base, status: { conditions: [cond('SuccessCriteriaMet')] } },
        [],
        9,
        t0,
      ),
    ).toEqual({ type: 'SuccessCriteriaMet', reason: 'R', message: 'M' });
  });
});
