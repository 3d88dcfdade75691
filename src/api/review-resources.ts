// The create-only review resources of authentication.k8s.io and authorization.k8s.io: nothing is
// stored, a POST answers with the reviewed object's status. Served and discovered like any kind,
// but kept apart from RESOURCES so no loop lists or watches them.
import type { ResourceInfo } from './resources';

function review(group: string, kind: string, resource: string, namespaced = false): ResourceInfo {
  return {
    group,
    version: 'v1',
    kind,
    resource,
    singular: kind.toLowerCase(),
    listKind: `${kind}List`,
    namespaced,
    subresources: [],
    partitioned: false,
    verbs: ['create'],
  };
}

export const REVIEW_RESOURCES: ResourceInfo[] = [
  review('authentication.k8s.io', 'SelfSubjectReview', 'selfsubjectreviews'),
  review('authentication.k8s.io', 'TokenReview', 'tokenreviews'),
  review('authorization.k8s.io', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true),
  review('authorization.k8s.io', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews'),
  review('authorization.k8s.io', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews'),
  review('authorization.k8s.io', 'SubjectAccessReview', 'subjectaccessreviews'),
];
