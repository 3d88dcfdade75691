// DaemonSet controller: one pod per eligible node, rolling updates over ControllerRevisions, status counters.
// k8s: pkg/controller/daemon/daemon_controller.go (syncDaemonSet), daemon/update.go
import type { ControllerRevision, DaemonSet } from '../../../src/api/apps-workloads';
import { CONTROLLER_REVISION_HASH_LABEL } from '../../../src/api/apps-workloads';
import type { Node, Pod } from '../../../src/api/core';
import { isNodeReady, taintsOf } from '../../../src/api/node';
import { controllerOf, controllerRef } from '../../../src/api/owner';
import type { KObject } from '../../../src/api/types';
import { isConflict, isNotFound } from '../../../src/client/errors';
import { objectKey } from '../../../src/client/informer';
import { deepEqual } from '../../../src/lib/json';
import { selectorFromLabelSelector } from '../../../src/lib/labels';
import { controllerUidOf, namespaceOf, type ClusterCache } from '../../shared/cache';
import { keyOf } from '../../shared/controller';
import { ControllerExpectations } from '../../shared/expectations';
import { CONTROLLER_REVISIONS, ensureRevision, truncateHistory } from '../../shared/history';
import { managerOf, type KeyedContext, type KeyedControllerDef } from '../framework';
import { claimObjects, stillLive } from '../lib/claim';
import { nodeStates, planDaemonSet } from './plan';
import { daemonPodFor, targetNode } from './predicates';
import { daemonSetStatus } from './status';

const DS = 'apps/v1/daemonsets';
const MANAGER = managerOf({ name: 'daemonset' });
// k8s: daemon_controller.go BurstReplicas, and the slow start of syncNodes.
const BURST_REPLICAS = 250;

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A node change that can move a DaemonSet: added, removed, labels, taints, schedulability or readiness. */
function nodeMatters(obj: KObject, event: { type: string; oldObject?: KObject }): boolean {
  if (event.type !== 'MODIFIED' || !event.oldObject) return true;
  const a = obj as Node;
  const b = event.oldObject as Node;
  return (
    !deepEqual(a.metadata.labels ?? {}, b.metadata.labels ?? {}) ||
    !deepEqual(taintsOf(a), taintsOf(b)) ||
    !!a.spec?.unschedulable !== !!b.spec?.unschedulable ||
    isNodeReady(a) !== isNodeReady(b)
  );
}

function allDaemonSets(cache: ClusterCache): string[] {
  return cache
    .kind(DS)
    .list()
    .map((d) => objectKey(d));
}

/** An orphan pod enqueues the DaemonSets whose selector matches it (they may adopt it). */
function daemonSetsForOrphan(pod: KObject, cache: ClusterCache): string[] {
  if (controllerOf(pod) || pod.metadata.deletionTimestamp) return [];
  return cache
    .kind<DaemonSet>(DS)
    .byIndex('namespace', pod.metadata.namespace ?? '')
    .filter((ds) => selectorFromLabelSelector(ds.spec.selector).matches(pod.metadata.labels))
    .map((ds) => objectKey(ds));
}

async function event(
  ctx: KeyedContext,
  ds: DaemonSet,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
) {
  await ctx.recorder.event(ds, type, reason, message).catch(() => undefined);
}

