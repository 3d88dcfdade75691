// One StatefulSet sync: claims and pods in ordinal order (OrderedReady) or all at once (Parallel), scale
// down from the highest ordinal, rolling update from the highest ordinal down to the partition, status.
// k8s: pkg/controller/statefulset/stateful_set_control.go (updateStatefulSet, processReplica,
//      processCondemned, updateStatefulSetStatus, completeRollingUpdate), stateful_pod_control.go
import type {
  ControllerRevision,
  StatefulSet,
  StatefulSetStatus,
} from '../../../src/api/apps-workloads';
import { scaledValue } from '../../../src/api/apps-workloads';
import type { Pod, PodTemplate } from '../../../src/api/core';
import { controllerRef } from '../../../src/api/owner';
import { isPodAvailable, isPodReady, podReadyCondition } from '../../../src/api/pod';
import type { PersistentVolumeClaim } from '../../../src/api/storage';
import { isAlreadyExists, isConflict, isNotFound } from '../../../src/client/errors';
import { objectKey } from '../../../src/client/informer';
import { deepEqual } from '../../../src/lib/json';
import { selectorFromLabelSelector } from '../../../src/lib/labels';
import type { ControllerExpectations } from '../../shared/expectations';
import { CONTROLLER_REVISIONS, ensureRevision, truncateHistory } from '../../shared/history';
import { managerOf, type KeyedContext } from '../framework';
import { claimObjects, stillLive } from '../lib/claim';
import {
  claimOwners,
  claimsFor,
  newPod,
  ordinalOf,
  podRevision,
  replicaCount,
  startOrdinal,
} from './identity';

export const STS = 'apps/v1/statefulsets';
export const PVCS = 'persistentvolumeclaims';
const MANAGER = managerOf({ name: 'statefulset' });

const terminating = (p: Pod) => !!p.metadata.deletionTimestamp;
const finished = (p: Pod) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

function templateOf(
  rev: ControllerRevision | undefined,
  fallback: PodTemplate | undefined,
): PodTemplate {
  const t = rev?.data?.spec?.template;
  if (!t) return fallback ?? {};
  const copy = structuredClone(t) as PodTemplate & { $patch?: string };
  delete copy.$patch;
  return copy;
}

export interface SyncResult {
  requeueAfterMs?: number;
  more?: boolean;
}

export class StatefulSetSync {
  requeueAfterMs: number | undefined;
  more = false;
  failure: string | undefined;
  private readonly ns: string;

  constructor(
    readonly ctx: KeyedContext,
    readonly expectations: ControllerExpectations,
    readonly key: string,
    readonly sts: StatefulSet,
  ) {
    this.ns = sts.metadata.namespace ?? '';
  }

  private requeue(ms: number) {
    this.requeueAfterMs = Math.min(this.requeueAfterMs ?? Infinity, Math.max(0, ms));
  }

  private async event(type: 'Normal' | 'Warning', reason: string, message: string) {
    await this.ctx.recorder.event(this.sts, type, reason, message).catch(() => undefined);
  }

  /** Running and ready (and available for minReadySeconds): what OrderedReady waits for. */
  private healthy(p: Pod): boolean {
    if (p.status?.phase !== 'Running' || !isPodReady(p) || terminating(p)) return false;
    const minReady = this.sts.spec.minReadySeconds ?? 0;
    if (isPodAvailable(p, minReady, this.ctx.now())) return true;
    const since = Date.parse(podReadyCondition(p)?.lastTransitionTime ?? '');
    if (since) this.requeue(since + minReady * 1000 - this.ctx.now() + 100);
    return false;
  }

  async run(): Promise<SyncResult> {
    const { ctx, sts } = this;
    const selector = selectorFromLabelSelector(sts.spec.selector);
    const claim = await claimObjects(
      {
        ctx,
        budget: ctx.budget,
        manager: MANAGER,
        owner: sts,
        ref: controllerRef(sts, 'apps/v1', 'StatefulSet'),
        resource: 'pods',
        selector,
        canAdopt: () => stillLive(ctx, STS, sts),
      },
      ctx.cache.kind<Pod>('pods').byIndex('namespace', this.ns),
    );
    if (claim.conflicted) this.more = true;
    const pods = claim.claimed.filter((p) => ordinalOf(sts, p) !== undefined);

    const existing = ctx.cache
      .kind<ControllerRevision>(CONTROLLER_REVISIONS)
      .byIndex('owner', sts.metadata.uid!);
    const history = await ensureRevision(
      ctx.client,
      {
        obj: sts,
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        annotations: sts.metadata.annotations,
      },
      existing,
      sts.status?.collisionCount,
      MANAGER,
    );
    ctx.budget.left -= Math.min(ctx.budget.left, history.writes);
    const update = history.update;
    const current =
      history.revisions.find((r) => r.metadata.name === sts.status?.currentRevision) ?? update;

    const start = startOrdinal(sts);
    const end = start + replicaCount(sts);
    const replicas = new Map<number, Pod>();
    const condemned: Pod[] = [];
    for (const p of pods) {
      const ord = ordinalOf(sts, p)!;
      if (ord >= start && ord < end) replicas.set(ord, p);
      else condemned.push(p);
    }
    condemned.sort((a, b) => ordinalOf(sts, b)! - ordinalOf(sts, a)!);

    if (this.expectations.satisfied(this.key) && !sts.metadata.deletionTimestamp) {
      await this.manage(replicas, condemned, start, end, current, update);
      await this.execute();
    }

    const live = new Set([update.metadata.name!, current.metadata.name!]);
    for (const p of pods) if (podRevision(p)) live.add(podRevision(p)!);
    const limit = sts.spec.revisionHistoryLimit ?? 10;
    if (history.revisions.length - live.size > limit)
      ctx.budget.left -= Math.min(
        ctx.budget.left,
        await truncateHistory(ctx.client, history.revisions, live, limit),
      );

    await this.updateStatus(pods, current, update, history.collisionCount);
    return { requeueAfterMs: this.requeueAfterMs, more: this.more };
  }

