// ReplicaSet controller: keeps spec.replicas live pods per ReplicaSet, adopts and releases pods, reports status.
// k8s: pkg/controller/replicaset/replica_set.go, pkg/controller/controller_utils.go, controller_ref_manager.go
import type { KObject, LabelSelector, ObjectMeta, OwnerReference } from '../../src/api/types';
import { isConflict, isNotFound } from '../../src/client/errors';
import { deepEqual } from '../../src/lib/json';
import { selectorFromLabelSelector, selectorFromSet, type Selector } from '../../src/lib/labels';
import { BudgetExhausted, WriteBudget } from '../shared/budget';
import { managerOf, type Controller, type ControllerContext, type ReconcileResult } from './framework';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  reason?: string;
  message?: string;
}

export interface Pod extends KObject {
  spec?: { nodeName?: string; [field: string]: unknown };
  status?: { phase?: string; conditions?: Condition[]; containerStatuses?: { restartCount?: number }[] };
}

export interface PodTemplate {
  metadata?: ObjectMeta;
  spec?: Record<string, unknown>;
}

export interface ReplicaSetStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface ReplicaSet extends KObject {
  spec: { replicas?: number; minReadySeconds?: number; selector?: LabelSelector; template?: PodTemplate };
  status?: ReplicaSetStatus;
}

// Upstream caps one sync's creations/deletions (BurstReplicas) and starts creations in doubling batches.
const BURST_REPLICAS = 500;
const SLOW_START_INITIAL_BATCH = 1;
// Without a rate limiter (a bare context in tests) a failed create or delete is retried after this long.
const FAILURE_RETRY_MS = 5_000;

export { BudgetExhausted, WriteBudget } from '../shared/budget';

export const controllerOf = (o: KObject): OwnerReference | undefined => o.metadata.ownerReferences?.find((r) => r.controller);

export function controllerRef(owner: KObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export const podReadyCondition = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready');
export const isPodReady = (p: Pod) => podReadyCondition(p)?.status === 'True';

// k8s: pkg/api/v1/pod/util.go IsPodAvailable: ready for strictly longer than minReadySeconds.
export function isPodAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(p)) return false;
  if (!minReadySeconds) return true;
  const since = Date.parse(podReadyCondition(p)?.lastTransitionTime ?? '');
  return !Number.isNaN(since) && since + minReadySeconds * 1000 < now;
}

// k8s: controller_utils.go FilterActivePods: terminating and finished pods do not count.
export const isPodActive = (p: Pod) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

export const timestamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface ClaimSpec {
  ctx: ControllerContext;
  budget: WriteBudget;
  manager: string;
  owner: KObject;
  ref: OwnerReference;
  resource: string;
  selector: Selector;
  /** Re-checks, just before the first adoption, that the owner still exists and is not being deleted. */
  canAdopt?: () => Promise<boolean>;
}

/**
 * Splits objects into those the owner controls after adopting orphans that match its selector and
 * releasing owned ones that no longer match. The patches carry the listed resourceVersion, so a
 * concurrent change makes them fail instead of clobbering another owner's claim.
 * k8s: pkg/controller/controller_ref_manager.go ClaimObject
 */
export async function claimObjects<T extends KObject>(spec: ClaimSpec, objects: T[]): Promise<{ claimed: T[]; conflicted: boolean }> {
  const { owner, ref, selector } = spec;
  const claimed: T[] = [];
  let conflicted = false;
  let adoptable: boolean | undefined;
  for (const obj of objects) {
    const cref = controllerOf(obj);
    const matches = selector.matches(obj.metadata.labels);
    if (cref && cref.uid !== ref.uid) continue;
    if (cref && matches) {
      claimed.push(obj);
      continue;
    }
    if (owner.metadata.deletionTimestamp) continue;
    let ownerReferences: OwnerReference[] | null;
    if (cref) {
      const rest = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ref.uid);
      ownerReferences = rest.length ? rest : null;
    } else {
      if (!matches || obj.metadata.deletionTimestamp) continue;
      adoptable ??= spec.canAdopt ? await spec.canAdopt() : true;
      if (!adoptable) continue;
      ownerReferences = [...(obj.metadata.ownerReferences ?? []), ref];
    }
    spec.budget.take();
    try {
      const patched = await spec.ctx.client.patch<T>(
        spec.resource,
        obj.metadata.name!,
        'merge',
        { metadata: { ownerReferences, resourceVersion: obj.metadata.resourceVersion } },
        { namespace: obj.metadata.namespace, fieldManager: spec.manager },
      );
      if (!cref) claimed.push({ ...patched, apiVersion: obj.apiVersion, kind: obj.kind });
    } catch (e) {
      if (isConflict(e)) conflicted = true;
      else if (!isNotFound(e)) throw e;
    }
    spec.ctx.snapshot.invalidate(spec.resource);
  }
  return { claimed, conflicted };
}

