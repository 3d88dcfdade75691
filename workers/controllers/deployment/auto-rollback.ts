// Automatic rollback (beyond Kubernetes, which has none: kubernetes/kubernetes#23211; Nomad's
// auto_revert): a Deployment annotated edgeplane.dev/auto-rollback: "true" whose new revision hits
// ProgressDeadlineExceeded, or whose pods restart more than N times before it has been available
// for 10 minutes (default 5; "true,maxRestarts=N" sets it), goes back to the last revision that became Available, as
// `kubectl rollout undo --to-revision` would, with an event and an AutoRollback condition saying why.
import type { Condition, Pod, ReplicaSet } from '../../../src/api/core';
import { controllerOf } from '../../../src/api/owner';
import { rfc3339 } from '../../../src/lib/time';
import type { KeyedContext } from '../framework';
import { MANAGER } from './sync';
import { Reason, findNewReplicaSet, getCondition, revisionOf, type Deployment } from './util';

export const AUTO_ROLLBACK = 'edgeplane.dev/auto-rollback';
/** Set on a ReplicaSet once its revision completed (NewReplicaSetAvailable): a revision to go back to. */
export const AVAILABLE = 'edgeplane.dev/available';
/** When it completed (RFC 3339). */
export const AVAILABLE_AT = 'edgeplane.dev/available-at';
/**
 * How long after completing a revision may still be rolled back for crash-looping: pods that start,
 * turn ready and then crash complete a rollout before they loop. The default maxRestarts (5) is
 * passed about 5 minutes after the first crash under the kubelet's 10 s doubling backoff. Past this,
 * the revision is established and its restarts are the application's business.
 */
export const CRASH_LOOP_WINDOW_MS = 10 * 60_000;
const HASH = 'pod-template-hash';

/** Restarts of one container past which a new revision counts as crash-looping. */
export const DEFAULT_MAX_RESTARTS = 5;

/** The annotation's settings: undefined when auto-rollback is off. */
export function parseAutoRollback(v: string | undefined): { maxRestarts: number } | undefined {
  const [flag, ...opts] = (v ?? '').split(',').map((x) => x.trim());
  if (flag !== 'true') return undefined;
  let maxRestarts = DEFAULT_MAX_RESTARTS;
  for (const o of opts) {
    const m = /^maxRestarts=(\d+)$/.exec(o);
    if (m) maxRestarts = Number(m[1]);
  }
  return { maxRestarts };
}

/** The first pod of the revision with a container restarted more than `max` times, and how often. */
export function crashLooping(
  pods: Pod[],
  max: number,
): { pod: string; restarts: number } | undefined {
  for (const p of pods) {
    const statuses = (p.status?.containerStatuses ?? []) as { restartCount?: number }[];
    const restarts = Math.max(0, ...statuses.map((c) => c.restartCount ?? 0));
    if (restarts > max) return { pod: p.metadata.name!, restarts };
  }
  return undefined;
}

const wasAvailable = (rs: ReplicaSet) => rs.metadata.annotations?.[AVAILABLE] === 'true';

/** The template to restore: the ReplicaSet's, without the hash label the controller adds. */
function templateOf(rs: ReplicaSet): Deployment['spec']['template'] {
  const t = structuredClone(rs.spec.template);
  if (t?.metadata?.labels) delete t.metadata.labels[HASH];
  return t;
}

