// One Deployment's sync: writes, revisions, the new ReplicaSet, proportional scaling, history cleanup, status.
// k8s: pkg/controller/deployment/sync.go
import { isAlreadyExists, isNotFound } from '../../../src/client/errors';
import { deepEqual } from '../../../src/lib/json';
import type { ReplicaSet } from '../../../src/api/core';
import { controllerOf, controllerRef } from '../../../src/api/owner';
import { rfc3339 as timestamp } from '../../../src/lib/time';
import type { WriteBudget } from '../../shared/budget';
import { managerOf, type ControllerContext } from '../framework';
import { computeHash, equalIgnoreHash, HASH_LABEL } from './hash';
import {
  byRevision,
  bySizeNewer,
  bySizeOlder,
  desiredReplicasAnnotation,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  getCondition,
  getProportion,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  newRSNewReplicas,
  Reason,
  REVISION,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  rsReplicas,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  sumReplicas,
  sumStatus,
  type Deployment,
  type DeploymentStatus,
} from './util';

/** A failure already reported on the Deployment (condition, event or collisionCount): retry, do not fail the pass. */
export class ReportedFailure extends Error {
  constructor(
    message: string,
    readonly retryAfterMs = 5_000,
  ) {
    super(message);
  }
}

const RS = 'apps/v1/replicasets';
const DEPLOY = 'apps/v1/deployments';
export const MANAGER = managerOf({ name: 'deployment' });

/** Drops zero counts and empty lists, as Go's omitempty leaves them out of the stored status. */
function compactStatus(s: DeploymentStatus): DeploymentStatus {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    if (k !== 'collisionCount' && v === 0) continue;
    out[k] = v;
  }
  return out as DeploymentStatus;
}

/**
 * The state of one Deployment's sync. `d` is the working copy the steps change; flush() writes
 * whatever differs from what the server holds. ReplicaSets are replaced by their written versions,
 * so later steps never write with a stale resourceVersion.
 */
export class DeploymentSync {
  d: Deployment;
  requeueAfterMs: number | undefined;
  constructor(
    readonly ctx: ControllerContext,
    readonly budget: WriteBudget,
    private stored: Deployment,
    public rsList: ReplicaSet[],
  ) {
    this.d = structuredClone(stored);
  }

  now = () => this.ctx.now();
  stamp = () => timestamp(this.ctx.now());

  requeue(ms: number) {
    this.requeueAfterMs = Math.min(this.requeueAfterMs ?? Infinity, Math.max(ms, 0));
  }

  fresh = (rs: ReplicaSet | undefined) =>
    rs ? (this.rsList.find((r) => r.metadata.uid === rs.metadata.uid) ?? rs) : undefined;

  async event(type: 'Normal' | 'Warning', reason: string, message: string) {
    await this.ctx.recorder.event(this.stored, type, reason, message).catch(() => undefined);
  }

