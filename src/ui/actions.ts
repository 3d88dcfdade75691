// The dashboard's actions, each the API call kubectl makes for the same command:
//   scale   — kubectl scale: a merge patch of the scale subresource's spec.replicas;
//   restart — kubectl rollout restart: a strategic merge patch of the pod template's
//             kubectl.kubernetes.io/restartedAt annotation;
//   undo    — kubectl rollout undo: for a Deployment, the previous revision's ReplicaSet template
//             (without pod-template-hash) patched in as a JSON patch; for a StatefulSet or a
//             DaemonSet, the data of its previous ControllerRevision (the second-highest revision
//             among those it controls, `{spec: {template: {..., $patch: replace}}}`) sent as is as a
//             strategic merge patch, after kubectl's "no last revision" and "already matches" checks.
// k8s: staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollback.go
import type { ControllerRevision } from '../api/apps-workloads';
import { CONTROLLER_REVISION_HASH_LABEL } from '../api/apps-workloads';
import type { KObject, LabelSelector } from '../api/types';
import { labelSelectorToString } from '../lib/labels';
import { rfc3339 } from '../lib/time';
import { apiFetch, collectionPath, KINDS, listAll, objectPath, type UiContext } from './api';

export const SCALABLE = ['deployments', 'replicasets', 'statefulsets'] as const;
export const RESTARTABLE = ['deployments', 'statefulsets', 'daemonsets'] as const;
export const UNDOABLE = RESTARTABLE;

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
  return undefined;
}

const revisionOf = (o: KObject) =>
  Number(o.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '0');

/** Rolls back; returns kubectl's note when nothing needed to change. */
export async function undo(
  u: UiContext,
  kind: string,
  ns: string,
  name: string,
): Promise<string | undefined> {
  if (kind === 'deployments') return undoDeployment(u, ns, name);
  if (kind === 'statefulsets' || kind === 'daemonsets') return undoFromHistory(u, kind, ns, name);
  throw new ActionError(400, `${kind} cannot be undone here`);
}

async function undoDeployment(u: UiContext, ns: string, name: string): Promise<undefined> {
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
  return undefined;
}

type Templated = KObject & { spec: { selector?: LabelSelector; template?: unknown } };

/** JSON with keys in order and empty values dropped: the template a revision's data puts back. */
function canonical(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return v.length ? v.map((x) => canonical(x) ?? {}) : undefined;
  if (typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const c = canonical((v as Record<string, unknown>)[k]);
    if (c !== undefined) out[k] = c;
  }
  return Object.keys(out).length ? out : undefined;
}

const sameTemplate = (a: unknown, b: unknown) =>
  JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** The ControllerRevisions matching the owner's selector that it controls, oldest first. */
export async function controlledRevisions(
  u: UiContext,
  owner: Templated,
): Promise<ControllerRevision[]> {
  const selector = labelSelectorToString(owner.spec.selector);
  const r = await apiFetch(
    u,
    `${collectionPath(KINDS.controllerrevisions, owner.metadata.namespace)}?labelSelector=${encodeURIComponent(selector)}`,
  );
  await check(r);
  const items = ((await r.json()) as { items?: ControllerRevision[] }).items ?? [];
  return items
    .filter((h) =>
      h.metadata.ownerReferences?.some((o) => o.controller && o.uid === owner.metadata.uid),
    )
    .sort((a, b) => a.revision - b.revision);
}

async function undoFromHistory(
  u: UiContext,
  kind: 'statefulsets' | 'daemonsets',
  ns: string,
  name: string,
): Promise<string | undefined> {
  const got = await apiFetch(u, objectPath(KINDS[kind], ns, name));
  await check(got);
  const owner = (await got.json()) as Templated;
  const history = await controlledRevisions(u, owner);
  if (history.length <= 1) throw new ActionError(400, 'no last revision to roll back to');
  const to = history[history.length - 2];
  const data = structuredClone(to.data ?? {});
  const template = { ...data.spec?.template };
  delete template.$patch;
  const current = structuredClone(owner.spec.template ?? {}) as {
    metadata?: { labels?: Record<string, string> };
  };
  delete current.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  // kubectl reports this as a success that changed nothing.
  if (sameTemplate(template, current))
    return `skipped rollback (current template already matches revision ${to.revision})`;
  await check(
    await apiFetch(u, objectPath(KINDS[kind], ns, name), {
      method: 'PATCH',
      body: data,
      contentType: 'application/strategic-merge-patch+json',
    }),
  );
  return undefined;
}
