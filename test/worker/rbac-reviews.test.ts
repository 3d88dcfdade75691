// SubjectAccessReview and friends through the real API Worker: RBAC decisions with their reasons,
// non-resource paths, the Node authorizer's answer for a pod that is gone, and the validation errors.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import { testEnv } from './helpers';

const BASE = 'https://edgeplane.test/apis/authorization.k8s.io/v1';

async function review(path: string, body: Record<string, unknown>) {
  const res = await SELF.fetch(`${BASE}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${testEnv.ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const sar = (spec: Record<string, unknown>) =>
  review('/subjectaccessreviews', { kind: 'SubjectAccessReview', spec });

describe('access reviews', () => {
  it('answer from RBAC, naming the binding that allows', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    await c.create(
      'rbac.authorization.k8s.io/v1/roles',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'pod-reader' },
        rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'] }],
      },
      { namespace: ns },
    );
    await c.create(
      'rbac.authorization.k8s.io/v1/rolebindings',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'erin-reads' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'User', name: 'erin' }],
      },
      { namespace: ns },
    );
    const ask = (verb: string, extra: Record<string, string> = {}) =>
      sar({
        user: 'erin',
        resourceAttributes: { namespace: ns, verb, resource: 'pods', ...extra },
      });
    const get = await ask('get');
    expect(get.status).toBe(201);
    expect(get.body.status).toEqual({
      allowed: true,
      reason: `RBAC: allowed by RoleBinding "erin-reads/${ns}" of Role "pod-reader" to User "erin"`,
    });
    expect((await ask('get', { subresource: 'log' })).body.status.allowed).toBe(true);
    expect((await ask('create', { subresource: 'exec' })).body.status).toEqual({ allowed: false });
    expect((await ask('delete')).body.status).toEqual({ allowed: false });
    // Another namespace, and another user, get nothing.
    const other = await sar({
      user: 'erin',
      resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' },
    });
    expect(other.body.status.allowed).toBe(false);
    const local = await review(`/namespaces/${ns}/localsubjectaccessreviews`, {
      kind: 'LocalSubjectAccessReview',
      spec: { user: 'erin', resourceAttributes: { namespace: ns, verb: 'list', resource: 'pods' } },
    });
    expect(local.body.status.allowed).toBe(true);
    expect(local.body.metadata.namespace).toBe(ns);
  });

  it('checks non-resource paths and node identities', async () => {
    const discovery = await sar({
      user: 'anyone',
      groups: ['system:authenticated'],
      nonResourceAttributes: { path: '/apis/apps/v1', verb: 'get' },
    });
    expect(discovery.body.status.allowed).toBe(true);
    expect(discovery.body.status.reason).toContain('ClusterRole "system:discovery"');
    const post = await sar({
      user: 'anyone',
      groups: ['system:authenticated'],
      nonResourceAttributes: { path: '/apis/apps/v1', verb: 'post' },
    });
    expect(post.body.status.allowed).toBe(false);
    // The Node authorizer's 404 for a pod that is gone is a plain "no" here.
    const node = await sar({
      user: 'system:node:n1',
      groups: ['system:nodes', 'system:authenticated'],
      resourceAttributes: {
        namespace: 'default',
        verb: 'patch',
        resource: 'pods',
        subresource: 'status',
        name: 'never-was',
      },
    });
    expect(node.status).toBe(201);
    expect(node.body.status.allowed).toBe(false);
    const nodeReads = await sar({
      user: 'system:node:n1',
      groups: ['system:nodes', 'system:authenticated'],
      resourceAttributes: { verb: 'list', resource: 'nodes' },
    });
    expect(nodeReads.body.status.allowed).toBe(true);
  });

  it('refuses malformed reviews with the field named', async () => {
    const none = await sar({ resourceAttributes: { verb: 'get', resource: 'pods' } });
    expect(none.status).toBe(422);
    expect(none.body.message).toContain(
      'spec.user: Invalid value: "": at least one of user or group must be specified',
    );
    const both = await review('/selfsubjectaccessreviews', {
      kind: 'SelfSubjectAccessReview',
      spec: {
        resourceAttributes: { verb: 'get' },
        nonResourceAttributes: { path: '/', verb: 'get' },
      },
    });
    expect(both.status).toBe(422);
    expect(both.body.message).toContain(
      'exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
    const mismatch = await review('/namespaces/a/localsubjectaccessreviews', {
      kind: 'LocalSubjectAccessReview',
      spec: { user: 'x', resourceAttributes: { namespace: 'b', verb: 'get', resource: 'pods' } },
    });
    expect(mismatch.status).toBe(400);
    const get = await SELF.fetch(`${BASE}/selfsubjectaccessreviews`, {
      headers: { Authorization: `Bearer ${testEnv.ADMIN_TOKEN}` },
    });
    expect(get.status).toBe(405);
  });
});
