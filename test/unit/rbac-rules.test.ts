// RBAC rule matching and the escalation comparison, as upstream's evaluation helpers and
// policy comparator define them.
import { describe, expect, it } from 'vitest';
import { pathAttributes, resourceAttributes } from '../../src/rbac/attributes';
import { compactRule, compactRules, ruleAllows, uncoveredRules } from '../../src/rbac/rules';
import type { PolicyRule } from '../../src/api/rbac';

const pods = (verb: string, extra: Partial<Parameters<typeof resourceAttributes>[0]> = {}) =>
  resourceAttributes({ verb, resource: 'pods', namespace: 'a', ...extra });

describe('ruleAllows', () => {
  const view: PolicyRule = {
    verbs: ['get', 'list'],
    apiGroups: [''],
    resources: ['pods', 'pods/log'],
  };

  it('matches verb, group, resource and subresource exactly', () => {
    expect(ruleAllows(pods('list'), view)).toBe(true);
    expect(ruleAllows(pods('create'), view)).toBe(false);
    expect(ruleAllows(pods('get', { subresource: 'log' }), view)).toBe(true);
    expect(ruleAllows(pods('create', { subresource: 'exec' }), view)).toBe(false);
    expect(ruleAllows(pods('get', { apiGroup: 'apps' }), view)).toBe(false);
  });

  it('pods does not grant pods/exec; */exec does', () => {
    const all: PolicyRule = { verbs: ['*'], apiGroups: [''], resources: ['pods'] };
    expect(ruleAllows(pods('create', { subresource: 'exec' }), all)).toBe(false);
    const anyExec: PolicyRule = { verbs: ['create'], apiGroups: [''], resources: ['*/exec'] };
    expect(ruleAllows(pods('create', { subresource: 'exec' }), anyExec)).toBe(true);
    expect(ruleAllows(pods('create'), anyExec)).toBe(false);
  });

  it('resourceNames restrict by name (and never match a list)', () => {
    const one: PolicyRule = {
      verbs: ['get', 'list'],
      apiGroups: [''],
      resources: ['pods'],
      resourceNames: ['web'],
    };
    expect(ruleAllows(pods('get', { name: 'web' }), one)).toBe(true);
    expect(ruleAllows(pods('get', { name: 'db' }), one)).toBe(false);
    expect(ruleAllows(pods('list'), one)).toBe(false);
  });

  it('nonResourceURLs match exactly or by a trailing *', () => {
    const r: PolicyRule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
    expect(ruleAllows(pathAttributes('get', '/healthz'), r)).toBe(true);
    expect(ruleAllows(pathAttributes('get', '/apis/apps/v1'), r)).toBe(true);
    expect(ruleAllows(pathAttributes('get', '/apis'), r)).toBe(false);
    expect(ruleAllows(pathAttributes('post', '/healthz'), r)).toBe(false);
    // A resource rule never grants a path, nor a path rule a resource.
    expect(ruleAllows(pathAttributes('get', '/healthz'), view)).toBe(false);
    expect(ruleAllows(pods('get'), r)).toBe(false);
  });
});

describe('uncoveredRules (escalation)', () => {
  const owner: PolicyRule[] = [
    { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'configmaps'] },
    { verbs: ['*'], apiGroups: ['apps'], resources: ['deployments'] },
    { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['s1'] },
    { verbs: ['get'], apiGroups: [''], resources: ['*/status'] },
  ];

  it('finds nothing missing for a subset', () => {
    expect(
      uncoveredRules(owner, [
        { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
        { verbs: ['create', 'delete'], apiGroups: ['apps'], resources: ['deployments'] },
        { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['s1'] },
        { verbs: ['get'], apiGroups: [''], resources: ['pods/status'] },
      ]),
    ).toEqual([]);
  });

  it('a wildcard is only covered by a wildcard; names only by the same names or none', () => {
    expect(uncoveredRules(owner, [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }])).toEqual(
      [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }],
    );
    expect(
      uncoveredRules(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]),
    ).toHaveLength(1);
    expect(
      uncoveredRules(owner, [
        { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['s2'] },
      ]),
    ).toHaveLength(1);
  });

  it('prints missing rules as the apiserver does, verbs merged per target', () => {
    const missing = uncoveredRules(owner, [
      { verbs: ['create', 'update'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['*'], nonResourceURLs: ['*'] },
    ]);
    expect(compactRules(missing).map(compactRule)).toEqual([
      '{APIGroups:[""], Resources:["pods"], Verbs:["create" "update"]}',
      '{NonResourceURLs:["*"], Verbs:["*"]}',
    ]);
  });
});