/** A fresh read before adopting: the owner still exists (same uid) and is not being deleted. k8s: RecheckDeletionTimestamp */
export async function stillLive(ctx: ControllerContext, resource: string, owner: KObject): Promise<boolean> {
  const fresh = await ctx.client.get(resource, owner.metadata.name!, { namespace: owner.metadata.namespace }).catch((e: unknown) => {
    if (isNotFound(e)) return undefined;
    throw e;
  });
  return !!fresh && fresh.metadata.uid === owner.metadata.uid && !fresh.metadata.deletionTimestamp;
}

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const maxRestarts = (p: Pod) => Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
const deletionCost = (p: Pod) => Number.parseInt(p.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? '0', 10) || 0;
const timeOf = (s: string | null | undefined) => (s ? Date.parse(s) : 0);
// afterOrZero: a zero time sorts first, then later times before earlier ones.
const afterOrZero = (a: number, b: number) => (a === 0 || b === 0 ? a === 0 : a > b);

/**
 * Orders pods from least to most valuable, so a scale-down deletes the front of the list.
 * `rank` counts related active pods on the same node: doubled-up pods go first.
 * k8s: pkg/controller/controller_utils.go ActivePodsWithRanks (without the logarithmic buckets)
 */
export function compareForDeletion(a: Pod, b: Pod, rankA: number, rankB: number): number {
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  if (na !== nb && (!na || !nb)) return !na ? -1 : 1;
  const pa = phaseOrdinal[a.status?.phase ?? ''] ?? 0;
  const pb = phaseOrdinal[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return ra ? 1 : -1;
  if (deletionCost(a) !== deletionCost(b)) return deletionCost(a) - deletionCost(b);
  if (rankA !== rankB) return rankB - rankA;
  if (ra && rb) {
    const ta = timeOf(podReadyCondition(a)?.lastTransitionTime);
    const tb = timeOf(podReadyCondition(b)?.lastTransitionTime);
    if (ta !== tb) return afterOrZero(ta, tb) ? -1 : 1;
  }
  if (maxRestarts(a) !== maxRestarts(b)) return maxRestarts(b) - maxRestarts(a);
  const ca = timeOf(a.metadata.creationTimestamp);
  const cb = timeOf(b.metadata.creationTimestamp);
  if (ca !== cb) return afterOrZero(ca, cb) ? -1 : 1;
  return 0;
}

// k8s: replica_set.go getPodsToDelete + getPodsRankedByRelatedPodsOnSameNode
function podsToDelete(owned: Pod[], related: Pod[], count: number): Pod[] {
  if (count >= owned.length) return owned.slice(0, count);
  const onNode = new Map<string, number>();
  for (const p of related) if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  const rank = (p: Pod) => onNode.get(p.spec?.nodeName ?? '') ?? 0;
  return [...owned].sort((a, b) => compareForDeletion(a, b, rank(a), rank(b))).slice(0, count);
}

// k8s: controller_utils.go GetPodFromTemplate: labels, annotations and finalizers come from the template.
function podFromTemplate(rs: ReplicaSet): Pod {
  const t = rs.spec.template ?? {};
  const metadata: ObjectMeta = {
    generateName: `${rs.metadata.name}-`,
    namespace: rs.metadata.namespace,
    labels: { ...(t.metadata?.labels ?? {}) },
    ownerReferences: [controllerRef(rs, 'apps/v1', 'ReplicaSet')],
  };
  if (t.metadata?.annotations) metadata.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers?.length) metadata.finalizers = [...t.metadata.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(t.spec ?? {}) };
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

class ReplicaSetSync {
  readonly manager = managerOf(replicaSetController);
  requeueAfterMs: number | undefined;
  more = false;
  constructor(
    readonly ctx: ControllerContext,
    readonly budget: WriteBudget,
  ) {}

  requeue(ms: number) {
    this.requeueAfterMs = Math.min(this.requeueAfterMs ?? Infinity, Math.max(ms, 0));
  }

  // Events are best effort, as with client-go's recorder: a failed event never fails the sync.
  private async event(rs: ReplicaSet, type: 'Normal' | 'Warning', reason: string, message: string) {
    await this.ctx.recorder.event(rs, type, reason, message).catch(() => undefined);
  }

  async sync(rs: ReplicaSet, nsPods: Pod[], siblings: ReplicaSet[]): Promise<void> {
    const ctx = this.ctx;
    const selector = selectorFromLabelSelector(rs.spec.selector);
    const active = nsPods.filter(isPodActive);
    const claim = await claimObjects(
      {
        ctx,
        budget: this.budget,
        manager: this.manager,
        owner: rs,
        ref: controllerRef(rs, 'apps/v1', 'ReplicaSet'),
        resource: 'pods',
        selector,
        canAdopt: () => stillLive(ctx, 'apps/v1/replicasets', rs),
      },
      active,
    );
    if (claim.conflicted) this.more = true;
    let owned = claim.claimed;
    let manageError: { reason: string; message: string } | undefined;
    // k8s: a failed sync is requeued through the rate limiter, so repeated failures wait ever longer
    // (5 ms doubling to 1000 s) instead of hammering the API at a fixed pace.
    const key = rs.metadata.uid!;
    const wait = ctx.backoff?.waitFor(key, ctx.now()) ?? 0;
    if (wait > 0) {
      this.requeue(wait);
      manageError = (rs.status?.conditions ?? []).find((c) => c.type === 'ReplicaFailure') as { reason: string; message: string } | undefined;
    } else if (!rs.metadata.deletionTimestamp) {
      const managed = await this.manageReplicas(rs, owned, nsPods, siblings);
      owned = managed.owned;
      manageError = managed.error;
      if (manageError) this.requeue(ctx.backoff ? ctx.backoff.when(key, ctx.now()) : FAILURE_RETRY_MS);
      else ctx.backoff?.forget(key);
    }
    await this.updateStatus(rs, owned, manageError);
  }

  // k8s: replica_set.go manageReplicas
  private async manageReplicas(rs: ReplicaSet, owned: Pod[], nsPods: Pod[], siblings: ReplicaSet[]) {
    const { ctx } = this;
    const diff = owned.length - (rs.spec.replicas ?? 1);
    if (diff < 0) {
      const want = Math.min(-diff, BURST_REPLICAS);
      const created: Pod[] = [];
      let error: { reason: string; message: string } | undefined;
      let remaining = want;
      for (let batch = Math.min(remaining, SLOW_START_INITIAL_BATCH); batch > 0; batch = Math.min(2 * batch, remaining)) {
        const n = Math.min(batch, this.budget.left);
        if (n < batch) this.more = true;
        if (n === 0) break;
        this.budget.take(n);
        const results = await Promise.allSettled(
          Array.from({ length: n }, () => ctx.client.create<Pod>('pods', podFromTemplate(rs), { namespace: rs.metadata.namespace, fieldManager: this.manager })),
        );
        for (const r of results) {
          if (r.status === 'fulfilled') created.push(r.value);
          else error ??= { reason: 'FailedCreate', message: errorText(r.reason) };
        }
        await Promise.all(
          results.map((r) =>
            r.status === 'fulfilled'
              ? this.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name}`)
              : this.event(rs, 'Warning', 'FailedCreate', `Error creating: ${errorText(r.reason)}`),
          ),
        );
        ctx.snapshot.invalidate('pods');
        remaining -= n;
        if (error || n < batch) break;
      }
      if (!error && want < -diff) this.more = true;
      return { owned: [...owned, ...created], error };
    }
    if (diff > 0) {
      const siblingUids = new Set(siblings.map((s) => s.metadata.uid));
      const related = nsPods.filter((p) => siblingUids.has(controllerOf(p)?.uid));
      let victims = podsToDelete(owned, related, Math.min(diff, BURST_REPLICAS));
      if (victims.length > this.budget.left) {
        victims = victims.slice(0, this.budget.left);
        this.more = true;
      }
      if (victims.length < diff) this.more = true;
      this.budget.take(victims.length);
      let error: { reason: string; message: string } | undefined;
      const results = await Promise.allSettled(
        victims.map((p) => ctx.client.delete('pods', p.metadata.name!, { namespace: p.metadata.namespace, preconditions: { uid: p.metadata.uid } })),
      );
      const gone = new Set<string>();
      const events: Promise<void>[] = [];
      for (const [i, r] of results.entries()) {
        const pod = victims[i];
        if (r.status === 'fulfilled' || isNotFound(r.reason)) {
          gone.add(pod.metadata.uid!);
          if (r.status === 'fulfilled') events.push(this.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`));
        } else {
          error ??= { reason: 'FailedDelete', message: errorText(r.reason) };
          events.push(this.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${errorText(r.reason)}`));
        }
      }
      await Promise.all(events);
      if (victims.length) ctx.snapshot.invalidate('pods');
      // A deleted pod is either gone or terminating: neither counts any more.
      return { owned: owned.filter((p) => !gone.has(p.metadata.uid!)), error };
    }
    return { owned, error: undefined };
  }

  // k8s: replica_set.go calculateStatus + replica_set_utils.go updateReplicaSetStatus
  private async updateStatus(rs: ReplicaSet, owned: Pod[], manageError: { reason: string; message: string } | undefined) {
    const now = this.ctx.now();
    const minReady = rs.spec.minReadySeconds ?? 0;
    const templateLabels = selectorFromSet(rs.spec.template?.metadata?.labels);
    let fullyLabeled = 0;
    let ready = 0;
    let available = 0;
    for (const p of owned) {
      if (templateLabels.matches(p.metadata.labels)) fullyLabeled++;
      if (!isPodReady(p)) continue;
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
      // Wake just after the pod turns available; one without a transition time never will by waiting.
      else if (podReadyCondition(p)?.lastTransitionTime) this.requeue(timeOf(podReadyCondition(p)?.lastTransitionTime) + minReady * 1000 - now + 1000);
    }
    const old = rs.status ?? {};
    let conditions = old.conditions ?? [];
    const failure = conditions.find((c) => c.type === 'ReplicaFailure');
    if (manageError && !failure) {
      conditions = [...conditions, { type: 'ReplicaFailure', status: 'True', lastTransitionTime: timestamp(now), reason: manageError.reason, message: manageError.message }];
    } else if (!manageError && failure) {
      conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
    }
    const status: ReplicaSetStatus = {
      replicas: owned.length,
      fullyLabeledReplicas: fullyLabeled || undefined,
      readyReplicas: ready || undefined,
      availableReplicas: available || undefined,
      observedGeneration: rs.metadata.generation,
      conditions: conditions.length ? conditions : undefined,
    };
    if (
      (old.replicas ?? 0) === owned.length &&
      (old.fullyLabeledReplicas ?? 0) === fullyLabeled &&
      (old.readyReplicas ?? 0) === ready &&
      (old.availableReplicas ?? 0) === available &&
      old.observedGeneration === rs.metadata.generation &&
      deepEqual(old.conditions ?? [], conditions)
    ) {
      return;
    }
    this.budget.take();
    try {
      await this.ctx.client.updateStatus('apps/v1/replicasets', { ...rs, status }, { namespace: rs.metadata.namespace, fieldManager: this.manager });
    } catch (e) {
      if (isConflict(e) || isNotFound(e)) this.more = true;
      else throw e;
    }
    this.ctx.snapshot.invalidate('apps/v1/replicasets');
  }
}

async function reconcile(ctx: ControllerContext): Promise<ReconcileResult> {
  const [all, pods] = await Promise.all([ctx.snapshot.list<ReplicaSet>('apps/v1/replicasets'), ctx.snapshot.list<Pod>('pods')]);
  const podsByNs = new Map<string, Pod[]>();
  for (const p of pods) {
    const ns = p.metadata.namespace ?? '';
    podsByNs.set(ns, [...(podsByNs.get(ns) ?? []), p]);
  }
  const byOwner = new Map<string, ReplicaSet[]>();
  for (const rs of all) {
    const owner = controllerOf(rs)?.uid;
    if (owner) byOwner.set(owner, [...(byOwner.get(owner) ?? []), rs]);
  }
  const s = new ReplicaSetSync(ctx, new WriteBudget(ctx.config.maxWritesPerPass));
  const failures: string[] = [];
  for (const rs of all) {
    const ns = rs.metadata.namespace ?? '';
    const owner = controllerOf(rs)?.uid;
    const siblings = owner ? byOwner.get(owner)! : [rs];
    try {
      await s.sync(rs, podsByNs.get(ns) ?? [], siblings);
    } catch (e) {
      if (e instanceof BudgetExhausted) {
        s.more = true;
        break;
      }
      failures.push(`${ns}/${rs.metadata.name}: ${errorText(e)}`);
    }
  }
  if (failures.length) throw new Error(`replicaset controller: ${failures.join('; ')}`);
  return { ...(s.more ? { more: true } : {}), ...(s.requeueAfterMs !== undefined ? { requeueAfterMs: s.requeueAfterMs } : {}) };
}

export const replicaSetController: Controller = {
  name: 'replicaset',
  watches: ['apps/v1/replicasets', 'pods'],
  reconcile,
};
