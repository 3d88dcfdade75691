// Deployment controller: claims ReplicaSets, then scales, rolls out (RollingUpdate or Recreate) and reports status.
// k8s: pkg/controller/deployment/deployment_controller.go syncDeployment
import { isConflict, isNotFound } from '../../../src/client/errors';
import { selectorFromLabelSelector } from '../../../src/lib/labels';
import { BudgetExhausted, claimObjects, controllerOf, controllerRef, stillLive, WriteBudget, type Pod, type ReplicaSet } from '../replicaset';
import type { Controller, ControllerContext, ReconcileResult } from '../framework';
import { rolloutRecreate, type PodMap } from './recreate';
import { rolloutRolling } from './rolling';
import { checkPausedConditions, DeploymentSync, isScalingEvent, MANAGER, ReportedFailure, syncScaling, syncStatusOnly } from './sync';
import { isRollingUpdate, type Deployment } from './util';

async function syncDeployment(ctx: ControllerContext, budget: WriteBudget, d: Deployment, nsRSs: ReplicaSet[], nsPods: Pod[]): Promise<DeploymentSync | undefined> {
  const sel = d.spec.selector;
  if (!sel) return undefined;
  if (!Object.keys(sel.matchLabels ?? {}).length && !sel.matchExpressions?.length) {
    // An empty selector would claim every pod in the namespace: refuse, as upstream does, and say
    // so once per generation (not on every pass, which would never let the cluster settle).
    if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
      await ctx.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.').catch(() => undefined);
      budget.take();
      await ctx.client.updateStatus('apps/v1/deployments', { ...d, status: { ...(d.status ?? {}), observedGeneration: d.metadata.generation } }, { namespace: d.metadata.namespace, fieldManager: MANAGER });
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
  else await rolloutRecreate(s, podMap(s, nsPods));
  return s;
}

/** The Deployment's pods (by selector) grouped under the ReplicaSets it owns; terminating pods included. */
function podMap(s: DeploymentSync, nsPods: Pod[]): PodMap {
  const selector = selectorFromLabelSelector(s.d.spec.selector);
  const map: PodMap = new Map(s.rsList.map((rs) => [rs.metadata.uid!, []]));
  for (const p of nsPods) {
    const owner = controllerOf(p)?.uid;
    if (owner && map.has(owner) && selector.matches(p.metadata.labels)) map.get(owner)!.push(p);
  }
  return map;
}

function group<T extends { metadata: { namespace?: string } }>(items: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const o of items) {
    const ns = o.metadata.namespace ?? '';
    out.set(ns, [...(out.get(ns) ?? []), o]);
  }
  return out;
}

async function reconcile(ctx: ControllerContext): Promise<ReconcileResult> {
  const [deployments, rss, pods] = await Promise.all([
    ctx.snapshot.list<Deployment>('apps/v1/deployments'),
    ctx.snapshot.list<ReplicaSet>('apps/v1/replicasets'),
    ctx.snapshot.list<Pod>('pods'),
  ]);
  const rsByNs = group(rss);
  const podsByNs = group(pods);
  const budget = new WriteBudget(ctx.config.maxWritesPerPass);
  let more = false;
  let requeueAfterMs: number | undefined;
  const requeue = (ms: number | undefined) => {
    if (ms !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, ms);
  };
  const failures: string[] = [];
  for (const d of deployments) {
    const ns = d.metadata.namespace ?? '';
    try {
      const s = await syncDeployment(ctx, budget, d, rsByNs.get(ns) ?? [], podsByNs.get(ns) ?? []);
      if (s?.requeueAfterMs === 0) more = true;
      else requeue(s?.requeueAfterMs);
    } catch (e) {
      if (e instanceof BudgetExhausted) {
        more = true;
        break;
      }
      // Someone else wrote first, or the object went away: the next pass reads fresh state.
      if (isConflict(e) || isNotFound(e)) more = true;
      else if (e instanceof ReportedFailure) {
        if (e.retryAfterMs === 0) more = true;
        else requeue(e.retryAfterMs);
      }
      else failures.push(`${ns}/${d.metadata.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (failures.length) throw new Error(`deployment controller: ${failures.join('; ')}`);
  return { ...(more ? { more: true } : {}), ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) };
}

export const deploymentController: Controller = {
  name: 'deployment',
  watches: ['apps/v1/deployments', 'apps/v1/replicasets', 'pods'],
  reconcile,
};
