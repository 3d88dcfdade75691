// POST serviceaccounts/{name}/token (TokenRequest; `kubectl create token`): a signed token for the
// ServiceAccount, for the audiences asked (this API's by default), expiring after expirationSeconds
// (an hour by default, ten minutes at least), optionally bound to a Pod or Secret.
// k8s: pkg/registry/core/serviceaccount/storage/token.go, pkg/apis/authentication/validation
import { findResource } from '../../api/resources';
import type { KObject } from '../../api/types';
import { fieldErr, type FieldError } from '../../registry/field-errors';
import { decodeObject, mediaType, readBody } from '../body';
import type { ApiContext } from '../context';
import { errors } from '../errors';
import { json } from '../rest/render';
import { timestamp } from '../rest/objects';
import { API_AUDIENCES, mintServiceAccountToken, type BoundObject } from './service-account-tokens';

const SA = findResource('', 'v1', 'serviceaccounts')!;
const PODS = findResource('', 'v1', 'pods')!;
const SECRETS = findResource('', 'v1', 'secrets')!;
const NODES = findResource('', 'v1', 'nodes')!;

export const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const DEFAULT_EXPIRATION_SECONDS = 3600;

type Obj = Record<string, unknown>;
const objOf = (v: unknown): Obj =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};

function validateSpec(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const exp = spec.expirationSeconds;
  if (typeof exp !== 'number' || !Number.isInteger(exp))
    errs.push(fieldErr.invalid('spec.expirationSeconds', exp, 'must be an integer'));
  else if (exp < MIN_EXPIRATION_SECONDS)
    errs.push(
      fieldErr.invalid(
        'spec.expirationSeconds',
        exp,
        'may not specify a duration less than 10 minutes',
      ),
    );
  else if (exp > MAX_EXPIRATION_SECONDS)
    errs.push(
      fieldErr.invalid(
        'spec.expirationSeconds',
        exp,
        'may not specify a duration larger than 2^32 seconds',
      ),
    );
  if (spec.audiences !== undefined && !Array.isArray(spec.audiences))
    errs.push(fieldErr.invalid('spec.audiences', spec.audiences, 'must be a list of strings'));
  return errs;
}

async function boundObject(
  ctx: ApiContext,
  ns: string,
  refIn: unknown,
): Promise<{ bound?: BoundObject; node?: { name: string; uid: string }; pod?: KObject }> {
  if (refIn === undefined || refIn === null) return {};
  const ref = objOf(refIn);
  const kind = ref.kind;
  if (kind !== 'Pod' && kind !== 'Secret')
    throw errors.badRequest(
      `cannot bind token for object of kind "${String(kind)}": only Pod and Secret are supported`,
    );
  if (ref.apiVersion !== undefined && ref.apiVersion !== 'v1')
    throw errors.badRequest(
      `cannot bind token for object with apiVersion "${String(ref.apiVersion)}": v1 expected`,
    );
  const name = typeof ref.name === 'string' ? ref.name : '';
  const r = kind === 'Pod' ? PODS : SECRETS;
  const obj = name ? await ctx.store.get(r, ns, name) : null;
  if (!obj) throw errors.notFound({ resource: r.resource, group: '', name });
  if (ref.uid && ref.uid !== obj.metadata.uid)
    throw errors.conflict(
      { resource: r.resource, group: '', name },
      `the UID in the bound object reference (${String(ref.uid)}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  const bound: BoundObject = { kind, name, uid: obj.metadata.uid! };
  const nodeName =
    kind === 'Pod' ? (obj.spec as { nodeName?: string } | undefined)?.nodeName : undefined;
  const node = nodeName ? await ctx.store.get(NODES, undefined, nodeName) : null;
  return {
    bound,
    node: node ? { name: nodeName!, uid: node.metadata.uid! } : undefined,
    pod: kind === 'Pod' ? obj : undefined,
  };
}

/**
 * A node may ask only for a token bound to a pod on itself that runs as this ServiceAccount.
 * k8s: plugin/pkg/admission/noderestriction/admission.go (admitServiceAccount)
 */
function restrictNodeTokenRequest(ctx: ApiContext, sa: string, pod: KObject | undefined): void {
  const node = ctx.user.node;
  if (node === undefined) return;
  const target = { resource: 'serviceaccounts', group: '', name: sa };
  if (!pod) throw errors.forbidden(`node requested token not bound to a pod`, target);
  const spec = (pod.spec ?? {}) as { nodeName?: string; serviceAccountName?: string };
  if (spec.nodeName !== node)
    throw errors.forbidden(
      `node requested token bound to a pod scheduled on a different node`,
      target,
    );
  if ((spec.serviceAccountName || 'default') !== sa)
    throw errors.forbidden(
      `node requested token bound to a pod that does not run as this service account`,
      target,
    );
}

export async function handleTokenRequest(ctx: ApiContext): Promise<Response> {
  const ns = ctx.info.namespace!;
  const name = ctx.info.name!;
  const body = objOf(decodeObject(await readBody(ctx.request), mediaType(ctx.request)));
  const spec = { ...objOf(body.spec) };
  spec.expirationSeconds ??= DEFAULT_EXPIRATION_SECONDS;
  const errs = validateSpec(spec);
  if (errs.length)
    throw errors.invalid(
      { resource: 'serviceaccounts', group: '', name },
      'TokenRequest.authentication.k8s.io',
      errs,
    );
  const sa = await ctx.store.get(SA, ns, name);
  if (!sa) throw errors.notFound({ resource: 'serviceaccounts', group: '', name });
  const { bound, node, pod } = await boundObject(ctx, ns, spec.boundObjectRef);
  restrictNodeTokenRequest(ctx, name, pod);
  const audiences = ((spec.audiences as string[] | undefined) ?? []).length
    ? (spec.audiences as string[])
    : API_AUDIENCES;
  const { token, expires } = await mintServiceAccountToken(ctx.store, {
    serviceAccount: sa as KObject,
    audiences,
    expirationSeconds: spec.expirationSeconds as number,
    bound,
    node,
  });
  return json(
    ctx,
    {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace: ns, creationTimestamp: timestamp() },
      spec: { ...spec, audiences },
      status: {
        token,
        expirationTimestamp: new Date(expires).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    },
    201,
  );
}