/** Runs after the Deployment's own sync; returns true when it wrote (the caller requeues). */
export async function autoRollback(
  ctx: KeyedContext,
  d: Deployment,
  rss: ReplicaSet[],
): Promise<boolean> {
  const settings = parseAutoRollback(d.metadata.annotations?.[AUTO_ROLLBACK]);
  if (!settings || d.spec.paused) return false;
  if (d.metadata.deletionTimestamp) return false;
  const ns = d.metadata.namespace;
  const owned = rss.filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
  const newRS = findNewReplicaSet(d, owned);
  const progressing = getCondition(d.status, 'Progressing');
  if (!newRS || !progressing || (d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0))
    return false;
  const complete = progressing.status === 'True' && progressing.reason === Reason.NewRSAvailable;
  if (complete && !wasAvailable(newRS)) {
    await ctx.client.patch(
      'apps/v1/replicasets',
      newRS.metadata.name!,
      'merge',
      { metadata: { annotations: { [AVAILABLE]: 'true', [AVAILABLE_AT]: rfc3339(ctx.now()) } } },
      { namespace: ns, fieldManager: MANAGER },
    );
    return true;
  }
  if (wasAvailable(newRS)) {
    // Completed: only a crash loop soon after still counts (no time recorded: long established).
    const at = Date.parse(newRS.metadata.annotations?.[AVAILABLE_AT] ?? '');
    if (Number.isNaN(at) || ctx.now() - at > CRASH_LOOP_WINDOW_MS) return false;
  }
  const timedOut =
    !complete && progressing.status === 'False' && progressing.reason === Reason.TimedOut;
  const looping = timedOut
    ? undefined
    : crashLooping(
        ctx.cache.kind<Pod>('pods').byIndex('owner', newRS.metadata.uid!),
        settings.maxRestarts,
      );
  if (!timedOut && !looping) return false;
  const why = looping
    ? `pod "${looping.pod}" restarted ${looping.restarts} times, more than ${settings.maxRestarts}`
    : (progressing.message ?? 'progress deadline exceeded');
  const reason = looping ? 'CrashLoop' : Reason.TimedOut;
  const target = owned
    .filter((rs) => rs.metadata.uid !== newRS.metadata.uid && wasAvailable(rs))
    .sort((a, b) => revisionOf(b) - revisionOf(a))[0];
  const from = revisionOf(newRS);
  if (!target) {
    if (getCondition(d.status, 'AutoRollback')?.reason === 'NoAvailableRevision') return false;
    const message = `revision ${from} failed (${why}), and no earlier revision became available to roll back to`;
    await ctx.recorder.event(d, 'Warning', 'AutoRollbackSkipped', message).catch(() => undefined);
    await setRollbackCondition(ctx, d, 'False', 'NoAvailableRevision', message);
    return true;
  }
  const to = revisionOf(target);
  const message = `Rolled back deployment "${d.metadata.name}" from revision ${from} to revision ${to}: ${why}`;
  const updated = await ctx.client.update<Deployment>(
    'apps/v1/deployments',
    {
      ...d,
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { ...d.spec, template: templateOf(target) },
    },
    { namespace: ns, fieldManager: MANAGER },
  );
  // The failed revision is no longer one to come back to.
  if (wasAvailable(newRS))
    await ctx.client.patch(
      'apps/v1/replicasets',
      newRS.metadata.name!,
      'merge',
      { metadata: { annotations: { [AVAILABLE]: null, [AVAILABLE_AT]: null } } },
      { namespace: ns, fieldManager: MANAGER },
    );
  await setRollbackCondition(ctx, updated, 'True', reason, message);
  await ctx.recorder
    .event({ ...d, apiVersion: 'apps/v1', kind: 'Deployment' }, 'Warning', 'AutoRollback', message)
    .catch(() => undefined);
  return true;
}

/** The AutoRollback condition; the deployment controller keeps conditions it does not own. */
async function setRollbackCondition(
  ctx: KeyedContext,
  d: Deployment,
  status: Condition['status'],
  reason: string,
  message: string,
): Promise<void> {
  const now = rfc3339(ctx.now());
  const c: Condition = {
    type: 'AutoRollback',
    status,
    reason,
    message,
    lastUpdateTime: now,
    lastTransitionTime: now,
  };
  const conditions = [...(d.status?.conditions ?? []).filter((x) => x.type !== 'AutoRollback'), c];
  await ctx.client.updateStatus(
    'apps/v1/deployments',
    {
      ...d,
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      status: { ...(d.status ?? {}), conditions },
    },
    { namespace: d.metadata.namespace, fieldManager: MANAGER },
  );
}