  private async manage(
    replicas: Map<number, Pod>,
    condemned: Pod[],
    start: number,
    end: number,
    current: ControllerRevision,
    update: ControllerRevision,
  ): Promise<void> {
    const { sts } = this;
    const monotonic = (sts.spec.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
    const rolling = (sts.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const partition = start + (sts.spec.updateStrategy?.rollingUpdate?.partition ?? 0);

    for (let ord = start; ord < end; ord++) {
      const pod = replicas.get(ord);
      if (pod && finished(pod) && !terminating(pod)) {
        // k8s: a failed or succeeded pod is deleted and made again.
        await this.deletePod(
          pod,
          `StatefulSet ${sts.metadata.name} Pod ${pod.metadata.name} has ${pod.status?.phase}`,
        );
        if (monotonic) return;
        continue;
      }
      if (!pod) {
        if (!(await this.ensureClaims(ord, undefined, false))) {
          if (monotonic) return;
          continue;
        }
        const useCurrent = rolling && ord < partition;
        const rev = useCurrent ? current : update;
        await this.createPod(
          newPod(sts, templateOf(rev, sts.spec.template), ord, rev.metadata.name!),
        );
        if (monotonic) return;
        continue;
      }
      if (terminating(pod) || !this.healthy(pod)) {
        if (monotonic) return;
        continue;
      }
      // A live pod whose claim went missing gets it back (and a stale scale-down owner taken off).
      const ok = await this.ensureClaims(ord, pod, false);
      if (!ok && monotonic) return;
    }

    // Scale down: the highest ordinal first; OrderedReady one at a time, and only when all are healthy.
    const unhealthy = [...replicas.values()].filter((p) => !this.healthy(p));
    for (const pod of condemned) {
      if (terminating(pod)) {
        if (monotonic) return;
        continue;
      }
      if (monotonic && (unhealthy.length > 0 || (!this.healthy(pod) && pod !== condemned[0])))
        return;
      await this.ensureClaims(ordinalOf(sts, pod)!, pod, true);
      await this.deletePod(pod);
      if (monotonic) return;
    }

    if (!rolling) return;
    // k8s: rolling update from the highest ordinal down to the partition, maxUnavailable at a time.
    const total = end - start;
    const maxUnavailable = Math.max(
      1,
      scaledValue(sts.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, total, false),
    );
    let unavailable = 0;
    for (let ord = start; ord < end; ord++) {
      const p = replicas.get(ord);
      if (!p || !this.healthy(p)) unavailable++;
    }
    for (let ord = end - 1; ord >= partition; ord--) {
      const p = replicas.get(ord);
      if (!p || terminating(p) || podRevision(p) === update.metadata.name) continue;
      if (unavailable >= maxUnavailable) return;
      await this.deletePod(p);
      unavailable++;
    }
  }

  /**
   * Creates the ordinal's missing claims and sets their owners by the retention policy. False when
   * a claim is being deleted: the pod must wait for it to go (upstream blocks the same way).
   */
  private async ensureClaims(
    ordinal: number,
    pod: Pod | undefined,
    condemned: boolean,
  ): Promise<boolean> {
    const { ctx, sts } = this;
    let ok = true;
    for (const want of claimsFor(sts, ordinal)) {
      const have = ctx.cache.kind<PersistentVolumeClaim>(PVCS).get(objectKey(want));
      if (have?.metadata.deletionTimestamp) {
        ok = false;
        this.requeue(1000);
        continue;
      }
      if (!have) {
        if (condemned) continue;
        ctx.budget.take();
        want.metadata.ownerReferences = claimOwners(want, sts, ordinal, pod, false);
        if (!want.metadata.ownerReferences.length) delete want.metadata.ownerReferences;
        try {
          await ctx.client.create(PVCS, want, { namespace: this.ns, fieldManager: MANAGER });
          await this.event(
            'Normal',
            'SuccessfulCreate',
            `create Claim ${want.metadata.name} Pod ${pod?.metadata.name ?? `${sts.metadata.name}-${ordinal}`} in StatefulSet ${sts.metadata.name} success`,
          );
        } catch (e) {
          if (!isAlreadyExists(e)) {
            this.failure ??= errorText(e);
            await this.event(
              'Warning',
              'FailedCreate',
              `create Claim ${want.metadata.name} for Pod ${sts.metadata.name}-${ordinal} in StatefulSet ${sts.metadata.name} failed error: ${errorText(e)}`,
            );
            ok = false;
          }
        }
        continue;
      }
      const owners = claimOwners(have, sts, ordinal, pod, condemned);
      if (deepEqual(owners, have.metadata.ownerReferences ?? [])) continue;
      ctx.budget.take();
      try {
        await ctx.client.patch(
          PVCS,
          have.metadata.name!,
          'merge',
          {
            metadata: {
              ownerReferences: owners.length ? owners : null,
              resourceVersion: have.metadata.resourceVersion,
            },
          },
          { namespace: this.ns, fieldManager: MANAGER },
        );
      } catch (e) {
        if (isConflict(e) || isNotFound(e)) this.more = true;
        else throw e;
      }
    }
    return ok;
  }

  private readonly toCreate: Pod[] = [];
  private readonly toDelete: { pod: Pod; why?: string }[] = [];

  private async createPod(pod: Pod): Promise<void> {
    this.toCreate.push(pod);
  }

  private async deletePod(pod: Pod, why?: string): Promise<void> {
    this.toDelete.push({ pod, why });
  }

  /** The pod writes manage() decided on, after one expectation for all of them (so no event is missed). */
  private async execute(): Promise<void> {
    const { ctx, sts } = this;
    if (!this.toCreate.length && !this.toDelete.length) return;
    ctx.budget.take(this.toCreate.length + this.toDelete.length);
    this.expectations.expect(
      this.key,
      this.toCreate.length,
      this.toDelete.map((d) => objectKey(d.pod)),
    );
    await Promise.all([
      ...this.toCreate.map(async (pod) => {
        try {
          await ctx.client.create('pods', pod, { namespace: this.ns, fieldManager: MANAGER });
          await this.event(
            'Normal',
            'SuccessfulCreate',
            `create Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} successful`,
          );
        } catch (e) {
          this.expectations.creationObserved(this.key);
          if (isAlreadyExists(e)) {
            this.more = true;
            return;
          }
          this.failure ??= errorText(e);
          await this.event(
            'Warning',
            'FailedCreate',
            `create Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} failed error: ${errorText(e)}`,
          );
        }
      }),
      ...this.toDelete.map(async ({ pod, why }) => {
        if (why) await this.event('Warning', 'RecreatingFailedPod', why);
        try {
          await ctx.client.delete('pods', pod.metadata.name!, {
            namespace: this.ns,
            preconditions: { uid: pod.metadata.uid },
          });
          await this.event(
            'Normal',
            'SuccessfulDelete',
            `delete Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} successful`,
          );
        } catch (e) {
          this.expectations.deletionObserved(this.key, objectKey(pod));
          if (isNotFound(e) || isConflict(e)) return;
          this.failure ??= errorText(e);
          await this.event(
            'Warning',
            'FailedDelete',
            `delete Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} failed error: ${errorText(e)}`,
          );
        }
      }),
    ]);
  }

  // k8s: updateStatefulSetStatus + completeRollingUpdate
  private async updateStatus(
    pods: Pod[],
    current: ControllerRevision,
    update: ControllerRevision,
    collisionCount: number | undefined,
  ): Promise<void> {
    const { sts, ctx } = this;
    const minReady = sts.spec.minReadySeconds ?? 0;
    const status: StatefulSetStatus = {
      observedGeneration: sts.metadata.generation,
      replicas: 0,
      readyReplicas: 0,
      currentReplicas: 0,
      updatedReplicas: 0,
      availableReplicas: 0,
      currentRevision: current.metadata.name,
      updateRevision: update.metadata.name,
      collisionCount: collisionCount ?? sts.status?.collisionCount ?? 0,
    };
    for (const p of pods) {
      if (terminating(p)) continue;
      status.replicas++;
      if (p.status?.phase === 'Running' && isPodReady(p)) {
        status.readyReplicas!++;
        if (isPodAvailable(p, minReady, ctx.now())) status.availableReplicas!++;
      }
      if (podRevision(p) === current.metadata.name) status.currentReplicas!++;
      if (podRevision(p) === update.metadata.name) status.updatedReplicas!++;
    }
    if (
      (sts.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' &&
      status.updatedReplicas === status.replicas &&
      status.readyReplicas === status.replicas &&
      status.replicas === replicaCount(sts)
    ) {
      status.currentReplicas = status.updatedReplicas;
      status.currentRevision = status.updateRevision;
    }
    if (sts.status?.conditions) status.conditions = sts.status.conditions;
    for (const f of ['readyReplicas', 'currentReplicas', 'updatedReplicas'] as const)
      if (!status[f]) delete status[f];
    if (deepEqual(status, sts.status ?? {})) return;
    ctx.budget.take();
    try {
      await ctx.client.updateStatus(
        STS,
        { ...sts, status },
        { namespace: this.ns, fieldManager: MANAGER },
      );
    } catch (e) {
      if (isConflict(e) || isNotFound(e)) this.more = true;
      else throw e;
    }
  }
}
