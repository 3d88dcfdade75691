// The review kinds (authorization.k8s.io access and rules reviews, authentication.k8s.io
// TokenReview and SelfSubjectReview) are in the OpenAPI v3 documents, so kubectl explain knows
// them: each has its definition, tagged with its GVK, and only the POST upstream documents.
import { describe, expect, it } from 'vitest';
import { buildV3Document } from '../../src/registry/openapi';

type Doc = ReturnType<typeof buildV3Document>;
const schemas = (d: Doc) =>
  (d.components as { schemas: Record<string, Record<string, unknown>> }).schemas;

describe('OpenAPI of the review kinds', () => {
  it('authorization.k8s.io/v1 has the four access and rules reviews, create only', () => {
    const doc = buildV3Document('authorization.k8s.io/v1');
    const defs = schemas(doc);
    for (const k of [
      'SelfSubjectAccessReview',
      'SubjectAccessReview',
      'LocalSubjectAccessReview',
      'SelfSubjectRulesReview',
    ]) {
      const def = defs[`io.k8s.api.authorization.v1.${k}`];
      expect(def, k).toBeDefined();
      expect(def!['x-kubernetes-group-version-kind']).toEqual([
        { group: 'authorization.k8s.io', kind: k, version: 'v1' },
      ]);
      expect(defs[`io.k8s.api.authorization.v1.${k}List`]).toBeUndefined();
    }
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/apis/authorization.k8s.io/v1/namespaces/{namespace}/localsubjectaccessreviews',
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    ]);
    const ssar = doc.paths['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews']!;
    expect(Object.keys(ssar).sort()).toEqual(['parameters', 'post']);
    // What kubectl explain selfsubjectaccessreview.spec.resourceAttributes walks to.
    const spec = defs['io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec']!;
    expect(Object.keys(spec.properties as object)).toEqual([
      'resourceAttributes',
      'nonResourceAttributes',
    ]);
    const attrs = defs['io.k8s.api.authorization.v1.ResourceAttributes']!;
    expect(Object.keys(attrs.properties as object)).toContain('verb');
    expect(defs['io.k8s.api.authorization.v1.SubjectAccessReviewStatus']!.required).toEqual([
      'allowed',
    ]);
  });

  it('authentication.k8s.io/v1 has TokenReview and SelfSubjectReview', () => {
    const doc = buildV3Document('authentication.k8s.io/v1');
    const defs = schemas(doc);
    expect(
      defs['io.k8s.api.authentication.v1.TokenReview']!['x-kubernetes-group-version-kind'],
    ).toEqual([{ group: 'authentication.k8s.io', kind: 'TokenReview', version: 'v1' }]);
    expect(defs['io.k8s.api.authentication.v1.SelfSubjectReviewStatus']).toBeDefined();
    expect(defs['io.k8s.api.authentication.v1.UserInfo']).toBeDefined();
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      '/apis/authentication.k8s.io/v1/tokenreviews',
    ]);
  });
});