async function sync(
  ctx: KeyedContext,
  expectations: ControllerExpectations,
  key: string,
  ds: DaemonSet,
): Promise<{ requeueAfterMs?: number; more?: boolean }> {
  const ns = ds.metadata.namespace ?? '';
  const nodes = ctx.cache.kind<Node>('nodes').list();
  const selector = selectorFromLabelSelector(ds.spec.selector);
  const candidates = ctx.cache
    .kind<Pod>('pods')
    .byIndex('namespace', ns)
    .filter((p) => !p.metadata.deletionTimestamp || controllerOf(p)?.uid === ds.metadata.uid);
  const claim = await claimObjects(
    {
      ctx,
      budget: ctx.budget,
      manager: MANAGER,
      owner: ds,
      ref: controllerRef(ds, 'apps/v1', 'DaemonSet'),
      resource: 'pods',
      selector,
      canAdopt: () => stillLive(ctx, DS, ds),
    },
    candidates,
  );
  let more = claim.conflicted;

  const existing = ctx.cache
    .kind<ControllerRevision>(CONTROLLER_REVISIONS)
    .byIndex('owner', ds.metadata.uid!);
  const history = await ensureRevision(
    ctx.client,
    { obj: ds, apiVersion: 'apps/v1', kind: 'DaemonSet', annotations: ds.metadata.annotations },
    existing,
    ds.status?.collisionCount,
    MANAGER,
  );
  ctx.budget.left -= Math.min(ctx.budget.left, history.writes);
  const hash = history.update.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';

  const known = new Set(nodes.map((n) => n.metadata.name));
  const byNode = new Map<string, Pod[]>();
  const orphans: Pod[] = [];
  for (const p of claim.claimed) {
    const node = targetNode(p);
    if (node && known.has(node)) {
      const list = byNode.get(node) ?? [];
      list.push(p);
      byNode.set(node, list);
    } else orphans.push(p);
  }
  const states = nodeStates(ds, nodes, byNode);
  const now = ctx.now();
  let failure: string | undefined;

  if (!ds.metadata.deletionTimestamp && expectations.satisfied(key)) {
    const plan = planDaemonSet(ds, states, orphans, hash, now);
    let creates = plan.create.slice(0, BURST_REPLICAS);
    let deletes = plan.delete.slice(0, BURST_REPLICAS);
    if (creates.length + deletes.length > ctx.budget.left) {
      more = true;
      deletes = deletes.slice(0, ctx.budget.left);
      creates = creates.slice(0, ctx.budget.left - deletes.length);
    }
    if (creates.length < plan.create.length || deletes.length < plan.delete.length) more = true;
    expectations.expect(
      key,
      creates.length,
      deletes.map((p) => objectKey(p)),
    );
    ctx.budget.take(creates.length + deletes.length);
    // Slow start, as upstream: batches of 1, 2, 4... so a failing create does not fail hundreds.
    let i = 0;
    for (let batch = 1; i < creates.length && !failure; batch *= 2) {
      const chunk = creates.slice(i, i + batch);
      const results = await Promise.allSettled(
        chunk.map((node) =>
          ctx.client.create<Pod>('pods', daemonPodFor(ds, node, hash), {
            namespace: ns,
            fieldManager: MANAGER,
          }),
        ),
      );
      for (const r of results) {
        if (r.status === 'fulfilled')
          await event(
            ctx,
            ds,
            'Normal',
            'SuccessfulCreate',
            `Created pod: ${r.value.metadata.name}`,
          );
        else {
          expectations.creationObserved(key);
          failure ??= errorText(r.reason);
          await event(ctx, ds, 'Warning', 'FailedCreate', `Error creating: ${errorText(r.reason)}`);
        }
      }
      i += chunk.length;
    }
    if (i < creates.length) expectations.creationObserved(key, creates.length - i);
    const results = await Promise.allSettled(
      deletes.map((p) =>
        ctx.client.delete('pods', p.metadata.name!, {
          namespace: ns,
          preconditions: { uid: p.metadata.uid },
        }),
      ),
    );
    for (const [j, r] of results.entries()) {
      const pod = deletes[j];
      if (r.status === 'fulfilled')
        await event(ctx, ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      else {
        expectations.deletionObserved(key, objectKey(pod));
        if (!isNotFound(r.reason)) {
          failure ??= errorText(r.reason);
          await event(ctx, ds, 'Warning', 'FailedDelete', `Error deleting: ${errorText(r.reason)}`);
        }
      }
    }
  }

  // History: revisions no live pod runs, beyond revisionHistoryLimit, go.
  const live = new Set([history.update.metadata.name!]);
  for (const p of claim.claimed) {
    const h = p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
    const rev = history.revisions.find(
      (r) => r.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === h,
    );
    if (rev) live.add(rev.metadata.name!);
  }
  const limit = ds.spec.revisionHistoryLimit ?? 10;
  if (history.revisions.length - live.size > limit) {
    const writes = await truncateHistory(ctx.client, history.revisions, live, limit);
    ctx.budget.left -= Math.min(ctx.budget.left, writes);
  }

  const { status, requeueAfterMs } = daemonSetStatus(ds, states, hash, now);
  if (history.collisionCount !== undefined) status.collisionCount = history.collisionCount;
  if (!deepEqual(status, ds.status ?? {})) {
    ctx.budget.take();
    try {
      await ctx.client.updateStatus(
        DS,
        { ...ds, status },
        { namespace: ns, fieldManager: MANAGER },
      );
    } catch (e) {
      if (isConflict(e) || isNotFound(e)) more = true;
      else throw e;
    }
  }
  if (failure && expectations.satisfied(key)) throw new Error(failure);
  return { requeueAfterMs, more };
}

/** A fresh controller with its own expectations (one set per leader instance). */
export function daemonSetController(
  expectations = new ControllerExpectations(),
): KeyedControllerDef {
  return {
    name: 'daemonset',
    reconciles: DS,
    reads: [DS, 'pods', 'nodes', CONTROLLER_REVISIONS],
    owns: ['pods', CONTROLLER_REVISIONS],
    watches: [
      {
        resource: 'nodes',
        map: (obj, cache, e) => (nodeMatters(obj, e) ? allDaemonSets(cache) : []),
      },
      { resource: 'pods', map: daemonSetsForOrphan },
    ],
    indexes: [
      { resource: 'pods', name: 'namespace', fn: namespaceOf },
      { resource: DS, name: 'namespace', fn: namespaceOf },
      { resource: CONTROLLER_REVISIONS, name: 'owner', fn: controllerUidOf },
    ],
    observe(resource, e) {
      if (resource !== 'pods') return;
      const ref = controllerOf(e.object);
      if (!ref || ref.kind !== 'DaemonSet') return;
      const dsKey = keyOf(e.object.metadata.namespace, ref.name);
      const podKey = objectKey(e.object);
      if (e.type === 'ADDED') {
        if (e.object.metadata.deletionTimestamp) expectations.deletionObserved(dsKey, podKey);
        else expectations.creationObserved(dsKey);
      } else if (
        e.type === 'DELETED' ||
        (e.object.metadata.deletionTimestamp && !e.oldObject?.metadata.deletionTimestamp)
      ) {
        expectations.deletionObserved(dsKey, podKey);
      }
    },
    async reconcile(ctx, key) {
      const ds = ctx.cache.kind<DaemonSet>(DS).get(key);
      if (!ds) {
        expectations.delete(key);
        return;
      }
      // k8s: syncDaemonSet: a DaemonSet being deleted is left to the garbage collector.
      if (ds.metadata.deletionTimestamp) return;
      const r = await sync(ctx, expectations, key, ds);
      if (r.more) return { requeueAfterMs: 0 };
      return r.requeueAfterMs !== undefined ? { requeueAfterMs: r.requeueAfterMs } : undefined;
    },
  };
}
