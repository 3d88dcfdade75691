// The scheduler's and controllers' rights as bootstrap ClusterRoles: the roles say what the code-level
// floor allows (so `auth can-i --list` is true to it), and the floor is unchanged.
import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../../src/api/resources';
import { REVIEW_RESOURCES } from '../../src/api/review-resources';
import { pathAttributes, resourceAttributes, type Attributes } from '../../src/rbac/attributes';
import { ruleAllows } from '../../src/rbac/rules';
import {
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
} from '../../src/rbac/bootstrap-policy';
import {
  CONTROLLERS,
  SCHEDULER,
  controllersAuthorizer,
  schedulerAuthorizer,
} from '../../src/server/auth/identities';

const VERBS = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'bind',
  'escalate',
  'impersonate',
];

/** Every built-in resource and subresource × verb, namespaced and not. */
function matrix(): Attributes[] {
  const out: Attributes[] = [];
  for (const r of [...RESOURCES, ...REVIEW_RESOURCES])
    for (const sub of ['', 'binding', ...r.subresources.map((s) => s.name)])
      for (const verb of VERBS)
        out.push(
          resourceAttributes({
            verb,
            apiGroup: r.group,
            resource: r.resource,
            subresource: sub,
            namespace: r.namespaced ? 'a' : '',
          }),
        );
  return out;
}

const label = (a: Attributes) =>
  `${a.verb} ${a.apiGroup}/${a.resource}${a.subresource ? '/' + a.subresource : ''}`;

const roleRules = (name: string) => bootstrapClusterRoles().find((r) => r.metadata.name === name)!;

describe('control-plane bootstrap roles', () => {
  it('system:kube-scheduler: the floor allows exactly what it did when fixed in code', () => {
    const allowed = new Set(
      matrix()
        .filter((a) => schedulerAuthorizer(SCHEDULER, a).allowed)
        .map(label),
    );
    // The former hand-written checks, spelled out.
    const expected = new Set<string>();
    for (const v of ['get', 'list', 'watch'])
      for (const r of [
        '/pods',
        '/nodes',
        '/namespaces',
        '/services',
        '/persistentvolumeclaims',
        '/persistentvolumes',
        'storage.k8s.io/storageclasses',
      ])
        expected.add(`${v} ${r}`);
    expected.add('create /pods/binding');
    for (const v of ['patch', 'update']) expected.add(`${v} /persistentvolumeclaims`);
    for (const v of ['get', 'update', 'patch']) expected.add(`${v} /pods/status`);
    for (const v of ['create', 'update', 'patch', 'get']) {
      expected.add(`${v} /events`);
      expected.add(`${v} events.k8s.io/events`);
    }
    expect([...allowed].sort()).toEqual([...expected].sort());
    expect(schedulerAuthorizer(SCHEDULER, pathAttributes('get', '/api')).allowed).toBe(false);
    expect(schedulerAuthorizer(CONTROLLERS, matrix()[0]).allowed).toBe(false);
  });

  it('system:kube-scheduler role holds the same rules as the floor', () => {
    const role = roleRules('system:kube-scheduler');
    for (const a of matrix())
      expect(
        role.rules.some((r) => ruleAllows(a, r)),
        label(a),
      ).toBe(schedulerAuthorizer(SCHEDULER, a).allowed);
  });

  it('system:kube-controller-manager role lists what the floor allows on built-in kinds', () => {
    const role = roleRules('system:kube-controller-manager');
    let allows = 0;
    for (const a of matrix()) {
      const floor = controllersAuthorizer(CONTROLLERS, a).allowed;
      // 'binding' is not a registered subresource of every kind: the floor (by name) allows it.
      if (a.subresource === 'binding' && !(a.resource === 'pods')) continue;
      expect(
        role.rules.some((r) => ruleAllows(a, r)),
        label(a),
      ).toBe(floor);
      if (floor) allows++;
    }
    expect(allows).toBeGreaterThan(500);
    // No streams into pods, no impersonation, in the role as in the floor.
    const exec = resourceAttributes({
      verb: 'create',
      resource: 'pods',
      subresource: 'exec',
      namespace: 'a',
    });
    expect(role.rules.some((r) => ruleAllows(exec, r))).toBe(false);
    const imp = resourceAttributes({ verb: 'impersonate', resource: 'serviceaccounts' });
    expect(role.rules.some((r) => ruleAllows(imp, r))).toBe(false);
    // Discovery and the other plain paths.
    expect(role.rules.some((r) => ruleAllows(pathAttributes('get', '/apis'), r))).toBe(true);
    // Custom resources: granted by the floor only (their groups are not known in advance).
    const cr = resourceAttributes({
      verb: 'delete',
      apiGroup: 'example.com',
      resource: 'widgets',
      namespace: 'a',
    });
    expect(controllersAuthorizer(CONTROLLERS, cr).allowed).toBe(true);
    expect(role.rules.some((r) => ruleAllows(cr, r))).toBe(false);
  });

  it('each role is bound to its user', () => {
    for (const name of ['system:kube-scheduler', 'system:kube-controller-manager']) {
      const b = bootstrapClusterRoleBindings().find((x) => x.metadata.name === name)!;
      expect(b.roleRef).toEqual({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name,
      });
      expect(b.subjects).toEqual([{ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' }]);
    }
  });
});
