// pods/binding (the scheduler's write) and pods/eviction (drain's delete).
import type { KObject } from '../../api/types';
import { errors } from '../errors';
import { isDryRun, targetOf, type ApiContext } from '../context';
import { decodeObject, mediaType, readBody } from '../body';
import { json } from './render';
import { deleteObject, parseDeleteOptions } from './delete';
import { failureToError } from './failures';
import { timestamp } from './objects';
import { notifyWrite } from '../wake';
import type { Pod } from '../../api/core';
import { admitEviction, markDisruptionTarget } from './eviction-budget';

const dryRunIn = (o: unknown) =>
  Array.isArray((o as { dryRun?: unknown } | undefined)?.dryRun) &&
  (o as { dryRun: unknown[] }).dryRun.includes('All');

const success = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

interface Condition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
  reason?: string;
  message?: string;
}

// k8s: pkg/registry/core/pod/storage BindingREST: set nodeName once, mark PodScheduled.
export async function handleBinding(ctx: ApiContext): Promise<Response> {
  const body = decodeObject(await readBody(ctx.request), mediaType(ctx.request)) as {
    target?: { kind?: string; name?: string };
    metadata?: { name?: string; uid?: string; resourceVersion?: string };
  };
  const node = body?.target?.name;
  const name = ctx.info.name!;
  if (body?.metadata?.name && body.metadata.name !== name)
    throw errors.badRequest('name in URL does not match name in Binding object');
  // A Binding's uid and resourceVersion are preconditions: a scheduler that decided for one pod must
  // not bind its namesake recreated meanwhile (k8s: pkg/registry/core/pod/storage
  // BindingREST.setPodNodeAndMetadata).
  const uid = body?.metadata?.uid || undefined;
  const rv = body?.metadata?.resourceVersion || undefined;
  if (!node)
    throw errors.invalid(targetOf(ctx, name), 'Binding', [
      { type: 'FieldValueRequired', field: 'target.name', message: 'Required value' },
    ]);
  if (body.target?.kind && body.target.kind !== 'Node') {
    throw errors.invalid(targetOf(ctx, name), 'Binding', [
      {
        type: 'FieldValueNotSupported',
        field: 'target.kind',
        message: `Unsupported value: "${body.target.kind}": supported values: "Node"`,
      },
    ]);
  }
  if (isDryRun(ctx)) return json(ctx, success, 201);
  const r = ctx.info.resource;
  const res = await ctx.store.guaranteedUpdate(r, ctx.info.namespace, name, (pod: KObject) => {
    const spec = (pod.spec ?? {}) as { nodeName?: string };
    if (uid && uid !== pod.metadata.uid) {
      throw errors.conflict(
        targetOf(ctx, name),
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`,
      );
    }
    if (rv && !ctx.store.sameVersion(r, rv, pod)) {
      throw errors.conflict(
        targetOf(ctx, name),
        `Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in object meta: ${pod.metadata.resourceVersion}`,
      );
    }
    if (pod.metadata.deletionTimestamp)
      throw errors.conflict(
        targetOf(ctx, name),
        `pod ${name} is being deleted, cannot be assigned to a host`,
      );
    if (spec.nodeName)
      throw errors.conflict(
        targetOf(ctx, name),
        `pod ${name} is already assigned to node "${spec.nodeName}"`,
      );
    spec.nodeName = node;
    pod.spec = spec;
    const status = (pod.status ?? {}) as { conditions?: Condition[] };
    const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.unshift({
      type: 'PodScheduled',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: timestamp(),
    });
    status.conditions = conditions;
    pod.status = status;
    return pod;
  });
  if (!res.ok) throw failureToError(ctx, res, name);
  notifyWrite(ctx);
  return json(ctx, success, 201);
}

// An eviction is a delete with the given options, once the pod's PodDisruptionBudget allows it.
export async function handleEviction(ctx: ApiContext): Promise<Response> {
  const bytes = await readBody(ctx.request);
  const body = bytes.byteLength
    ? (decodeObject(bytes, mediaType(ctx.request)) as EvictionBody)
    : {};
  checkEviction(body, ctx.info.name!);
  let opts = parseDeleteOptions(body?.deleteOptions, new URLSearchParams());
  const pod = await ctx.store.get(ctx.info.resource, ctx.info.namespace, ctx.info.name!);
  if (!pod) throw errors.notFound(targetOf(ctx, ctx.info.name!));
  // kubectl drain --dry-run=server says dryRun in the Eviction's deleteOptions, not the query.
  const dryRun = isDryRun(ctx) || dryRunIn(body?.deleteOptions);
  opts = await admitEviction(ctx, pod as Pod, opts, dryRun);
  if (!dryRun) opts = await markDisruptionTarget(ctx, ctx.info.name!, opts);
  const query = new URLSearchParams(ctx.query);
  if (dryRun && !isDryRun(ctx)) query.append('dryRun', 'All');
  await deleteObject(
    { ...ctx, query, info: { ...ctx.info, subresource: '' } },
    ctx.info.name!,
    opts,
  );
  return json(ctx, success, 201);
}

interface EvictionBody {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown };
  deleteOptions?: unknown;
}

/** The body must be an Eviction of this pod. k8s: pkg/registry/core/pod/storage/eviction.go Create */
function checkEviction(body: EvictionBody, name: string): void {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw errors.badRequest('the body of the request must be an Eviction object');
  if (body.kind !== undefined && body.kind !== 'Eviction') {
    throw errors.badRequest(
      `the kind in the data (${String(body.kind)}) does not match the expected kind (Eviction)`,
    );
  }
  if (
    body.apiVersion !== undefined &&
    body.apiVersion !== 'policy/v1' &&
    body.apiVersion !== 'policy/v1beta1'
  ) {
    throw errors.badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (policy/v1)`,
    );
  }
  if (body.metadata?.name !== undefined && body.metadata.name !== name)
    throw errors.badRequest('name in URL does not match name in Eviction object');
}
