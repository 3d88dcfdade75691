// rbac.authorization.k8s.io/v1 wire types (pure TS).
import type { KObject, LabelSelector } from './types';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface AggregationRule {
  clusterRoleSelectors?: LabelSelector[];
}

export interface Role extends KObject {
  rules?: PolicyRule[] | null;
}

export interface ClusterRole extends Role {
  aggregationRule?: AggregationRule;
}

export interface Subject {
  kind: 'User' | 'Group' | 'ServiceAccount' | string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}

export interface RoleRef {
  apiGroup: string;
  kind: 'Role' | 'ClusterRole' | string;
  name: string;
}

export interface RoleBinding extends KObject {
  subjects?: Subject[] | null;
  roleRef: RoleRef;
}

/** The label kube-apiserver puts on the roles and bindings it creates and reconciles. */
export const BOOTSTRAPPING_LABEL = 'kubernetes.io/bootstrapping';
/** Bootstrap objects with this annotation set to "false" are left as the admin changed them. */
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
