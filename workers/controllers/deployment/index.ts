// Deployment controller: claims ReplicaSets, then scales, rolls out (RollingUpdate or Recreate) and reports status.
// k8s: pkg/controller/deployment/deployment_controller.go syncDeployment
import type { Pod, ReplicaSet } from '../../../src/api/core';
import { controllerOf, controllerRef } from '../../../src/api/owner';
import type { KObject } from '../../../src/api/types';
import { isNotFound } from '../../../src/client/errors';
import { objectKey } from '../../../src/client/informer';
import { selectorFromLabelSelector } from '../../../src/lib/labels';
import type { WriteBudget } from '../../shared/budget';
import { controllerUidOf, namespaceOf, type ClusterCache } from '../../shared/cache';
import { keyOf } from '../../shared/controller';
import type { ControllerContext, KeyedControllerDef } from '../framework';
import { claimObjects, stillLive } from '../lib/claim';
import { rolloutRecreate, type PodMap } from './recreate';
import { rolloutRolling } from './rolling';
import {
  checkPausedConditions,
  DeploymentSync,
  isScalingEvent,
  MANAGER,
  ReportedFailure,
  syncScaling,
  syncStatusOnly,
} from './sync';
import { isRollingUpdate, type Deployment } from './util';
import { autoRollback } from './auto-rollback';

async function syncDeployment(
  ctx: ControllerContext,
  budget: WriteBudget,
  d: Deployment,
  nsRSs: ReplicaSet[],
  pods: () => Pod[],
): Promise<DeploymentSync | undefined> {
  const sel = d.spec.selector;
  if (!sel) return undefined;
  if (!Object.keys(sel.matchLabels ?? {}).length && !sel.matchExpressions?.length) {
    // An empty selector would claim every pod in the namespace: refuse, as upstream does, and say
    // so once per generation (not on every pass, which would never let the cluster settle).
    if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
      await ctx.recorder
        .event(
          d,
          'Warning',
          'SelectingAll',
          'This deployment is selecting all pods. A non-empty selector is required.',
        )
        .catch(() => undefined);
      budget.take();
      await ctx.client.updateStatus(
        'apps/v1/deployments',
        { ...d, status: { ...(d.status ?? {}), observedGeneration: d.metadata.generation } },
        { namespace: d.metadata.namespace, fieldManager: MANAGER },
      );
      ctx.snapshot.invalidate('apps/v1/deployments');
    }
    return undefined;
  }
  const selector = selectorFromLabelSelector(sel);
  const claim = await claimObjects(
    {
      ctx,
      budget,
      manager: MANAGER,
      owner: d,
      ref: controllerRef(d, 'apps/v1', 'Deployment'),
      resource: 'apps/v1/replicasets',
      selector,
      canAdopt: () => stillLive(ctx, 'apps/v1/deployments', d),
    },
    nsRSs,
  );
  const s = new DeploymentSync(ctx, budget, d, claim.claimed);
  if (claim.conflicted) s.requeue(0);

  if (d.metadata.deletionTimestamp) {
    await syncStatusOnly(s);
    return s;
  }
  await checkPausedConditions(s);
  if (s.d.spec.paused || (await isScalingEvent(s))) {
    await syncScaling(s);
    return s;
  }
  if (isRollingUpdate(s.d)) await rolloutRolling(s);
  else await rolloutRecreate(s, podMap(s, pods()));
  return s;
}

/** The Deployment's pods (by selector) grouped under the ReplicaSets it owns; terminating pods included. */
function podMap(s: DeploymentSync, ownedPods: Pod[]): PodMap {
  const selector = selectorFromLabelSelector(s.d.spec.selector);
  const map: PodMap = new Map(s.rsList.map((rs) => [rs.metadata.uid!, []]));
  for (const p of ownedPods) {
    const owner = controllerOf(p)?.uid;
    if (owner && map.has(owner) && selector.matches(p.metadata.labels)) map.get(owner)!.push(p);
  }
  return map;
}

const DEPLOY = 'apps/v1/deployments';
const RS = 'apps/v1/replicasets';

/** The Deployment keys a ReplicaSet concerns: its controller, or, for an orphan, every Deployment whose selector matches it. */
function deploymentsForReplicaSet(rs: KObject, cache: ClusterCache): string[] {
  const ref = controllerOf(rs);
  if (ref) return ref.kind === 'Deployment' ? [keyOf(rs.metadata.namespace, ref.name)] : [];
  if (rs.metadata.deletionTimestamp) return [];
  return cache
    .kind<Deployment>(DEPLOY)
    .byIndex('namespace', rs.metadata.namespace ?? '')
    .filter((d) => selectorFromLabelSelector(d.spec.selector).matches(rs.metadata.labels))
    .map((d) => objectKey(d));
}

/** k8s: deletePod: a Recreate rollout waits for old pods to be gone, so a pod's deletion enqueues its Deployment. */
function deploymentForPod(pod: KObject, cache: ClusterCache): string[] {
  const ref = controllerOf(pod);
  if (!ref || ref.kind !== 'ReplicaSet') return [];
  const rs = cache.kind(RS).getNamed(pod.metadata.namespace, ref.name);
  const owner = rs && controllerOf(rs);
  return owner?.kind === 'Deployment' ? [keyOf(pod.metadata.namespace, owner.name)] : [];
}

/**
 * Reads only the caches: the Deployment, the ReplicaSets of its namespace (by index, orphans
 * included, for adoption), and, for Recreate, its ReplicaSets' pods (by owner index).
 */
export const deploymentController: KeyedControllerDef = {
  name: 'deployment',
  reconciles: DEPLOY,
  owns: [RS],
  reads: [DEPLOY, RS, 'pods'],
  watches: [
    {
      resource: RS,
      map: (rs, cache) => (controllerOf(rs) ? [] : deploymentsForReplicaSet(rs, cache)),
    },
    { resource: 'pods', map: deploymentForPod },
  ],
  indexes: [
    { resource: DEPLOY, name: 'namespace', fn: namespaceOf },
    { resource: RS, name: 'namespace', fn: namespaceOf },
    { resource: 'pods', name: 'owner', fn: controllerUidOf },
  ],
  async reconcile(ctx, key) {
    const d = ctx.cache.kind<Deployment>(DEPLOY).get(key);
    if (!d) return;
    const ns = d.metadata.namespace ?? '';
    const rss = ctx.cache.kind<ReplicaSet>(RS).byIndex('namespace', ns);
    const pods = ctx.cache.kind<Pod>('pods');
    const ownedPods = (): Pod[] => rss.flatMap((rs) => pods.byIndex('owner', rs.metadata.uid!));
    try {
      const s = await syncDeployment(ctx, ctx.budget, d, rss, ownedPods);
      if (await autoRollback(ctx, d, rss)) return { requeueAfterMs: 0 };
      return s?.requeueAfterMs !== undefined ? { requeueAfterMs: s.requeueAfterMs } : undefined;
    } catch (e) {
      // The object went away meanwhile: its deletion is an event of its own.
      if (isNotFound(e)) return { requeueAfterMs: 0 };
      if (e instanceof ReportedFailure) return { requeueAfterMs: e.retryAfterMs };
      throw e;
    }
  },
};