  async updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    this.budget.take();
    const written = await this.ctx.client.update<ReplicaSet>(RS, rs, {
      namespace: rs.metadata.namespace,
      fieldManager: MANAGER,
    });
    this.ctx.snapshot.invalidate(RS);
    const out = { ...written, apiVersion: 'apps/v1', kind: 'ReplicaSet' };
    this.rsList = this.rsList.map((r) => (r.metadata.uid === out.metadata.uid ? out : r));
    return out;
  }

  async createReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    this.budget.take();
    const written = await this.ctx.client.create<ReplicaSet>(RS, rs, {
      namespace: rs.metadata.namespace,
      fieldManager: MANAGER,
    });
    this.ctx.snapshot.invalidate(RS);
    const out = { ...written, apiVersion: 'apps/v1', kind: 'ReplicaSet' };
    this.rsList = [...this.rsList, out];
    return out;
  }

  async deleteReplicaSet(rs: ReplicaSet): Promise<void> {
    this.budget.take();
    try {
      await this.ctx.client.delete(RS, rs.metadata.name!, {
        namespace: rs.metadata.namespace,
        propagationPolicy: 'Background',
        preconditions: { uid: rs.metadata.uid },
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    this.ctx.snapshot.invalidate(RS);
    this.rsList = this.rsList.filter((r) => r.metadata.uid !== rs.metadata.uid);
  }

  /**
   * Writes the revision annotation and the status when they differ from the server's copy. The
   * annotation goes through the main resource (this API's status writes keep metadata as stored).
   * Both writes carry the resourceVersion this sync read: if the spec moved on meanwhile they fail,
   * so a status computed from an older spec never claims the newer generation.
   */
  async flush(): Promise<void> {
    const ns = this.stored.metadata.namespace;
    const rev = this.d.metadata.annotations?.[REVISION];
    if (rev !== undefined && rev !== this.stored.metadata.annotations?.[REVISION]) {
      this.budget.take();
      const body = {
        metadata: {
          annotations: { [REVISION]: rev },
          resourceVersion: this.stored.metadata.resourceVersion,
        },
      };
      const patched = await this.ctx.client.patch<Deployment>(
        DEPLOY,
        this.stored.metadata.name!,
        'merge',
        body,
        { namespace: ns, fieldManager: MANAGER },
      );
      this.stored = { ...patched, apiVersion: 'apps/v1', kind: 'Deployment' };
      this.ctx.snapshot.invalidate(DEPLOY);
    }
    const status = compactStatus(this.d.status ?? {});
    if (!deepEqual(status, compactStatus(this.stored.status ?? {}))) {
      this.budget.take();
      const written = await this.ctx.client.updateStatus<Deployment>(
        DEPLOY,
        { ...this.stored, status },
        { namespace: ns, fieldManager: MANAGER },
      );
      this.stored = { ...written, apiVersion: 'apps/v1', kind: 'Deployment' };
      this.ctx.snapshot.invalidate(DEPLOY);
    }
    this.d = structuredClone(this.stored);
  }

  setRevision(rev: string): boolean {
    if (this.d.metadata.annotations?.[REVISION] === rev) return false;
    this.d.metadata.annotations = { ...(this.d.metadata.annotations ?? {}), [REVISION]: rev };
    return true;
  }

  setCondition(
    type: string,
    status: 'True' | 'False' | 'Unknown',
    reason: string,
    message: string,
  ) {
    this.d.status ??= {};
    setCondition(this.d.status, newCondition(type, status, reason, message, this.stamp()));
  }
}

export interface ReplicaSets {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

// k8s: sync.go getAllReplicaSetsAndSyncRevision
export async function getAllReplicaSetsAndSyncRevision(
  s: DeploymentSync,
  createIfNotExisted: boolean,
): Promise<ReplicaSets> {
  const oldRSs = findOldReplicaSets(s.d, s.rsList);
  const newRS = await getNewReplicaSet(s, oldRSs, createIfNotExisted);
  return { newRS, oldRSs };
}

// k8s: sync.go getNewReplicaSet
async function getNewReplicaSet(
  s: DeploymentSync,
  oldRSs: ReplicaSet[],
  createIfNotExisted: boolean,
): Promise<ReplicaSet | undefined> {
  const d = s.d;
  const existing = findNewReplicaSet(d, s.rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) {
    const copy = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    if (annotationsUpdated || (copy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0)) {
      copy.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
      return s.updateReplicaSet(copy);
    }
    let needsUpdate = s.setRevision(copy.metadata.annotations?.[REVISION] ?? '');
    if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
      s.setCondition(
        'Progressing',
        'True',
        Reason.FoundNewRS,
        `Found new replica set "${copy.metadata.name}"`,
      );
      needsUpdate = true;
    }
    if (needsUpdate) await s.flush();
    return copy;
  }
  if (!createIfNotExisted) return undefined;

  const template = structuredClone(d.spec.template ?? {});
  const hash = computeHash(template, d.status?.collisionCount);
  template.metadata = {
    ...(template.metadata ?? {}),
    labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash },
  };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      ownerReferences: [controllerRef(d, 'apps/v1', 'Deployment')],
      labels: { ...template.metadata.labels },
    },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
  const count = newRSNewReplicas(d, [...oldRSs, rs], rs);
  rs.spec.replicas = count;
  setNewReplicaSetAnnotations(d, rs, newRevision, false);

  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = await s.createReplicaSet(rs);
  } catch (e) {
    if (isAlreadyExists(e)) {
      // Ours with an equal template (a stale list): use it. Anything else is a hash collision.
      const found = await s.ctx.client.get<ReplicaSet>(RS, rs.metadata.name!, {
        namespace: rs.metadata.namespace,
      });
      if (
        controllerOf(found)?.uid === d.metadata.uid &&
        equalIgnoreHash(d.spec.template, found.spec.template)
      ) {
        created = { ...found, apiVersion: 'apps/v1', kind: 'ReplicaSet' };
        s.rsList = [...s.rsList.filter((r) => r.metadata.uid !== found.metadata.uid), created];
        alreadyExists = true;
      } else {
        s.d.status = {
          ...(s.d.status ?? {}),
          collisionCount: (s.d.status?.collisionCount ?? 0) + 1,
        };
        await s.flush();
        throw new ReportedFailure(
          `hash collision on replica set ${rs.metadata.name}: collisionCount is now ${s.d.status?.collisionCount}`,
          0,
        );
      }
    } else {
      const msg = `Failed to create new replica set "${rs.metadata.name}": ${e instanceof Error ? e.message : String(e)}`;
      if (hasProgressDeadline(d)) {
        s.setCondition('Progressing', 'False', Reason.FailedRSCreate, msg);
        await s.flush().catch(() => undefined);
      }
      await s.event('Warning', Reason.FailedRSCreate, msg);
      throw new ReportedFailure(msg);
    }
  }
  if (!alreadyExists && count > 0)
    await s.event(
      'Normal',
      'ScalingReplicaSet',
      `Scaled up replica set ${created.metadata.name} from 0 to ${count}`,
    );
  let needsUpdate = s.setRevision(String(newRevision));
  if (!alreadyExists && hasProgressDeadline(d)) {
    s.setCondition(
      'Progressing',
      'True',
      Reason.NewReplicaSet,
      `Created new replica set "${created.metadata.name}"`,
    );
    needsUpdate = true;
  }
  if (needsUpdate) await s.flush();
  return created;
}

