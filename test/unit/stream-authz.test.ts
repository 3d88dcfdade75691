// Opening a stream into a pod is authorized as `create` on the subresource, whatever the method:
// kubectl's WebSocket upgrade is a GET, and a caller allowed only to get pods must not exec.
import { describe, expect, it } from 'vitest';
import { parseRequestInfo } from '../../src/server/request-info';
import { forbiddenMessage, requestAttributes } from '../../src/server/auth/authorize';
import { ruleAllows } from '../../src/rbac/rules';

// A rule that allows getting and listing pods and their subresources, nothing else (a `view`-like user).
const getOnly = {
  verbs: ['get', 'list'],
  apiGroups: [''],
  resources: ['pods', 'pods/exec', 'pods/attach', 'pods/portforward', 'pods/log'],
};

describe('stream authorization', () => {
  for (const sub of ['exec', 'attach', 'portforward']) {
    it(`GET pods/${sub} is the create verb`, () => {
      const info = parseRequestInfo(
        'GET',
        `/api/v1/namespaces/default/pods/web/${sub}`,
        new URLSearchParams('command=sh&stdin=true'),
      )!;
      expect(info).toMatchObject({ verb: 'create', subresource: sub, name: 'web' });
      const post = parseRequestInfo(
        'POST',
        `/api/v1/namespaces/default/pods/web/${sub}`,
        new URLSearchParams(),
      )!;
      expect(post.verb).toBe('create');
    });
  }

  it('a user allowed only to get pods is refused exec with the apiserver wording', () => {
    const viewer = { name: 'viewer', groups: ['system:authenticated'] };
    const exec = parseRequestInfo(
      'GET',
      '/api/v1/namespaces/default/pods/web/exec',
      new URLSearchParams('command=id'),
    )!;
    const get = parseRequestInfo(
      'GET',
      '/api/v1/namespaces/default/pods/web',
      new URLSearchParams(),
    )!;
    expect(ruleAllows(requestAttributes(get), getOnly)).toBe(true);
    expect(ruleAllows(requestAttributes(exec), getOnly)).toBe(false);
    expect(forbiddenMessage(viewer, requestAttributes(exec))).toBe(
      'pods "web" is forbidden: User "viewer" cannot create resource "pods/exec" in API group "" in the namespace "default"',
    );
  });
});
