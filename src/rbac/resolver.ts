// Which rules apply to a user: the roles of every ClusterRoleBinding, and of the RoleBindings in the
// request's namespace, whose subjects name the user, one of its groups, or its ServiceAccount.
// k8s: pkg/registry/rbac/validation/rule.go (DefaultRuleResolver.VisitRulesFor)
import type { KObject } from '../api/types';
import type { ClusterRole, PolicyRule, RoleBinding, Subject } from '../api/rbac';
import type { Store } from '../storage/store';
import type { ResourceInfo } from '../api/resources';
import { CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES, ROLE_BINDINGS, ROLES } from './resources';
import { cached } from './cache';

export interface Subjectish {
  name: string;
  groups: string[];
}

export interface RuleSource {
  /** `ClusterRoleBinding "x" of ClusterRole "y" to User "alice"`, as upstream's allow reasons name it. */
  describe: string;
  rules: PolicyRule[];
}

export const SA_PREFIX = 'system:serviceaccount:';

export function appliesTo(s: Subject, user: Subjectish, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount':
      return user.name === `${SA_PREFIX}${s.namespace || bindingNamespace}:${s.name}`;
    default:
      return false;
  }
}

function listAll(store: Store, r: ResourceInfo, namespace?: string): Promise<KObject[]> {
  return cached(`list:${r.resource}:${namespace ?? ''}`, () => readAll(store, r, namespace));
}

async function readAll(store: Store, r: ResourceInfo, namespace?: string): Promise<KObject[]> {
  const out: KObject[] = [];
  let cont: string | undefined;
  do {
    const page = await store.list(r, { namespace, continue: cont });
    if (!page.ok) throw new Error(`listing ${r.resource}: ${page.message ?? page.reason}`);
    out.push(...page.value.items);
    cont = page.value.continue;
  } while (cont);
  return out;
}

/** The rules of the role a binding names, or undefined when that role does not exist. */
export async function roleRules(
  store: Store,
  binding: RoleBinding,
): Promise<PolicyRule[] | undefined> {
  const ref = binding.roleRef;
  const ns = binding.metadata.namespace;
  const role =
    ref.kind === 'ClusterRole'
      ? await cached(`clusterrole:${ref.name}`, () =>
          store.get(CLUSTER_ROLES(), undefined, ref.name),
        )
      : ref.kind === 'Role' && ns
        ? await cached(`role:${ns}/${ref.name}`, () => store.get(ROLES(), ns, ref.name))
        : null;
  return role ? ((role as ClusterRole).rules ?? []) : undefined;
}

function describe(b: RoleBinding, s: Subject): string {
  const where = b.metadata.namespace ? `/${b.metadata.namespace}` : '';
  const kind = b.metadata.namespace ? 'RoleBinding' : 'ClusterRoleBinding';
  const subj =
    s.kind === 'ServiceAccount' ? `${s.namespace ?? b.metadata.namespace}/${s.name}` : s.name;
  return `${kind} "${b.metadata.name}${where}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${s.kind} "${subj}"`;
}

/**
 * Calls `visit` with each applicable binding's rules until it returns true; cluster bindings first,
 * then the namespace's. Returns whether a visit said stop. The two binding lists are read at once,
 * and so are the roles of the bindings that apply.
 */
export async function visitRules(
  store: Store,
  user: Subjectish,
  namespace: string,
  visit: (src: RuleSource) => boolean,
): Promise<boolean> {
  const sources: Promise<KObject[]>[] = [listAll(store, CLUSTER_ROLE_BINDINGS())];
  if (namespace) sources.push(listAll(store, ROLE_BINDINGS(), namespace));
  const applying: { binding: RoleBinding; subject: Subject }[] = [];
  for (const bindings of await Promise.all(sources)) {
    for (const b of bindings as RoleBinding[]) {
      const subject = (b.subjects ?? []).find((s) =>
        appliesTo(s, user, b.metadata.namespace ?? ''),
      );
      if (subject) applying.push({ binding: b, subject });
    }
  }
  const rules = await Promise.all(applying.map((a) => roleRules(store, a.binding)));
  for (let i = 0; i < applying.length; i++) {
    const r = rules[i];
    if (r && visit({ describe: describe(applying[i].binding, applying[i].subject), rules: r }))
      return true;
  }
  return false;
}

/** Every rule that applies to the user in `namespace` (cluster-wide ones included). */
export async function rulesFor(
  store: Store,
  user: Subjectish,
  namespace: string,
): Promise<PolicyRule[]> {
  const rules: PolicyRule[] = [];
  await visitRules(store, user, namespace, (s) => {
    rules.push(...s.rules);
    return false;
  });
  return rules;
}
