// The PodDisruptionBudget check of pods/eviction: an eviction the pod's budget cannot afford is
// refused with 429; an allowed one takes one disruption from the budget first (a resourceVersion-
// checked status write) and names the pod in status.disruptedPods for the disruption controller.
// k8s: pkg/registry/core/pod/storage/eviction.go (Create, checkAndDecrement, getPodDisruptionBudgets)
import type { Pod } from '../../api/core';
import { isPodReady } from '../../api/pod';
import {
  DISRUPTION_BUDGET_CAUSE,
  EVICTION_BLOCKED_MESSAGE,
  MAX_DISRUPTED_POD_SIZE,
  updateDisruptionAllowedCondition,
  type PodDisruptionBudget,
} from '../../api/policy';
import { findResource, type ResourceInfo } from '../../api/resources';
import { selectorFromLabelSelector } from '../../lib/labels';
import { rfc3339 } from '../../lib/time';
import { targetOf, type ApiContext } from '../context';
import { ApiError, errors } from '../errors';
import type { DeleteOptions } from './delete';
import { failureToError } from './failures';
import { updateObject } from './update';

const MANAGER = 'eviction';
/** Conflicting writers of the budget's status (other evictions, the controller) get this many tries. */
const CONFLICT_ATTEMPTS = 10;
const CONFLICT_PAUSE_MS = 50;

const pdbResource = (): ResourceInfo | undefined =>
  findResource('policy', 'v1', 'poddisruptionbudgets');

/** Pods whose eviction no budget guards: not running yet, finished, or already being deleted. */
const canIgnoreBudget = (pod: Pod) =>
  ['Succeeded', 'Failed', 'Pending'].includes(pod.status?.phase ?? '') ||
  !!pod.metadata.deletionTimestamp;

/** The budgets in the pod's namespace whose selector matches it (an unparsable selector matches nothing). */
async function budgetsFor(ctx: ApiContext, r: ResourceInfo, pod: Pod) {
  const out: PodDisruptionBudget[] = [];
  let cont: string | undefined;
  do {
    const res = await ctx.store.list(r, { namespace: pod.metadata.namespace, continue: cont });
    if (!res.ok) throw failureToError(ctx, res, '');
    for (const item of res.value.items as PodDisruptionBudget[]) {
      let matches = false;
      try {
        matches = selectorFromLabelSelector(item.spec?.selector).matches(pod.metadata.labels ?? {});
      } catch {
        matches = false;
      }
      if (matches) out.push(item);
    }
    cont = res.value.continue;
  } while (cont);
  return out;
}

/** The 429 with the budget's reason as its cause; retryAfter 0 sends no Retry-After (as upstream). */
function blocked(detail: string, retryAfter = 0): ApiError {
  return new ApiError(
    429,
    'TooManyRequests',
    EVICTION_BLOCKED_MESSAGE,
    {
      retryAfterSeconds: retryAfter || undefined,
      causes: [{ reason: DISRUPTION_BUDGET_CAUSE, message: detail }],
    },
    retryAfter ? { 'Retry-After': String(retryAfter) } : {},
  );
}

