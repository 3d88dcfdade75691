// Namespace controller: empties a terminating namespace, then finalizes and removes it.
// k8s: pkg/controller/namespace/deletion/namespaced_resources_deleter.go
import { RESOURCES, resourceKey, type ResourceInfo } from '../../src/api/resources';
import type { KObject } from '../../src/api/types';
import { ApiStatusError, isConflict, isNotFound } from '../../src/client/errors';
import type { Controller, ControllerContext, ReconcileResult } from './framework';

const FINALIZER = 'kubernetes';
// Both event resources are one stored kind; deleting through one empties both.
const CONTENT = RESOURCES.filter(
  (r) => r.namespaced && !(r.group === 'events.k8s.io' && r.resource === 'events'),
);
// k8s: finalizerEstimateSeconds: how long content held by finalizers is assumed to take.
const FINALIZER_ESTIMATE_MS = 15_000;

export const namespaceController: Controller = {
  name: 'namespace',
  watches: ['namespaces', ...CONTENT.map(resourceKey)],
  async reconcile(ctx) {
    const terminating = (await ctx.snapshot.list('namespaces')).filter(
      (n) => n.metadata.deletionTimestamp,
    );
    const state = { writes: 0, retry: false, requeueMs: Infinity };
    for (const ns of terminating) {
      if (state.writes >= ctx.config.maxWritesPerPass) break;
      await syncNamespace(ctx, ns, state);
    }
    if (state.writes > 0)
      for (const r of ['namespaces', ...CONTENT.map(resourceKey)]) ctx.snapshot.invalidate(r);
    const result: ReconcileResult = {};
    if (state.writes >= ctx.config.maxWritesPerPass) result.more = true;
    const requeue = Math.min(state.requeueMs, state.retry ? 1000 : Infinity);
    if (requeue !== Infinity) result.requeueAfterMs = requeue;
    return result;
  },
};

interface PassState {
  writes: number;
  retry: boolean;
  requeueMs: number;
}

async function syncNamespace(ctx: ControllerContext, ns: KObject, state: PassState): Promise<void> {
  const name = ns.metadata.name!;
  let remaining = 0;
  for (const res of CONTENT) {
    for (const obj of (await ctx.snapshot.list(resourceKey(res))).filter(
      (o) => o.metadata.namespace === name,
    )) {
      remaining++;
      if (obj.metadata.deletionTimestamp) {
        state.requeueMs = Math.min(state.requeueMs, estimateMs(ctx, obj));
        continue;
      }
      if (state.writes >= ctx.config.maxWritesPerPass) return;
      state.writes++;
      try {
        // k8s: content goes with background propagation, so no orphan finalizer can hold the namespace.
        await ctx.client.delete(res, obj.metadata.name!, {
          namespace: name,
          propagationPolicy: 'Background',
          preconditions: { uid: obj.metadata.uid },
        });
      } catch (e) {
        if (isConflict(e)) state.retry = true;
        else if (!isNotFound(e)) throw e;
      }
      // Whatever lingers (a pod's grace period, finalizers) is looked at again soon.
      state.requeueMs = Math.min(state.requeueMs, 1000);
    }
  }
  if (remaining > 0 || !(await emptyNow(ctx, name))) return;
  await finalize(ctx, ns, state);
}

/** k8s: estimateGracefulTermination: a terminating pod is expected gone when its grace ends; halve it, as upstream requeues. */
function estimateMs(ctx: ControllerContext, obj: KObject): number {
  const deadline = Date.parse(obj.metadata.deletionTimestamp!);
  const left = obj.metadata.finalizers?.length
    ? FINALIZER_ESTIMATE_MS
    : Math.max(0, deadline - ctx.now());
  return Math.floor(left / 2) + 1000;
}

/** A live check before finalizing: the pass's lists may predate a create admitted just before termination. */
async function emptyNow(ctx: ControllerContext, namespace: string): Promise<boolean> {
  const found = await Promise.all(
    CONTENT.map((r: ResourceInfo) =>
      ctx.client.list(r, { namespace, limit: 1 }).then((l) => l.items.length > 0),
    ),
  );
  return !found.includes(true);
}

/**
 * Removes our token from spec.finalizers (through the finalize subresource where the API serves
 * it, else a plain update), then deletes the namespace once nothing else holds it.
 */
async function finalize(ctx: ControllerContext, ns: KObject, state: PassState): Promise<void> {
  const name = ns.metadata.name!;
  const spec = (ns.spec ?? {}) as { finalizers?: string[] };
  const rest = (spec.finalizers ?? []).filter((f) => f !== FINALIZER);
  try {
    let current: KObject | undefined = ns;
    if ((spec.finalizers ?? []).includes(FINALIZER)) {
      state.writes++;
      current = await putFinalize(ctx, { ...ns, spec: { ...spec, finalizers: rest } });
    }
    // Other finalizers (spec or metadata) belong to someone else: wait for them.
    if (!current || rest.length || current.metadata.finalizers?.length) return;
    state.writes++;
    const res = await ctx.client.delete('namespaces', name, {
      preconditions: { uid: ns.metadata.uid },
    });
    if (res.kind !== 'Namespace') return;
    // The API kept a finalized namespace on DELETE. It does remove an object being deleted when an
    // update leaves it nothing to wait for, so record the empty finalizer list that way.
    state.writes++;
    await ctx.client.update('namespaces', {
      ...(res as KObject),
      spec: { ...((res as KObject).spec as object), finalizers: [] },
    });
  } catch (e) {
    if (isConflict(e)) state.retry = true;
    else if (!isNotFound(e)) throw e;
  }
}

/** Answers the namespace after the write, or undefined when the write removed it. */
async function putFinalize(ctx: ControllerContext, next: KObject): Promise<KObject | undefined> {
  const body = JSON.stringify({ ...next, apiVersion: 'v1', kind: 'Namespace' });
  try {
    const res = await ctx.client.raw(
      'PUT',
      `/api/v1/namespaces/${encodeURIComponent(next.metadata.name!)}/finalize`,
      { body, contentType: 'application/json' },
    );
    return (await res.json()) as KObject;
  } catch (e) {
    // A 404 or 405 for the path (not for the namespace) means the API does not serve finalize.
    if (
      !(e instanceof ApiStatusError) ||
      (e.code !== 404 && e.code !== 405) ||
      e.status.details?.name === next.metadata.name
    )
      throw e;
  }
  await ctx.client.update('namespaces', next);
  // The update may have removed it already: the API deletes an object being deleted that has nothing left to wait for.
  try {
    return await ctx.client.get('namespaces', next.metadata.name!);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}
