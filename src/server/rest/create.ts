// POST: defaulting, admission, validation, then one create in storage (or nothing, under dryRun).
import type { KObject } from '../../api/types';
import { definitionFor } from '../../registry/registry';
import { errors } from '../errors';
import { isDryRun, targetOf, type ApiContext } from '../context';
import { generatedName, newUid, timestamp } from './objects';
import { admitCreate, afterCreate, validateCreate } from '../admission';
import { recordUpdate } from './managed';
import { failureToError } from './failures';
import { notifyWrite } from '../wake';
import { dropEmptyMaps } from './update';

export async function createObject(
  ctx: ApiContext,
  obj: KObject,
  opts: { manager: string; managedFields?: KObject['metadata']['managedFields'] },
): Promise<KObject> {
  const r = ctx.info.resource;
  const meta = obj.metadata;
  if (r.namespaced) {
    if (meta.namespace && ctx.info.namespace && meta.namespace !== ctx.info.namespace) {
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    meta.namespace = ctx.info.namespace ?? meta.namespace;
    if (!meta.namespace)
      throw errors.badRequest(
        'the namespace of the object is missing: create it under /namespaces/<namespace>/',
      );
  } else {
    delete meta.namespace;
  }
  if (!meta.name && meta.generateName) meta.name = generatedName(meta.generateName);
  // Fields the server owns: whatever the client sent is replaced. Defaulting runs first, on the
  // object as sent (some defaults, like a namespace's finalizer, apply only to new objects).
  delete meta.uid;
  delete meta.creationTimestamp;
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  const def = definitionFor(r);
  // k8s: the CR handler refuses creates once its CRD is being deleted.
  if (def.custom?.terminating)
    throw errors.methodNotAllowed(
      'create not allowed while custom resource definition is terminating',
    );
  const strategy = def.strategy;
  dropEmptyMaps(obj);
  strategy.applyDefaults(obj);
  meta.uid = newUid();
  meta.creationTimestamp = timestamp();
  if (strategy.tracksGeneration) meta.generation = 1;
  else delete meta.generation;
  strategy.prepareForCreate?.(obj);
  await admitCreate(ctx, obj);
  const errs = strategy.validate(obj);
  if (!meta.name && !errs.some((e) => e.field === 'metadata.name')) {
    errs.unshift({
      type: 'FieldValueRequired',
      field: 'metadata.name',
      message: 'Required value: name or generateName is required',
    });
  }
  if (errs.length > 0)
    throw errors.invalid(targetOf(ctx, meta.name ?? meta.generateName), r.kind, errs);
  await validateCreate(ctx, obj);
  if (opts.managedFields) meta.managedFields = opts.managedFields;
  else recordUpdate(ctx, obj, undefined, opts.manager);
  if (isDryRun(ctx)) return obj;

  for (let attempt = 0; ; attempt++) {
    const res = await ctx.store.create(r, obj);
    if (res.ok) {
      await afterCreate(ctx, res.value);
      notifyWrite(ctx, res.value);
      return res.value;
    }
    // A generated name that collided: pick another, as the apiserver retries.
    if (res.reason === 'exists' && meta.generateName && attempt < 5) {
      meta.name = generatedName(meta.generateName);
      continue;
    }
    throw failureToError(ctx, res, meta.name);
  }
}
