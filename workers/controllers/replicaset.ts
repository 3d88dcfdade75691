// ReplicaSet controller: keeps spec.replicas live pods per ReplicaSet, adopts and releases pods, reports status.
// The same controller serves ReplicationControllers, whose only difference is a map selector.
// k8s: pkg/controller/replicaset/replica_set.go, pkg/controller/replication/replication_controller.go,
// pkg/controller/controller_utils.go
import type { Condition, Pod, PodTemplate, ReplicaSet, ReplicaSetStatus } from '../../src/api/core';
import { controllerOf, controllerRef } from '../../src/api/owner';
import { isPodActive, isPodAvailable, isPodReady, podReadyCondition } from '../../src/api/pod';
import type { KObject, ObjectMeta } from '../../src/api/types';
import { isConflict, isNotFound } from '../../src/client/errors';
import { objectKey } from '../../src/client/informer';
import { deepEqual } from '../../src/lib/json';
import { selectorFromLabelSelector, selectorFromSet } from '../../src/lib/labels';
import type { Selector } from '../../src/lib/labels';
import { rfc3339 } from '../../src/lib/time';
import type { WriteBudget } from '../shared/budget';
import { controllerUidOf, namespaceOf } from '../shared/cache';
import { keyOf } from '../shared/controller';
import { ControllerExpectations } from '../shared/expectations';
import { managerOf, type KeyedContext, type KeyedControllerDef } from './framework';
import { claimObjects, stillLive } from './lib/claim';

export type { Condition, Pod, PodTemplate, ReplicaSet, ReplicaSetStatus };

/** What differs between the kinds this controller serves: identity and how the selector reads. */
export interface ReplicaKind {
  /** kube-controller-manager's name for the controller. */
  name: string;
  resource: string;
  apiVersion: string;
  kind: string;
  selector(owner: ReplicaSet): Selector;
}

export const REPLICA_SET: ReplicaKind = {
  name: 'replicaset',
  resource: 'apps/v1/replicasets',
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  selector: (rs) => selectorFromLabelSelector(rs.spec.selector),
};

/** core/v1 ReplicationController: spec.selector is a label map (every pair must match). */
export const REPLICATION_CONTROLLER: ReplicaKind = {
  name: 'replicationcontroller',
  resource: 'replicationcontrollers',
  apiVersion: 'v1',
  kind: 'ReplicationController',
  selector: (rc) => selectorFromSet(rc.spec.selector as unknown as Record<string, string>),
};

// Upstream caps one sync's creations/deletions (BurstReplicas) and starts creations in doubling batches.
const BURST_REPLICAS = 500;
const SLOW_START_INITIAL_BATCH = 1;

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const maxRestarts = (p: Pod) =>
  Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
const deletionCost = (p: Pod) =>
  Number.parseInt(
    p.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? '0',
    10,
  ) || 0;
const timeOf = (s: string | null | undefined) => (s ? Date.parse(s) : 0);
const timestamp = rfc3339;
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
  for (const p of related)
    if (isPodActive(p))
      onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  const rank = (p: Pod) => onNode.get(p.spec?.nodeName ?? '') ?? 0;
  return [...owned].sort((a, b) => compareForDeletion(a, b, rank(a), rank(b))).slice(0, count);
}

// k8s: controller_utils.go GetPodFromTemplate: labels, annotations and finalizers come from the template.
function podFromTemplate(rs: ReplicaSet, kind: ReplicaKind): Pod {
  const t = rs.spec.template ?? {};
  const metadata: ObjectMeta = {
    generateName: `${rs.metadata.name}-`,
    namespace: rs.metadata.namespace,
    labels: { ...(t.metadata?.labels ?? {}) },
    ownerReferences: [controllerRef(rs, kind.apiVersion, kind.kind)],
  };
  if (t.metadata?.annotations) metadata.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers?.length) metadata.finalizers = [...t.metadata.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(t.spec ?? {}) };
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

class ReplicaSetSync {
  readonly manager: string;
  requeueAfterMs: number | undefined;
  more = false;
  /** What went wrong creating or deleting pods (after status recorded it, the key is retried with backoff). */
  error: { reason: string; message: string } | undefined;
  constructor(
    readonly ctx: KeyedContext,
    readonly budget: WriteBudget,
    readonly expectations: ControllerExpectations,
    readonly key: string,
    readonly kind: ReplicaKind,
  ) {
    this.manager = managerOf(kind);
  }

  requeue(ms: number) {
    this.requeueAfterMs = Math.min(this.requeueAfterMs ?? Infinity, Math.max(ms, 0));
  }

