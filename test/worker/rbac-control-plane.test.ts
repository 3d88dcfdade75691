// kubectl auth can-i --list --as=<the scheduler or the controllers>: their bootstrap ClusterRoles
// list their rights (SelfSubjectRulesReview through the real API Worker, impersonated by the admin).
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { testEnv } from './helpers';

interface RulesStatus {
  resourceRules: { verbs: string[]; apiGroups: string[]; resources: string[] }[];
  incomplete: boolean;
  evaluationError?: string;
}

async function rulesAs(user: string): Promise<RulesStatus> {
  const res = await SELF.fetch(
    'https://edgeplane.test/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
    {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${testEnv.ADMIN_TOKEN}`,
        'Impersonate-User': user,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectRulesReview',
        spec: { namespace: 'default' },
      }),
    },
  );
  expect(res.status).toBe(201);
  return ((await res.json()) as { status: RulesStatus }).status;
}

const grants = (s: RulesStatus, verb: string, group: string, resource: string) =>
  s.resourceRules.some(
    (r) => r.verbs.includes(verb) && r.apiGroups.includes(group) && r.resources.includes(resource),
  );

describe('control-plane identities in RBAC', () => {
  it('the scheduler lists its complete rights', async () => {
    const s = await rulesAs('system:kube-scheduler');
    expect(s.incomplete).toBe(false);
    expect(grants(s, 'create', '', 'pods/binding')).toBe(true);
    expect(grants(s, 'patch', '', 'persistentvolumeclaims')).toBe(true);
    expect(grants(s, 'list', 'storage.k8s.io', 'storageclasses')).toBe(true);
    expect(grants(s, 'delete', '', 'pods')).toBe(false);
  });

  it('the controllers list their rights on built-in kinds; custom resources are noted', async () => {
    const s = await rulesAs('system:kube-controller-manager');
    expect(grants(s, 'delete', '', 'secrets')).toBe(true);
    expect(grants(s, 'update', 'apps', 'deployments/status')).toBe(true);
    expect(grants(s, 'create', '', 'pods/exec')).toBe(false);
    expect(s.incomplete).toBe(true);
    expect(s.evaluationError).toMatch(/custom resource/);
  });
});
