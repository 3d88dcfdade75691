// Deployment helpers: annotations, conditions, surge/unavailable arithmetic, replica-set selection and ordering.
// k8s: pkg/controller/deployment/util/deployment_util.go, pkg/controller/controller_utils.go (ReplicaSetsBy*)
import type { KObject, LabelSelector } from '../../../src/api/types';
import { scaledValue } from '../../../src/api/apps-workloads';
import type {
  Condition,
  Deployment,
  DeploymentStatus,
  IntOrString,
  ReplicaSet,
} from '../../../src/api/core';
import { equalIgnoreHash } from './hash';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
// A Deployment's own bookkeeping, never copied between a Deployment and its ReplicaSets.
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);
const MAX_REV_HISTORY_CHARS = 2000;
const MAX_INT32 = 2147483647;

export const Reason = {
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  FailedRSCreate: 'ReplicaSetCreateError',
  NewReplicaSet: 'NewReplicaSetCreated',
  FoundNewRS: 'FoundNewReplicaSet',
  NewRSAvailable: 'NewReplicaSetAvailable',
  TimedOut: 'ProgressDeadlineExceeded',
  Paused: 'DeploymentPaused',
  Resumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

export type { Deployment, DeploymentStatus, IntOrString };

export const replicasOf = (o: { spec: { replicas?: number } }) => o.spec.replicas ?? 1;
export const rsReplicas = (rs: ReplicaSet) => rs.spec.replicas ?? 0;
export const isRollingUpdate = (d: Deployment) =>
  (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
export const hasProgressDeadline = (d: Deployment) =>
  d.spec.progressDeadlineSeconds != null && d.spec.progressDeadlineSeconds !== MAX_INT32;
export const hasRevisionHistoryLimit = (d: Deployment) =>
  d.spec.revisionHistoryLimit != null && d.spec.revisionHistoryLimit !== MAX_INT32;

// --- conditions ---

export function newCondition(
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  stamp: string,
): Condition {
  return { type, status, lastUpdateTime: stamp, lastTransitionTime: stamp, reason, message };
}

export const getCondition = (s: DeploymentStatus | undefined, type: string) =>
  s?.conditions?.find((c) => c.type === type);

/** Same status and reason: no change at all; same status: keep the transition time. */
export function setCondition(s: DeploymentStatus, c: Condition): void {
  const cur = getCondition(s, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  if (cur && cur.status === c.status) c = { ...c, lastTransitionTime: cur.lastTransitionTime };
  s.conditions = [...removeCondition(s.conditions, c.type), c];
}

export const removeCondition = (cs: Condition[] | undefined, type: string) =>
  (cs ?? []).filter((c) => c.type !== type);

// --- surge and unavailability ---

// k8s: apimachinery/pkg/util/intstr GetScaledValueFromIntOrPercent
export const valueFromIntOrPercent = scaledValue;

/** Surge rounds up, unavailable down; both zero would deadlock, so unavailable becomes 1. */
export function resolveFenceposts(
  maxSurge: IntOrString | undefined,
  maxUnavailable: IntOrString | undefined,
  desired: number,
): [number, number] {
  const surge = valueFromIntOrPercent(maxSurge ?? 0, desired, true);
  let unavailable = valueFromIntOrPercent(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d))[0];
}

export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return Math.min(
    resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d))[1],
    replicasOf(d),
  );
}

// --- revisions and annotations ---

export function revisionOf(o: KObject): number {
  const v = o.metadata.annotations?.[REVISION];
  if (v === undefined) return 0;
  return /^\d+$/.test(v) ? Number(v) : Number.NaN;
}

export function maxRevision(rss: ReplicaSet[]): number {
  return rss.reduce((m, rs) => (revisionOf(rs) > m ? revisionOf(rs) : m), 0);
}

/** Copies the Deployment's annotations onto the ReplicaSet, raises its revision, keeps the history. */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  rs: ReplicaSet,
  newRevision: number,
  exists: boolean,
): boolean {
  const ann = (rs.metadata.annotations = { ...(rs.metadata.annotations ?? {}) });
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  const oldRevision = ann[REVISION];
  const old =
    oldRevision === undefined ? 0 : /^\d+$/.test(oldRevision) ? Number(oldRevision) : Number.NaN;
  if (Number.isNaN(old)) return false;
  if (old < newRevision) {
    ann[REVISION] = String(newRevision);
    changed = true;
    // A ReplicaSet that already had a revision is being rolled back to: remember what it was.
    if (oldRevision !== undefined) {
      const history = ann[REVISION_HISTORY] ? ann[REVISION_HISTORY].split(',') : [];
      let total = history.reduce((n, r) => n + r.length + 1, 0) + oldRevision.length;
      while (total > MAX_REV_HISTORY_CHARS && history.length) total -= history.shift()!.length + 1;
      ann[REVISION_HISTORY] = [...history, oldRevision].join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d)))
    changed = true;
  return changed;
}