  // Events are best effort, as with client-go's recorder: a failed event never fails the sync.
  private async event(rs: ReplicaSet, type: 'Normal' | 'Warning', reason: string, message: string) {
    await this.ctx.recorder.event(rs, type, reason, message).catch(() => undefined);
  }

  async sync(rs: ReplicaSet, nsPods: Pod[], siblings: ReplicaSet[]): Promise<void> {
    const ctx = this.ctx;
    const selector = this.kind.selector(rs);
    const active = nsPods.filter(isPodActive);
    const claim = await claimObjects(
      {
        ctx,
        budget: this.budget,
        manager: this.manager,
        owner: rs,
        ref: controllerRef(rs, this.kind.apiVersion, this.kind.kind),
        resource: 'pods',
        selector,
        canAdopt: () => stillLive(ctx, this.kind.resource, rs),
      },
      active,
    );
    if (claim.conflicted) this.more = true;
    let owned = claim.claimed;
    let manageError: { reason: string; message: string } | undefined;
    // k8s: syncReplicaSet: pods are only created or deleted once the cache has seen the previous
    // round's creates and deletes; until then the count it shows is behind, and acting on it would
    // make extra pods (or delete too many).
    if (!rs.metadata.deletionTimestamp && this.expectations.satisfied(this.key)) {
      const managed = await this.manageReplicas(rs, owned, nsPods, siblings);
      owned = managed.owned;
      manageError = managed.error;
    } else if (!rs.metadata.deletionTimestamp) {
      manageError = (rs.status?.conditions ?? []).find((c) => c.type === 'ReplicaFailure') as
        { reason: string; message: string } | undefined;
    }
    this.error = manageError;
    await this.updateStatus(rs, owned, manageError);
  }

