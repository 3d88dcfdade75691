// The disruption controller: keeps each PodDisruptionBudget's status (healthy pods, disruptions
// allowed, awaited evictions, DisruptionAllowed) current, so the eviction API can enforce it.
// k8s: pkg/controller/disruption/disruption.go (sync, trySync, failSafe)
import type { Pod } from '../../../src/api/core';
import {
  DISRUPTION_ALLOWED_CONDITION,
  SYNC_FAILED_REASON,
  conditionsAreUpToDate,
  setCondition,
  updateDisruptionAllowedCondition,
  type PodDisruptionBudget,
  type PodDisruptionBudgetStatus,
} from '../../../src/api/policy';
import type { KObject } from '../../../src/api/types';
import { isConflict, isNotFound } from '../../../src/client/errors';
import { objectKey } from '../../../src/client/informer';
import { deepEqual } from '../../../src/lib/json';
import { selectorFromLabelSelector, type Selector } from '../../../src/lib/labels';
import { rfc3339 } from '../../../src/lib/time';
import { namespaceOf, type ClusterCache } from '../../shared/cache';
import { managerOf, type KeyedContext, type KeyedControllerDef } from '../framework';
import { awaitedDisruptions, budgetStatus, countHealthy, expectedCounts } from './budget';
import { expectedScale, SCALE_KINDS } from './scale';
import { POD_KEY_PREFIX, staleCandidateKey, syncStalePod } from './stale';

const PDB = 'policy/v1/poddisruptionbudgets';
const NAME = 'disruption';

/** A budget's selector; one that cannot be parsed selects nothing (the eviction API ignores it too). */
function selectorOf(pdb: PodDisruptionBudget): Selector | undefined {
  try {
    return selectorFromLabelSelector(pdb.spec?.selector);
  } catch {
    return undefined;
  }
}

/** The budgets a pod falls under (the new and the old labels each get asked). */
function budgetsForPod(pod: KObject, cache: ClusterCache): string[] {
  return cache
    .kind<PodDisruptionBudget>(PDB)
    .byIndex('namespace', pod.metadata.namespace ?? '')
    .filter((pdb) => selectorOf(pdb)?.matches(pod.metadata.labels ?? {}))
    .map((pdb) => objectKey(pdb));
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function writeStatus(
  ctx: KeyedContext,
  pdb: PodDisruptionBudget,
  status: PodDisruptionBudgetStatus,
): Promise<void> {
  ctx.budget.take();
  await ctx.client.updateStatus(
    PDB,
    { ...pdb, status },
    { namespace: pdb.metadata.namespace, fieldManager: managerOf({ name: NAME }) },
  );
}

async function event(
  ctx: KeyedContext,
  obj: KObject,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
) {
  await ctx.recorder.event(obj, type, reason, message).catch(() => undefined);
}

/** One budget's status from the caches; returns when to look again (an awaited eviction's timeout). */
async function trySync(ctx: KeyedContext, pdb: PodDisruptionBudget): Promise<number | undefined> {
  const sel = selectorOf(pdb);
  if (!sel) throw new Error('invalid label selector');
  const pods = ctx.cache
    .kind<Pod>('pods')
    .byIndex('namespace', pdb.metadata.namespace ?? '')
    .filter((p) => sel.matches(p.metadata.labels ?? {}));
  let counts;
  try {
    counts = expectedCounts(pdb, pods, () => expectedScale(ctx.cache, pods));
  } catch (e) {
    await event(
      ctx,
      pdb,
      'Warning',
      'CalculateExpectedPodCountFailed',
      `Failed to calculate the number of expected pods: ${errorText(e)}`,
    );
    throw e;
  }
  const now = ctx.now();
  const { disrupted, recheckAt, notDeleted } = awaitedDisruptions(pdb, pods, now);
  const currentHealthy = countHealthy(pods, disrupted, now);
  const status = budgetStatus(pdb, currentHealthy, counts, disrupted);
  const old = pdb.status;
  const unchanged =
    old &&
    old.currentHealthy === status.currentHealthy &&
    old.desiredHealthy === status.desiredHealthy &&
    old.expectedPods === status.expectedPods &&
    old.disruptionsAllowed === status.disruptionsAllowed &&
    deepEqual(old.disruptedPods ?? {}, disrupted) &&
    old.observedGeneration === pdb.metadata.generation &&
    conditionsAreUpToDate(pdb);
  if (!unchanged) {
    // Events are only worth a write that changes something (upstream repeats them every sync).
    if (pods.length === 0) await event(ctx, pdb, 'Normal', 'NoPods', 'No matching pods found');
    if (counts.unmanaged.length)
      await event(
        ctx,
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    for (const pod of notDeleted)
      await event(
        ctx,
        pod,
        'Warning',
        'NotDeleted',
        `Pod was expected by PDB ${pdb.metadata.namespace}/${pdb.metadata.name} to be deleted but it wasn't`,
      );
    updateDisruptionAllowedCondition(status, rfc3339(now));
    await writeStatus(ctx, pdb, status);
  }
  return recheckAt === undefined ? undefined : recheckAt - now;
}

/** When the status cannot be computed, at least stop evictions. k8s: disruption.go failSafe */
async function failSafe(ctx: KeyedContext, pdb: PodDisruptionBudget, err: unknown) {
  const status: PodDisruptionBudgetStatus = {
    disruptionsAllowed: 0,
    currentHealthy: 0,
    desiredHealthy: 0,
    expectedPods: 0,
    ...pdb.status,
  };
  status.disruptionsAllowed = 0;
  setCondition(status, {
    type: DISRUPTION_ALLOWED_CONDITION,
    status: 'False',
    reason: SYNC_FAILED_REASON,
    message: errorText(err),
    observedGeneration: status.observedGeneration,
    lastTransitionTime: rfc3339(ctx.now()),
  });
  if (deepEqual(status, pdb.status)) return;
  await writeStatus(ctx, pdb, status);
}

export const disruptionController: KeyedControllerDef = {
  name: NAME,
  reconciles: PDB,
  reads: [PDB, 'pods', ...SCALE_KINDS],
  watches: [
    {
      resource: 'pods',
      map: (pod, cache) => [...budgetsForPod(pod, cache), ...staleCandidateKey(pod)],
    },
  ],
  indexes: [
    { resource: 'pods', name: 'namespace', fn: namespaceOf },
    { resource: PDB, name: 'namespace', fn: namespaceOf },
  ],
  async reconcile(ctx, key) {
    if (key.startsWith(POD_KEY_PREFIX)) return syncStalePod(ctx, key);
    const pdb = ctx.cache.kind<PodDisruptionBudget>(PDB).get(key);
    if (!pdb) return;
    try {
      const recheck = await trySync(ctx, pdb);
      return recheck === undefined ? undefined : { requeueAfterMs: Math.max(recheck, 0) };
    } catch (e) {
      // A conflict is a stale cache: the key goes back with the usual backoff, no fail-safe write.
      if (isConflict(e)) throw e;
      if (isNotFound(e)) return;
      await failSafe(ctx, pdb, e).catch((f) => {
        if (!isConflict(f) && !isNotFound(f)) throw f;
      });
      throw e;
    }
  },
};
