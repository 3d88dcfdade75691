// Bootstrap policy reconciliation: missing rules, labels and subjects are added, nothing is removed,
// aggregated roles keep their controller-written rules, and autoupdate "false" freezes an object.
import { describe, expect, it } from 'vitest';
import type { ClusterRole, RoleBinding } from '../../src/api/rbac';
import { reconcileBinding, reconcileRole } from '../../src/rbac/reconcile';
import {
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
} from '../../src/rbac/bootstrap-policy';

const role = (name: string) => bootstrapClusterRoles().find((r) => r.metadata.name === name)!;
const binding = (name: string) =>
  bootstrapClusterRoleBindings().find((b) => b.metadata.name === name)!;

describe('bootstrap reconciliation', () => {
  it("leaves a current role alone and adds what an older one lacks, keeping the admin's rules", () => {
    const expected = role('system:basic-user');
    expect(reconcileRole(structuredClone(expected), expected)).toBeUndefined();
    const old: ClusterRole = {
      ...structuredClone(expected),
      rules: [
        {
          verbs: ['create'],
          apiGroups: ['authorization.k8s.io'],
          resources: ['selfsubjectaccessreviews'],
        },
        { verbs: ['get'], apiGroups: ['example.com'], resources: ['things'] },
      ],
    };
    const next = reconcileRole(old, expected)!;
    expect(next.rules).toContainEqual({
      verbs: ['get'],
      apiGroups: ['example.com'],
      resources: ['things'],
    });
    expect(next.rules).toContainEqual(
      expect.objectContaining({
        apiGroups: ['authentication.k8s.io'],
        resources: ['selfsubjectreviews'],
      }),
    );
  });

  it("never touches an aggregated role's rules, but restores its aggregation rule and labels", () => {
    const expected = role('edit');
    const written: ClusterRole = {
      ...structuredClone(expected),
      rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
    };
    expect(reconcileRole(written, expected)).toBeUndefined();
    const stripped: ClusterRole = { ...written, metadata: { ...written.metadata, labels: {} } };
    delete stripped.aggregationRule;
    const next = reconcileRole(stripped, expected)!;
    expect(next.rules).toEqual(written.rules);
    expect(next.aggregationRule).toEqual(expected.aggregationRule);
    expect(next.metadata.labels).toMatchObject(expected.metadata.labels!);
  });

  it('adds missing subjects to a binding, and respects autoupdate "false"', () => {
    const expected = binding('system:public-info-viewer');
    const old: RoleBinding = { ...structuredClone(expected), subjects: [expected.subjects![0]] };
    expect(reconcileBinding(old, expected)!.subjects).toEqual(expected.subjects);
    const frozen: RoleBinding = {
      ...old,
      metadata: {
        ...old.metadata,
        annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' },
      },
    };
    expect(reconcileBinding(frozen, expected)).toBeUndefined();
    const frozenRole: ClusterRole = { ...structuredClone(role('view')), rules: [] };
    frozenRole.metadata.annotations = { 'rbac.authorization.kubernetes.io/autoupdate': 'false' };
    delete frozenRole.aggregationRule;
    expect(reconcileRole(frozenRole, role('view'))).toBeUndefined();
  });
});
