// Escalation prevention: a user may write a Role or ClusterRole only with rules it holds itself
// (unless allowed `escalate` on it), and a binding only to a role whose rules it holds (unless
// allowed `bind` on that role). system:masters may do either.
// k8s: pkg/registry/rbac/escalation_check.go, pkg/registry/rbac/validation/rule.go (ConfirmNoEscalation)
import { RBAC_GROUP, type ClusterRole, type PolicyRule, type RoleBinding } from '../../api/rbac';
import type { KObject } from '../../api/types';
import { resourceAttributes } from '../../rbac/attributes';
import { roleRules, rulesFor } from '../../rbac/resolver';
import { compactRule, compactRules, uncoveredRules } from '../../rbac/rules';
import { semanticEqual } from '../../registry/validate/fields';
import type { ApiContext } from '../context';
import { errors } from '../errors';
import type { User } from './authenticate';
import { authorize } from './authorize';

const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

const quotedList = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

function forbidden(ctx: ApiContext, name: string, why: string): never {
  const r = ctx.info.resource;
  throw errors.forbidden(`${r.resource}.${r.group} "${name}" is forbidden: ${why}`, {
    resource: r.resource,
    group: r.group,
    name,
  });
}

async function confirmNoEscalation(
  ctx: ApiContext,
  user: User,
  namespace: string,
  wanted: PolicyRule[],
  name: string,
): Promise<void> {
  const missing = uncoveredRules(await rulesFor(ctx.store, user, namespace), wanted);
  if (missing.length === 0) return;
  forbidden(
    ctx,
    name,
    `user "${user.name}" (groups=${quotedList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${compactRules(missing).map(compactRule).join('\n')}`,
  );
}

async function allowedVerb(
  ctx: ApiContext,
  verb: 'escalate' | 'bind',
  resource: string,
  namespace: string,
  name: string,
): Promise<boolean> {
  const a = resourceAttributes({ verb, apiGroup: RBAC_GROUP, resource, namespace, name });
  return (await authorize(ctx.user, a, ctx.store)).allowed;
}

async function checkRole(ctx: ApiContext, obj: KObject, live?: KObject): Promise<void> {
  const role = obj as ClusterRole;
  const name = role.metadata.name ?? '';
  const ns = role.metadata.namespace ?? '';
  const aggregated = !!role.aggregationRule;
  if (
    live &&
    semanticEqual(role.rules ?? [], (live as ClusterRole).rules ?? []) &&
    semanticEqual(role.aggregationRule, (live as ClusterRole).aggregationRule)
  )
    return;
  if (await allowedVerb(ctx, 'escalate', ctx.info.resource.resource, ns, name)) return;
  await confirmNoEscalation(ctx, ctx.user, ns, role.rules ?? [], name);
  if (aggregated) {
    const missing = uncoveredRules(await rulesFor(ctx.store, ctx.user, ''), FULL_AUTHORITY);
    if (missing.length)
      forbidden(ctx, name, 'must have cluster-admin privileges to use the aggregationRule');
  }
}

async function checkBinding(ctx: ApiContext, obj: KObject): Promise<void> {
  const b = obj as RoleBinding;
  const name = b.metadata.name ?? '';
  const ns = b.metadata.namespace ?? '';
  const ref = b.roleRef ?? {};
  if (ref.apiGroup !== RBAC_GROUP || (ref.kind !== 'Role' && ref.kind !== 'ClusterRole')) return; // validation refuses it
  const roleResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
  if (await allowedVerb(ctx, 'bind', roleResource, ns, ref.name)) return;
  const rules = await roleRules(ctx.store, b);
  if (!rules) throw errors.notFound({ resource: roleResource, group: RBAC_GROUP, name: ref.name });
  await confirmNoEscalation(ctx, ctx.user, ns, rules, name);
}

/** Admission for writes of the RBAC kinds; `live` is the stored object on update. */
export async function checkRbacEscalation(
  ctx: ApiContext,
  obj: KObject,
  live?: KObject,
): Promise<void> {
  const r = ctx.info.resource;
  if (r.group !== RBAC_GROUP || ctx.info.subresource) return;
  if (ctx.user.groups.includes('system:masters')) return;
  if (r.resource === 'roles' || r.resource === 'clusterroles') return checkRole(ctx, obj, live);
  if (r.resource === 'rolebindings' || r.resource === 'clusterrolebindings')
    return checkBinding(ctx, obj);
}
