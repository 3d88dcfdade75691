// The dashboard's actions, each the API call kubectl makes for the same command:
//   scale   — kubectl scale: a merge patch of the scale subresource's spec.replicas;
//   restart — kubectl rollout restart: a strategic merge patch of the pod template's
//             kubectl.kubernetes.io/restartedAt annotation;
//   undo    — kubectl rollout undo (Deployments): the previous revision's ReplicaSet template
//             (without pod-template-hash) patched into the Deployment as a JSON patch.
import type { KObject } from '../api/types';
import { rfc3339 } from '../lib/time';
import { apiFetch, KINDS, listAll, objectPath, type UiContext } from './api';

export const SCALABLE = ['deployments', 'replicasets', 'statefulsets'] as const;
export const RESTARTABLE = ['deployments', 'statefulsets', 'daemonsets'] as const;

export class ActionError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function check(r: Response): Promise<void> {
  if (r.ok) return;
  const body = (await r.json().catch(() => ({}))) as { message?: string };
  throw new ActionError(r.status, body.message ?? `HTTP ${r.status}`);
}

export async function scale(u: UiContext, kind: string, ns: string, name: string, n: number) {
  if (!(SCALABLE as readonly string[]).includes(kind))
    throw new ActionError(400, `${kind} cannot be scaled here`);
  if (!Number.isInteger(n) || n < 0)
    throw new ActionError(400, 'replicas must be a non-negative integer');
  const k = KINDS[kind as (typeof SCALABLE)[number]];
  await check(
    await apiFetch(u, `${objectPath(k, ns, name)}/scale`, {
      method: 'PATCH',
      body: { spec: { replicas: n } },
      contentType: 'application/merge-patch+json',
    }),
  );
}

export async function restart(u: UiContext, kind: string, ns: string, name: string) {
  if (!(RESTARTABLE as readonly string[]).includes(kind))
    throw new ActionError(400, `${kind} cannot be restarted here`);
  const k = KINDS[kind as (typeof RESTARTABLE)[number]];
  const patch = {
    spec: {
      template: {
        metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': rfc3339(u.now) } },
      },
    },
  };
  await check(
    await apiFetch(u, objectPath(k, ns, name), {
      method: 'PATCH',
      body: patch,
      contentType: 'application/strategic-merge-patch+json',
    }),
  );
}

const revisionOf = (o: KObject) =>
  Number(o.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '0');

export async function undo(u: UiContext, kind: string, ns: string, name: string) {
  if (kind !== 'deployments') throw new ActionError(400, `${kind} cannot be undone here`);
  const d = await apiFetch(u, objectPath(KINDS.deployments, ns, name));
  await check(d);
  const deployment = (await d.json()) as KObject;
  const owned = (await listAll(u, KINDS.replicasets)).filter(
    (rs) =>
      rs.metadata.namespace === ns &&
      rs.metadata.ownerReferences?.some((o) => o.uid === deployment.metadata.uid),
  );
  const current = revisionOf(deployment);
  const previous = owned
    .filter((rs) => revisionOf(rs) < current)
    .sort((a, b) => revisionOf(b) - revisionOf(a))[0];
  if (!previous) throw new ActionError(400, 'no rollout history found');
  const template = structuredClone(
    (previous as KObject & { spec: { template: { metadata?: { labels?: object } } } }).spec
      .template,
  );
  const labels = template.metadata?.labels as Record<string, string> | undefined;
  if (labels) delete labels['pod-template-hash'];
  await check(
    await apiFetch(u, objectPath(KINDS.deployments, ns, name), {
      method: 'PATCH',
      body: [{ op: 'replace', path: '/spec/template', value: template }],
      contentType: 'application/json-patch+json',
    }),
  );
}
