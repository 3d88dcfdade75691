// RoleBinding and ClusterRoleBinding subjects: a User or Group belongs to the RBAC API group, a
// ServiceAccount to the core group, when the client left it out.
// k8s: pkg/apis/rbac/v1/defaults.go (SetDefaults_Subject)
import { RBAC_GROUP, type RoleBinding } from '../../api/rbac';
import type { KObject } from '../../api/types';

export function defaultBinding(obj: KObject): void {
  for (const s of (obj as RoleBinding).subjects ?? []) {
    if (!s || typeof s !== 'object' || s.apiGroup !== undefined) continue;
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
    else if (s.kind === 'ServiceAccount') s.apiGroup = '';
  }
}
