// The review resources: SelfSubjectAccessReview (`kubectl auth can-i`), SelfSubjectRulesReview
// (`kubectl auth can-i --list`), SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectReview
// (`kubectl auth whoami`) and TokenReview. Nothing is stored; a POST answers with the status filled.
// k8s: pkg/registry/authorization/*, pkg/registry/authentication/*
import type { KObject } from '../../api/types';
import type { PolicyRule } from '../../api/rbac';
import { resourceAttributes, pathAttributes, type Attributes } from '../../rbac/attributes';
import { rulesFor } from '../../rbac/resolver';
import { fieldErr, type FieldError } from '../../registry/field-errors';
import { decodeObject, mediaType, readBody } from '../body';
import type { ApiContext } from '../context';
import { ApiError, errors } from '../errors';
import { json } from '../rest/render';
import type { User } from './authenticate';
import { authenticate } from './authenticate';
import { authorize } from './authorize';
import { CONTROLLERS } from './identities';
import { authenticateNode } from './node-credentials';
import { authenticateUserToken } from './user-tokens';
import {
  API_AUDIENCES,
  serviceAccountUser,
  verifyServiceAccountToken,
} from './service-account-tokens';

type Obj = Record<string, unknown>;
const objOf = (v: unknown): Obj =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
const strOf = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((s) => typeof s === 'string') : [];