// k8s: sync.go scaleReplicaSetAndRecordEvent
export async function scaleReplicaSetAndRecordEvent(
  s: DeploymentSync,
  rs: ReplicaSet,
  newScale: number,
): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  if (rsReplicas(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(s, rs, newScale, rsReplicas(rs) < newScale ? 'up' : 'down');
}

// k8s: sync.go scaleReplicaSet: the size and the desired/max annotations travel together.
export async function scaleReplicaSet(
  s: DeploymentSync,
  rs: ReplicaSet,
  newScale: number,
  op: string,
): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  const d = s.d;
  const desired = replicasOf(d);
  const max = desired + maxSurge(d);
  const sizeNeedsUpdate = rsReplicas(rs) !== newScale;
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max))
    return { scaled: false, rs };
  const oldScale = rsReplicas(rs);
  const copy = structuredClone(rs);
  copy.spec.replicas = newScale;
  setReplicasAnnotations(copy, desired, max);
  const written = await s.updateReplicaSet(copy);
  if (sizeNeedsUpdate)
    await s.event(
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${op} replica set ${written.metadata.name} to ${newScale} from ${oldScale}`,
    );
  return { scaled: sizeNeedsUpdate, rs: written };
}

/**
 * A scaling event (or a paused Deployment): spread the change over the active ReplicaSets in
 * proportion to their sizes, so scaling neither hastens nor reverses a rollout.
 * k8s: sync.go scale
 */
export async function scale(
  s: DeploymentSync,
  newRS: ReplicaSet | undefined,
  oldRSs: ReplicaSet[],
): Promise<void> {
  const d = s.d;
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (rsReplicas(activeOrLatest) === replicasOf(d)) return;
    await scaleReplicaSetAndRecordEvent(s, activeOrLatest, replicasOf(d));
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActive(oldRSs)) await scaleReplicaSetAndRecordEvent(s, old, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = filterActive([...oldRSs, newRS]);
  const allowedSize = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowedSize - sumReplicas(all);
  let op = '';
  if (toAdd > 0) {
    all.sort(bySizeNewer);
    op = 'up';
  } else if (toAdd < 0) {
    all.sort(bySizeOlder);
    op = 'down';
  }
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of all) {
    const proportion = toAdd !== 0 ? getProportion(rs, d, toAdd, added) : 0;
    sizes.set(rs.metadata.name!, rsReplicas(rs) + proportion);
    added += proportion;
  }
  for (const [i, rs] of all.entries()) {
    // Leftovers go to (or come from) the largest ReplicaSet.
    if (i === 0 && toAdd !== 0)
      sizes.set(rs.metadata.name!, Math.max(0, sizes.get(rs.metadata.name!)! + toAdd - added));
    await scaleReplicaSet(s, rs, sizes.get(rs.metadata.name!)!, op);
  }
}

/**
 * Keeps the newest revisionHistoryLimit old ReplicaSets; older ones with no replicas (desired or
 * observed) are deleted, oldest revision first.
 * k8s: sync.go cleanupDeployment
 */
export async function cleanupDeployment(s: DeploymentSync, oldRSs: ReplicaSet[]): Promise<void> {
  const d = s.d;
  if (!hasRevisionHistoryLimit(d)) return;
  const cleanable = oldRSs
    .map(s.fresh)
    .filter((rs): rs is ReplicaSet => !!rs && !rs.metadata.deletionTimestamp);
  const diff = cleanable.length - d.spec.revisionHistoryLimit!;
  if (diff <= 0) return;
  cleanable.sort(byRevision);
  for (const rs of cleanable.slice(0, diff)) {
    if (
      (rs.status?.replicas ?? 0) !== 0 ||
      rsReplicas(rs) !== 0 ||
      (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)
    )
      continue;
    await s.deleteReplicaSet(rs);
  }
}

// k8s: sync.go calculateStatus
export function calculateStatus(
  s: DeploymentSync,
  allRSs: (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
): DeploymentStatus {
  const d = s.d;
  const all = allRSs.map(s.fresh);
  const available = sumStatus(all, 'availableReplicas');
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: sumStatus(all, 'replicas'),
    updatedReplicas: sumStatus([s.fresh(newRS)], 'replicas'),
    readyReplicas: sumStatus(all, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sumReplicas(all) - available),
    collisionCount: d.status?.collisionCount,
    conditions: structuredClone(d.status?.conditions ?? []),
  };
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(
      status,
      newCondition(
        'Available',
        'True',
        Reason.MinimumReplicasAvailable,
        'Deployment has minimum availability.',
        s.stamp(),
      ),
    );
  } else {
    setCondition(
      status,
      newCondition(
        'Available',
        'False',
        Reason.MinimumReplicasUnavailable,
        'Deployment does not have minimum availability.',
        s.stamp(),
      ),
    );
  }
  return status;
}

export async function syncDeploymentStatus(
  s: DeploymentSync,
  allRSs: (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
): Promise<void> {
  s.d.status = calculateStatus(s, allRSs, newRS);
  await s.flush();
}

/** Scaling, not rolling out: some active ReplicaSet was sized for a different replica count. */
export async function isScalingEvent(s: DeploymentSync): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, false);
  return filterActive([...oldRSs, newRS].map(s.fresh)).some((rs) => {
    const desired = desiredReplicasAnnotation(rs);
    return desired !== undefined && desired !== replicasOf(s.d);
  });
}

// k8s: sync.go sync: a scaling event or a paused Deployment changes sizes, never templates.
export async function syncScaling(s: DeploymentSync): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, false);
  await scale(
    s,
    s.fresh(newRS),
    oldRSs.map((rs) => s.fresh(rs)!),
  );
  if (s.d.spec.paused) await cleanupDeployment(s, oldRSs);
  await syncDeploymentStatus(s, [...oldRSs, newRS], newRS);
}

export async function syncStatusOnly(s: DeploymentSync): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, false);
  await syncDeploymentStatus(s, [...oldRSs, newRS], newRS);
}

/** Paused and resumed are recorded on Progressing, so time spent paused never counts as no progress. */
export async function checkPausedConditions(s: DeploymentSync): Promise<void> {
  const d = s.d;
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === Reason.TimedOut) return;
  const pausedCondExists = cond?.reason === Reason.Paused;
  if (d.spec.paused && !pausedCondExists)
    s.setCondition('Progressing', 'Unknown', Reason.Paused, 'Deployment is paused');
  else if (!d.spec.paused && pausedCondExists)
    s.setCondition('Progressing', 'Unknown', Reason.Resumed, 'Deployment is resumed');
  else return;
  await s.flush();
}