  // k8s: replica_set.go manageReplicas
  private async manageReplicas(
    rs: ReplicaSet,
    owned: Pod[],
    nsPods: Pod[],
    siblings: ReplicaSet[],
  ) {
    const { ctx } = this;
    const diff = owned.length - (rs.spec.replicas ?? 1);
    if (diff < 0) {
      const want = Math.min(-diff, BURST_REPLICAS);
      // Whatever this round does not create (budget, a failed batch) is taken off again below.
      this.expectations.expect(this.key, want);
      const created: Pod[] = [];
      let error: { reason: string; message: string } | undefined;
      let remaining = want;
      for (
        let batch = Math.min(remaining, SLOW_START_INITIAL_BATCH);
        batch > 0;
        batch = Math.min(2 * batch, remaining)
      ) {
        const n = Math.min(batch, this.budget.left);
        if (n < batch) this.more = true;
        if (n === 0) break;
        this.budget.take(n);
        const results = await Promise.allSettled(
          Array.from({ length: n }, () =>
            ctx.client.create<Pod>('pods', podFromTemplate(rs, this.kind), {
              namespace: rs.metadata.namespace,
              fieldManager: this.manager,
            }),
          ),
        );
        for (const r of results) {
          if (r.status === 'fulfilled') created.push(r.value);
          else {
            // k8s: a create that failed will never be observed.
            this.expectations.creationObserved(this.key);
            error ??= { reason: 'FailedCreate', message: errorText(r.reason) };
          }
        }
        await Promise.all(
          results.map((r) =>
            r.status === 'fulfilled'
              ? this.event(
                  rs,
                  'Normal',
                  'SuccessfulCreate',
                  `Created pod: ${r.value.metadata.name}`,
                )
              : this.event(rs, 'Warning', 'FailedCreate', `Error creating: ${errorText(r.reason)}`),
          ),
        );
        ctx.snapshot.invalidate('pods');
        remaining -= n;
        if (error || n < batch) break;
      }
      // k8s: the slow start skipped these; no event will ever come for them.
      if (remaining > 0) this.expectations.creationObserved(this.key, remaining);
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
      this.expectations.expect(
        this.key,
        0,
        victims.map((p) => objectKey(p)),
      );
      let error: { reason: string; message: string } | undefined;
      const results = await Promise.allSettled(
        victims.map((p) =>
          ctx.client.delete('pods', p.metadata.name!, {
            namespace: p.metadata.namespace,
            preconditions: { uid: p.metadata.uid },
          }),
        ),
      );
      const gone = new Set<string>();
      const events: Promise<void>[] = [];
      for (const [i, r] of results.entries()) {
        const pod = victims[i];
        if (r.status === 'fulfilled' || isNotFound(r.reason)) {
          gone.add(pod.metadata.uid!);
          if (r.status === 'fulfilled')
            events.push(
              this.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`),
            );
        } else {
          this.expectations.deletionObserved(this.key, objectKey(pod));
          error ??= { reason: 'FailedDelete', message: errorText(r.reason) };
          events.push(
            this.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${errorText(r.reason)}`),
          );
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
  private async updateStatus(
    rs: ReplicaSet,
    owned: Pod[],
    manageError: { reason: string; message: string } | undefined,
  ) {
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
      else if (podReadyCondition(p)?.lastTransitionTime)
        this.requeue(
          timeOf(podReadyCondition(p)?.lastTransitionTime) + minReady * 1000 - now + 1000,
        );
    }
    const old = rs.status ?? {};
    let conditions = old.conditions ?? [];
    const failure = conditions.find((c) => c.type === 'ReplicaFailure');
    if (manageError && !failure) {
      conditions = [
        ...conditions,
        {
          type: 'ReplicaFailure',
          status: 'True',
          lastTransitionTime: timestamp(now),
          reason: manageError.reason,
          message: manageError.message,
        },
      ];
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
      await this.ctx.client.updateStatus(
        this.kind.resource,
        { ...rs, status },
        { namespace: rs.metadata.namespace, fieldManager: this.manager },
      );
    } catch (e) {
      if (isConflict(e) || isNotFound(e)) this.more = true;
      else throw e;
    }
    this.ctx.snapshot.invalidate(this.kind.resource);
  }
}

/** The owner keys a pod concerns: its controller, or, for an orphan, every owner whose selector matches it. */
function ownersForPod(kind: ReplicaKind, pod: KObject, cache: KeyedContext['cache']): string[] {
  const ref = controllerOf(pod);
  if (ref) return ref.kind === kind.kind ? [keyOf(pod.metadata.namespace, ref.name)] : [];
  if (pod.metadata.deletionTimestamp) return [];
  return cache
    .kind<ReplicaSet>(kind.resource)
    .byIndex('namespace', pod.metadata.namespace ?? '')
    .filter((rs) => kind.selector(rs).matches(pod.metadata.labels))
    .map((rs) => objectKey(rs));
}

/**
 * A fresh controller (its own expectations). Reads only the caches: ReplicaSets (and siblings by
 * owner), pods of the namespace by index. Owns pods: a pod change enqueues its ReplicaSet.
 */
export function replicaSetController(
  expectations = new ControllerExpectations(),
  kind: ReplicaKind = REPLICA_SET,
): KeyedControllerDef {
  const RS = kind.resource;
  return {
    name: kind.name,
    reconciles: RS,
    reads: [RS, 'pods'],
    watches: [{ resource: 'pods', map: (pod, cache) => ownersForPod(kind, pod, cache) }],
    indexes: [
      { resource: 'pods', name: 'namespace', fn: namespaceOf },
      { resource: RS, name: 'namespace', fn: namespaceOf },
      { resource: RS, name: 'owner', fn: controllerUidOf },
    ],
    // k8s: addPod / updatePod / deletePod lower the owner's expectations.
    observe(resource, event) {
      if (resource !== 'pods') return;
      const ref = controllerOf(event.object);
      if (!ref || ref.kind !== kind.kind) return;
      const rsKey = keyOf(event.object.metadata.namespace, ref.name);
      const podKey = objectKey(event.object);
      if (event.type === 'ADDED') {
        if (event.object.metadata.deletionTimestamp) expectations.deletionObserved(rsKey, podKey);
        else expectations.creationObserved(rsKey);
      } else if (
        event.type === 'DELETED' ||
        (event.object.metadata.deletionTimestamp && !event.oldObject?.metadata.deletionTimestamp)
      ) {
        expectations.deletionObserved(rsKey, podKey);
      }
    },
    async reconcile(ctx, key) {
      const rs = ctx.cache.kind<ReplicaSet>(RS).get(key);
      if (!rs) {
        expectations.delete(key);
        return;
      }
      const ns = rs.metadata.namespace ?? '';
      const owner = controllerOf(rs)?.uid;
      const siblings = owner ? ctx.cache.kind<ReplicaSet>(RS).byIndex('owner', owner) : [rs];
      const s = new ReplicaSetSync(ctx, ctx.budget, expectations, key, kind);
      await s.sync(rs, ctx.cache.kind<Pod>('pods').byIndex('namespace', ns), siblings);
      // k8s: a failed create or delete fails the sync: the key is retried through the rate limiter.
      if (s.error && expectations.satisfied(key))
        throw new Error(`${s.error.reason}: ${s.error.message}`);
      if (s.more) return { requeueAfterMs: 0 };
      return s.requeueAfterMs !== undefined ? { requeueAfterMs: s.requeueAfterMs } : undefined;
    },
  };
}

/** The replication manager: the ReplicaSet controller over ReplicationControllers. */
export const replicationControllerController = (
  expectations = new ControllerExpectations(),
): KeyedControllerDef => replicaSetController(expectations, REPLICATION_CONTROLLER);