async function readReview(ctx: ApiContext): Promise<KObject> {
  const body = decodeObject(await readBody(ctx.request), mediaType(ctx.request));
  const r = ctx.info.resource;
  const apiVersion = `${r.group}/${r.version}`;
  const obj = objOf(body) as KObject;
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion)
    throw errors.badRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersion})`,
    );
  if (obj.kind !== undefined && obj.kind !== r.kind)
    throw errors.badRequest(
      `the kind in the data (${String(obj.kind)}) does not match the expected kind (${r.kind})`,
    );
  return {
    ...obj,
    apiVersion,
    kind: r.kind,
    metadata: { ...objOf(obj.metadata), creationTimestamp: null },
  } as KObject;
}

function invalid(ctx: ApiContext, errs: FieldError[]): never {
  const r = ctx.info.resource;
  throw errors.invalid(
    { resource: r.resource, group: r.group, kind: r.kind, name: '' },
    r.kind,
    errs,
  );
}

/** The attributes a (Self|Local)SubjectAccessReview spec asks about. */
function specAttributes(ctx: ApiContext, spec: Obj): Attributes {
  const ra = spec.resourceAttributes;
  const na = spec.nonResourceAttributes;
  if (!!ra === !!na)
    invalid(ctx, [
      fieldErr.invalid(
        'spec.resourceAttributes',
        ra ?? null,
        'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      ),
    ]);
  if (na) {
    const n = objOf(na);
    return pathAttributes(strOf(n.verb), strOf(n.path));
  }
  const a = objOf(ra);
  return resourceAttributes({
    namespace: strOf(a.namespace),
    verb: strOf(a.verb),
    apiGroup: strOf(a.group),
    apiVersion: strOf(a.version),
    resource: strOf(a.resource),
    subresource: strOf(a.subresource),
    name: strOf(a.name),
  });
}

async function accessStatus(ctx: ApiContext, user: User, a: Attributes) {
  let d;
  try {
    d = await authorize(user, a, ctx.store);
  } catch (e) {
    // The Node authorizer answers a request about a pod that is gone with 404; a review says no.
    if (e instanceof ApiError && e.code === 404) return { allowed: false, reason: e.message };
    throw e;
  }
  return d.allowed
    ? { allowed: true, ...(d.reason ? { reason: d.reason } : {}) }
    : { allowed: false };
}

/** A user named in a SubjectAccessReview; a node's name and group make it that node's identity. */
function subjectUser(spec: Obj): User {
  const name = strOf(spec.user);
  const groups = strings(spec.groups);
  const user: User = { name, groups };
  if (strOf(spec.uid)) user.uid = strOf(spec.uid);
  if (name.startsWith('system:node:') && groups.includes('system:nodes'))
    user.node = name.slice('system:node:'.length);
  return user;
}

function rulesStatus(rules: PolicyRule[]) {
  const resourceRules: Obj[] = [];
  const nonResourceRules: Obj[] = [];
  for (const r of rules) {
    if (r.nonResourceURLs?.length)
      nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
    if (r.resources?.length) {
      const rr: Obj = { verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources };
      if (r.resourceNames?.length) rr.resourceNames = r.resourceNames;
      resourceRules.push(rr);
    }
  }
  return { resourceRules, nonResourceRules, incomplete: false };
}

function userInfo(u: User): Obj {
  const info: Obj = { username: u.name };
  if (u.uid) info.uid = u.uid;
  info.groups = u.groups;
  if (u.extra && Object.keys(u.extra).length) info.extra = u.extra;
  return info;
}

async function tokenReviewStatus(ctx: ApiContext, token: string, audiences: string[]) {
  const wanted = audiences.length ? audiences : API_AUDIENCES;
  const sa = await verifyServiceAccountToken(ctx.store, token, wanted);
  if (sa) {
    const user = await serviceAccountUser(ctx.store, sa);
    if (user) return { authenticated: true, user: userInfo(user), audiences: sa.audiences };
    return { authenticated: false, user: {} };
  }
  // The other credentials carry no audience: they are good only for this API's own audiences.
  const forApi = wanted.filter((a) => API_AUDIENCES.includes(a));
  const req = new Request('http://review/', { headers: { authorization: `Bearer ${token}` } });
  const user =
    authenticate(req, ctx.env.ADMIN_TOKEN) ??
    (await authenticateNode(ctx.store, token)) ??
    (await authenticateUserToken(ctx.store, token));
  if (!user || forApi.length === 0) return { authenticated: false, user: {} };
  return { authenticated: true, user: userInfo(user), audiences: forApi };
}

/** Answers a review resource's POST, or undefined when the request is not for one. */
export async function handleReview(ctx: ApiContext): Promise<Response> {
  const r = ctx.info.resource;
  if (ctx.info.verb !== 'create')
    throw errors.methodNotAllowed(`${ctx.info.verb} is not allowed on ${r.resource}.${r.group}`);
  const review = await readReview(ctx);
  const spec = objOf((review as { spec?: unknown }).spec);
  let status: Obj;
  switch (`${r.group}/${r.resource}`) {
    case 'authorization.k8s.io/selfsubjectaccessreviews':
      status = await accessStatus(ctx, ctx.user, specAttributes(ctx, spec));
      break;
    case 'authorization.k8s.io/subjectaccessreviews':
    case 'authorization.k8s.io/localsubjectaccessreviews': {
      if (!strOf(spec.user) && strings(spec.groups).length === 0)
        invalid(ctx, [
          fieldErr.invalid(
            'spec.user',
            strOf(spec.user),
            'at least one of user or group must be specified',
          ),
        ]);
      const a = specAttributes(ctx, spec);
      if (r.resource === 'localsubjectaccessreviews') {
        if (!a.resourceRequest)
          invalid(ctx, [
            fieldErr.forbidden('spec.nonResourceAttributes', 'disallowed on this kind of request'),
          ]);
        if (a.namespace !== ctx.info.namespace)
          throw errors.badRequest(
            `spec.resourceAttributes.namespace must match namespace: ${ctx.info.namespace ?? ''}`,
          );
        review.metadata.namespace = ctx.info.namespace;
      }
      status = await accessStatus(ctx, subjectUser(spec), a);
      break;
    }
    case 'authorization.k8s.io/selfsubjectrulesreviews': {
      const u = ctx.user;
      status = rulesStatus(await rulesFor(ctx.store, u, strOf(spec.namespace)));
      // A node's rights are decided in code (the Node authorizer), not listed as rules; the
      // controllers' on custom resources too (their groups are not known when the role is made).
      if (u.node !== undefined) {
        status.incomplete = true;
        status.evaluationError = "a node's rights are decided by the Node authorizer, not by rules";
      } else if (u.name === CONTROLLERS.name) {
        status.incomplete = true;
        status.evaluationError =
          'the controllers may also manage every custom resource (granted in code, not by rules)';
      }
      break;
    }
    case 'authentication.k8s.io/selfsubjectreviews':
      status = { userInfo: userInfo(ctx.user) };
      break;
    case 'authentication.k8s.io/tokenreviews': {
      const token = strOf(spec.token);
      if (!token) throw errors.badRequest('token is required for TokenReview in authentication');
      status = await tokenReviewStatus(ctx, token, strings(spec.audiences));
      break;
    }
    default:
      throw errors.notFoundPath();
  }
  return json(ctx, { ...review, status }, 201);
}
