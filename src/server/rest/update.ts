// PUT and the write half of PATCH: read-modify-write with the apiserver's update rules.
import type { KObject } from '../../api/types';
import { definitionFor } from '../../registry/registry';
import { deepEqual } from '../../lib/json';
import type { StoreFailure } from '../../storage/store';
import { errors, ApiError } from '../errors';
import { isDryRun, targetOf, type ApiContext } from '../context';
import {
  admitUpdate,
  admitUpdateRequest,
  afterDelete,
  afterUpdate,
  validateUpdate,
} from '../admission';
import { recordUpdate } from './managed';
import { failureToError } from './failures';
import { notifyWrite } from '../wake';

export interface UpdateOptions {
  manager: string;
  /** When set, the write carries this precondition (PUT bodies with metadata.resourceVersion). */
  expectResourceVersion?: string;
  /** Builds the next object from the current one. Throws ApiError to stop. */
  mutate: (current: KObject) => KObject | Promise<KObject>;
  /** Server-side apply computes managedFields itself. */
  skipManagedFields?: boolean;
}

/** Sentinel: the update removed the last finalizer of an object being deleted. */
class DeleteNow extends Error {
  constructor(readonly rv: string) {
    super('delete');
  }
}

export async function updateObject(
  ctx: ApiContext,
  name: string,
  opts: UpdateOptions,
): Promise<KObject> {
  const r = ctx.info.resource;
  const ns = r.namespaced ? ctx.info.namespace : undefined;
  const strategy = definitionFor(r).strategy;
  const status = ctx.info.subresource === 'status';
  let unchanged: KObject | undefined;
  let dryResult: KObject | undefined;
  const res = await ctx.store
    .guaranteedUpdate(r, ns, name, async (cur): Promise<KObject | StoreFailure> => {
      const live = structuredClone(cur);
      if (opts.expectResourceVersion)
        checkResourceVersion(ctx, name, opts.expectResourceVersion, cur);
      const next = await opts.mutate(cur);
      const meta = next.metadata ?? (next.metadata = {});
      if (meta.name !== undefined && meta.name !== name) {
        throw errors.badRequest(
          `the name of the object (${meta.name}) does not match the name on the URL (${name})`,
        );
      }
      if (
        r.namespaced &&
        meta.namespace !== undefined &&
        meta.namespace !== live.metadata.namespace
      ) {
        throw errors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      if (meta.uid !== undefined && meta.uid !== '' && meta.uid !== live.metadata.uid) {
        // A UID in the body acts as a precondition: it must name the stored object.
        throw errors.invalid(targetOf(ctx, name), r.kind, [
          {
            type: 'FieldValueInvalid',
            field: 'metadata.uid',
            message: `Invalid value: ${JSON.stringify(meta.uid)}: field is immutable`,
          },
        ]);
      }
      // Metadata the server owns stays as stored.
      meta.name = name;
      meta.resourceVersion = live.metadata.resourceVersion;
      if (r.namespaced) meta.namespace = live.metadata.namespace;
      meta.uid = live.metadata.uid;
      meta.creationTimestamp = live.metadata.creationTimestamp;
      meta.deletionTimestamp = live.metadata.deletionTimestamp;
      meta.deletionGracePeriodSeconds = live.metadata.deletionGracePeriodSeconds;
      if (live.metadata.deletionTimestamp === undefined) delete meta.deletionTimestamp;
      if (live.metadata.deletionGracePeriodSeconds === undefined)
        delete meta.deletionGracePeriodSeconds;
      next.apiVersion = live.apiVersion;
      next.kind = live.kind;
      admitUpdateRequest(ctx, next, live);
      // k8s: a status strategy's PrepareForUpdate keeps the stored spec; the main resource's keeps
      // the stored status. Each kind's own rules (labels, ownerReferences, finalize) follow.
      if (status) {
        next.spec = structuredClone(live.spec);
        if (live.spec === undefined) delete next.spec;
      } else if (strategy.hasStatus) {
        if (live.status === undefined) delete next.status;
        else next.status = structuredClone(live.status);
      }
      strategy.prepareForUpdate?.(next, live, ctx.info.subresource ?? '');
      dropEmptyMaps(next);
      strategy.applyDefaults(next);
      if (strategy.tracksGeneration) {
        const bump = strategy.generationChanged
          ? strategy.generationChanged(next, live)
          : !deepEqual(next.spec, live.spec);
        next.metadata.generation = (live.metadata.generation ?? 1) + (bump && !status ? 1 : 0);
      }
      await admitUpdate(ctx, next, live);
      const errs = strategy.validateUpdate(next, live);
      if (errs.length > 0) throw errors.invalid(targetOf(ctx, name), r.kind, errs);
      await validateUpdate(ctx, next, live);
      if (!opts.skipManagedFields) recordUpdate(ctx, next, live, opts.manager);
      if (sameObject(next, live, opts.skipManagedFields === true)) {
        unchanged = live;
        return { ok: false, reason: 'invalid', message: 'unchanged' };
      }
      // k8s: an update removes an object only once nothing holds it: no finalizers left and no
      // grace period still running (a terminating pod keeps getting status from its node).
      if (
        live.metadata.deletionTimestamp &&
        !next.metadata.finalizers?.length &&
        !strategy.heldBeyondFinalizers?.(next) &&
        !(live.metadata.deletionGracePeriodSeconds ?? 0)
      ) {
        throw new DeleteNow(live.metadata.resourceVersion!);
      }
      if (isDryRun(ctx)) {
        dryResult = next;
        return { ok: false, reason: 'invalid', message: 'dry-run' };
      }
      return next;
    })
    .catch(async (e: unknown) => {
      if (!(e instanceof DeleteNow)) throw e;
      if (isDryRun(ctx))
        return { ok: false as const, reason: 'invalid' as const, message: 'dry-run' };
      const gone = await ctx.store.delete(r, ns, name, { resourceVersion: e.rv });
      if (gone.ok) await afterDelete(ctx, gone.value);
      return gone;
    });
  if (unchanged) return unchanged;
  if (dryResult) return dryResult;
  if (!res.ok) throw failureToError(ctx, res, name);
  await afterUpdate(ctx, res.value);
  notifyWrite(ctx);
  return res.value;
}

/**
 * A resourceVersion precondition of PUT or PATCH (metadata.resourceVersion in the body): either
 * spelling of the current version passes (see Store.sameVersion); another version is 409, and
 * something that is no resourceVersion at all is 422, as the apiserver's versioner answers.
 */
export function checkResourceVersion(
  ctx: ApiContext,
  name: string,
  rv: string,
  cur: KObject,
): void {
  const same = ctx.store.sameVersion(ctx.info.resource, rv, cur);
  if (same === true) return;
  if (same === false) throw errors.conflict(targetOf(ctx, name));
  throw errors.invalid(targetOf(ctx, name), ctx.info.resource.kind, [
    {
      type: 'FieldValueInvalid',
      field: 'metadata.resourceVersion',
      message: `Invalid value: ${JSON.stringify(rv)}: not a resourceVersion this server issued`,
    },
  ]);
}

/**
 * An update that changes nothing but bookkeeping timestamps is not written (no new revision). A new
 * manager or ownership change is a change: a second applier of the same values becomes a co-owner.
 */
function sameObject(next: KObject, live: KObject, apply: boolean): boolean {
  // An Update that changes no field changes no ownership either; only an Apply can add an owner
  // of unchanged values.
  const owners = (o: KObject) =>
    apply ? (o.metadata.managedFields ?? []).map(({ time: _t, ...rest }) => rest) : undefined;
  const strip = (o: KObject) => ({
    ...o,
    metadata: { ...o.metadata, managedFields: owners(o), resourceVersion: undefined },
  });
  return deepEqual(strip(next), strip(live));
}

/** Go omits empty label and annotation maps; so do we, so `kubectl label x k-` leaves no `labels: {}`. */
export function dropEmptyMaps(obj: KObject): void {
  const m = obj.metadata;
  if (m.labels && Object.keys(m.labels).length === 0) delete m.labels;
  if (m.annotations && Object.keys(m.annotations).length === 0) delete m.annotations;
  if (m.finalizers && m.finalizers.length === 0) delete m.finalizers;
  if (m.ownerReferences && m.ownerReferences.length === 0) delete m.ownerReferences;
}

export { ApiError };