/** Takes one disruption from the budget, or refuses. k8s: eviction.go checkAndDecrement */
async function decrement(
  ctx: ApiContext,
  r: ResourceInfo,
  pdb: PodDisruptionBudget,
  podName: string,
  dryRun: boolean,
): Promise<void> {
  const s = pdb.status ?? {
    disruptionsAllowed: 0,
    currentHealthy: 0,
    desiredHealthy: 0,
    expectedPods: 0,
  };
  const name = pdb.metadata.name!;
  if ((s.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0))
    throw blocked(`The disruption budget ${name} is still being processed by the server.`, 10);
  const forbidden = (why: string) =>
    errors.forbidden(`poddisruptionbudgets.policy "${name}" is forbidden: ${why}`, {
      resource: 'poddisruptionbudgets',
      group: 'policy',
      name,
    });
  if (s.disruptionsAllowed < 0) throw forbidden('pdb disruptions allowed is negative');
  if (Object.keys(s.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE)
    throw forbidden(
      'DisruptedPods map too big - too many evictions not confirmed by PDB controller',
    );
  if (s.disruptionsAllowed === 0)
    throw blocked(
      `The disruption budget ${name} needs ${s.desiredHealthy} healthy pods and has ${s.currentHealthy} currently`,
    );
  if (dryRun) return;
  const now = rfc3339(Date.now());
  const pctx: ApiContext = {
    ...ctx,
    query: new URLSearchParams(),
    info: {
      ...ctx.info,
      verb: 'update',
      group: r.group,
      version: r.version,
      resource: r,
      name,
      subresource: 'status',
    },
  };
  await updateObject(pctx, name, {
    manager: MANAGER,
    // The budget this decision was made on, and no other: a concurrent eviction or controller write
    // makes this a conflict, and the caller decides again on the new status.
    expectResourceVersion: pdb.metadata.resourceVersion,
    mutate: (cur) => {
      const next = cur as PodDisruptionBudget;
      const status = { ...s, disruptedPods: { ...(s.disruptedPods ?? {}), [podName]: now } };
      status.disruptionsAllowed--;
      if (status.disruptionsAllowed === 0) updateDisruptionAllowedCondition(status, now);
      next.status = status;
      return next;
    },
  });
}

/**
 * Lets an eviction of `pod` go ahead under its budget, or throws the 429 (or the 500 for a pod
 * under several budgets). Returns the delete options to use: an unready pod evicted without taking
 * from the budget is deleted only at the version that was judged.
 */
export async function admitEviction(
  ctx: ApiContext,
  pod: Pod,
  opts: DeleteOptions,
  dryRun: boolean,
): Promise<DeleteOptions> {
  const r = pdbResource();
  if (!r || canIgnoreBudget(pod)) return opts;
  let pdbs = await budgetsFor(ctx, r, pod);
  if (pdbs.length > 1)
    throw errors.internal(
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
  if (pdbs.length === 0) return opts;
  const atThisVersion = {
    ...opts,
    preconditions: { ...opts.preconditions, resourceVersion: pod.metadata.resourceVersion },
  };
  let pdb = pdbs[0];
  if (!isPodReady(pod)) {
    if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return atThisVersion;
    const s = pdb.status;
    if (s && s.currentHealthy >= s.desiredHealthy && s.desiredHealthy > 0) return atThisVersion;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await decrement(ctx, r, pdb, pod.metadata.name!, dryRun);
      return opts;
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 409 || attempt >= CONFLICT_ATTEMPTS) throw e;
    }
    await new Promise((resolve) => setTimeout(resolve, CONFLICT_PAUSE_MS));
    const fresh = await ctx.store.get(r, pod.metadata.namespace, pdb.metadata.name!);
    if (!fresh) return opts;
    pdbs = [fresh as PodDisruptionBudget];
    pdb = pdbs[0];
  }
}

/**
 * Marks the pod before it is deleted: condition DisruptionTarget, reason EvictionByEvictionAPI, so
 * its controllers and its kubelet see why it goes. A resourceVersion precondition moves to the
 * version this write made. k8s: eviction.go addConditionAndDeletePod
 */
export async function markDisruptionTarget(
  ctx: ApiContext,
  name: string,
  opts: DeleteOptions,
): Promise<DeleteOptions> {
  const r = ctx.info.resource;
  const pre = opts.preconditions ?? {};
  const res = await ctx.store.guaranteedUpdate(r, ctx.info.namespace, name, (cur) => {
    const target = targetOf(ctx, name);
    if (pre.uid && pre.uid !== cur.metadata.uid)
      throw errors.conflict(
        target,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`,
      );
    if (pre.resourceVersion && !ctx.store.sameVersion(r, pre.resourceVersion, cur))
      throw errors.conflict(
        target,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`,
      );
    const pod = cur as Pod;
    const status = pod.status ?? {};
    const conditions = status.conditions ?? [];
    const old = conditions.find((c) => c.type === 'DisruptionTarget');
    const next = {
      type: 'DisruptionTarget',
      status: 'True' as const,
      lastProbeTime: null,
      lastTransitionTime:
        old?.status === 'True' && old.lastTransitionTime
          ? old.lastTransitionTime
          : rfc3339(Date.now()),
      reason: 'EvictionByEvictionAPI',
      message: 'Eviction API: evicting',
    };
    status.conditions = old ? conditions.map((c) => (c === old ? next : c)) : [...conditions, next];
    pod.status = status;
    return pod;
  });
  if (!res.ok) throw failureToError(ctx, res, name);
  if (!pre.resourceVersion) return opts;
  return {
    ...opts,
    preconditions: { ...pre, resourceVersion: res.value.metadata.resourceVersion },
  };
}