export function replicasAnnotationsNeedUpdate(
  rs: ReplicaSet,
  desired: number,
  max: number,
): boolean {
  const ann = rs.metadata.annotations ?? {};
  return ann[DESIRED_REPLICAS] !== String(desired) || ann[MAX_REPLICAS] !== String(max);
}

export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  if (!replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
  rs.metadata.annotations = {
    ...(rs.metadata.annotations ?? {}),
    [DESIRED_REPLICAS]: String(desired),
    [MAX_REPLICAS]: String(max),
  };
  return true;
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
}
export const desiredReplicasAnnotation = (rs: ReplicaSet) => intAnnotation(rs, DESIRED_REPLICAS);

// --- finding and ordering replica sets ---

const created = (o: KObject) => Date.parse(o.metadata.creationTimestamp ?? '') || 0;

/** ReplicaSetsByCreationTimestamp: oldest first, name breaks ties. */
export function byCreation(a: KObject, b: KObject): number {
  return created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}
/** Larger first; among equals the newer first (scaling up). */
export const bySizeNewer = (a: ReplicaSet, b: ReplicaSet) =>
  rsReplicas(b) - rsReplicas(a) || byCreation(b, a);
/** Larger first; among equals the older first (scaling down). */
export const bySizeOlder = (a: ReplicaSet, b: ReplicaSet) =>
  rsReplicas(b) - rsReplicas(a) || byCreation(a, b);
export const byRevision = (a: ReplicaSet, b: ReplicaSet) =>
  (revisionOf(a) || 0) - (revisionOf(b) || 0) || byCreation(a, b);

export const filterActive = (rss: (ReplicaSet | undefined)[]) =>
  rss.filter((rs): rs is ReplicaSet => !!rs && rsReplicas(rs) > 0);

/** The oldest ReplicaSet whose template equals the Deployment's (several can exist after upgrades). */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

export function findOldReplicaSets(d: Deployment, rss: ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(d, rss);
  return rss.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
}

/** The only active ReplicaSet, or the newest one when none is active; undefined when several are. */
export function findActiveOrLatest(
  newRS: ReplicaSet | undefined,
  oldRSs: ReplicaSet[],
): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = filterActive([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

export const sumReplicas = (rss: (ReplicaSet | undefined)[]) =>
  rss.reduce((n, rs) => n + (rs ? rsReplicas(rs) : 0), 0);
export const sumStatus = (
  rss: (ReplicaSet | undefined)[],
  field: 'replicas' | 'readyReplicas' | 'availableReplicas',
) => rss.reduce((n, rs) => n + (rs?.status?.[field] ?? 0), 0);

// --- rollout arithmetic ---

/** How many replicas the new ReplicaSet may have now: bounded by surge for RollingUpdate, all at once for Recreate. */
export function newRSNewReplicas(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const surge = valueFromIntOrPercent(
    d.spec.strategy?.rollingUpdate?.maxSurge,
    replicasOf(d),
    true,
  );
  const current = sumReplicas(allRSs);
  const maxTotal = replicasOf(d) + surge;
  if (current >= maxTotal) return rsReplicas(newRS);
  return rsReplicas(newRS) + Math.min(maxTotal - current, replicasOf(d) - rsReplicas(newRS));
}

/** The new ReplicaSet holds every desired replica, both sides agree on the count, and all are available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  return (
    desired !== undefined &&
    rsReplicas(rs) === replicasOf(d) &&
    desired === replicasOf(d) &&
    (rs.status?.availableReplicas ?? 0) === replicasOf(d)
  );
}

// Go's math.Round: halves away from zero.
const roundHalfAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

/** This ReplicaSet's share of a scaling event, from its size relative to the max-replicas it was sized for. */
export function getProportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -rsReplicas(rs);
  const deploymentReplicas = replicasOf(d) + maxSurge(d);
  const annotated = intAnnotation(rs, MAX_REPLICAS) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  return roundHalfAway((rsReplicas(rs) * deploymentReplicas) / annotated) - rsReplicas(rs);
}

export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = replicasOf(d);
  return (
    (s.updatedReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** Progress: more updated, fewer old, more ready or more available replicas than the stored status says. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const o = d.status ?? {};
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0)
  );
}

/** No progress reported for longer than progressDeadlineSeconds (or already reported as timed out). */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c || c.reason === Reason.NewRSAvailable) return false;
  if (c.reason === Reason.TimedOut) return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  return !Number.isNaN(from) && from + d.spec.progressDeadlineSeconds! * 1000 < now;
}
