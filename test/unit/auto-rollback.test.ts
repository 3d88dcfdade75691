// The automatic rollback's settings and its crash-loop rule (the progress-deadline rule runs end to
// end in test/e2e/auto-rollback.test.ts).
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/api/core';
import {
  DEFAULT_MAX_RESTARTS,
  crashLooping,
  parseAutoRollback,
} from '../../workers/controllers/deployment/auto-rollback';

const pod = (name: string, ...restarts: number[]): Pod =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    status: { containerStatuses: restarts.map((r, i) => ({ name: `c${i}`, restartCount: r })) },
  }) as Pod;

describe('auto-rollback annotation', () => {
  it('is on for "true", with 5 restarts allowed unless maxRestarts says otherwise', () => {
    expect(parseAutoRollback('true')).toEqual({ maxRestarts: DEFAULT_MAX_RESTARTS });
    expect(parseAutoRollback('true, maxRestarts=2')).toEqual({ maxRestarts: 2 });
    expect(parseAutoRollback('false')).toBeUndefined();
    expect(parseAutoRollback(undefined)).toBeUndefined();
    expect(parseAutoRollback('yes')).toBeUndefined();
  });

  it('finds the first pod with a container restarted more than N times', () => {
    expect(crashLooping([pod('a', 1, 2), pod('b', 0)], 2)).toBeUndefined();
    expect(crashLooping([pod('a', 1, 3), pod('b', 9)], 2)).toEqual({ pod: 'a', restarts: 3 });
    expect(crashLooping([pod('x')], 0)).toBeUndefined();
  });
});
