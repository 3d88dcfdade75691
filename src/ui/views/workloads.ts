// The workloads view: Deployments (with their ReplicaSets as revision history), StatefulSets,
// DaemonSets, Jobs and CronJobs, each with desired/current/ready/available, and the scale, restart
// and undo buttons the user's rights allow.
import { KINDS, listAll, may, type KindName, type UiContext } from '../api';
import { RESTARTABLE, SCALABLE, UNDOABLE } from '../actions';
import { age, html, type Html } from '../html';
import {
  daemonSetRollout,
  deploymentRollout,
  revision,
  statefulSetRollout,
  type Obj,
} from './rollout';

const num = (v: unknown) => (typeof v === 'number' ? v : 0);

interface Column {
  head: string;
  value: (o: Obj) => string | number;
}

const COLUMNS: Partial<Record<KindName, Column[]>> = {
  deployments: [
    { head: 'Desired', value: (o) => num(o.spec?.replicas ?? 1) },
    { head: 'Current', value: (o) => num(o.status?.replicas) },
    { head: 'Up-to-date', value: (o) => num(o.status?.updatedReplicas) },
    { head: 'Ready', value: (o) => num(o.status?.readyReplicas) },
    { head: 'Available', value: (o) => num(o.status?.availableReplicas) },
    { head: 'Revision', value: (o) => revision(o) },
  ],
  replicasets: [
    { head: 'Desired', value: (o) => num(o.spec?.replicas ?? 1) },
    { head: 'Current', value: (o) => num(o.status?.replicas) },
    { head: 'Ready', value: (o) => num(o.status?.readyReplicas) },
    { head: 'Available', value: (o) => num(o.status?.availableReplicas) },
    { head: 'Revision', value: (o) => revision(o) },
  ],
  statefulsets: [
    { head: 'Desired', value: (o) => num(o.spec?.replicas ?? 1) },
    { head: 'Current', value: (o) => num(o.status?.currentReplicas) },
    { head: 'Ready', value: (o) => num(o.status?.readyReplicas) },
    { head: 'Available', value: (o) => num(o.status?.availableReplicas) },
  ],
  daemonsets: [
    { head: 'Desired', value: (o) => num(o.status?.desiredNumberScheduled) },
    { head: 'Current', value: (o) => num(o.status?.currentNumberScheduled) },
    { head: 'Ready', value: (o) => num(o.status?.numberReady) },
    { head: 'Available', value: (o) => num(o.status?.numberAvailable) },
  ],
  jobs: [
    { head: 'Completions', value: (o) => num(o.spec?.completions ?? 1) },
    { head: 'Active', value: (o) => num(o.status?.active) },
    { head: 'Succeeded', value: (o) => num(o.status?.succeeded) },
    { head: 'Failed', value: (o) => num(o.status?.failed) },
  ],
  cronjobs: [
    { head: 'Schedule', value: (o) => String(o.spec?.schedule ?? '') },
    { head: 'Suspend', value: (o) => String(o.spec?.suspend ?? false) },
    {
      head: 'Active',
      value: (o) => (Array.isArray(o.status?.active) ? o.status.active.length : 0),
    },
    { head: 'Last schedule', value: (o) => String(o.status?.lastScheduleTime ?? '') },
  ],
};

const TITLES: Partial<Record<KindName, string>> = {
  deployments: 'Deployments',
  replicasets: 'ReplicaSets',
  statefulsets: 'StatefulSets',
  daemonsets: 'DaemonSets',
  jobs: 'Jobs',
  cronjobs: 'CronJobs',
};

export const WORKLOAD_KINDS = Object.keys(COLUMNS) as KindName[];

function rollout(kind: KindName, o: Obj, replicaSets: Obj[]): Html | '' {
  if (kind === 'deployments') return deploymentRollout(o, replicaSets);
  if (kind === 'statefulsets') return statefulSetRollout(o);
  if (kind === 'daemonsets') return daemonSetRollout(o);
  return '';
}

function actionForm(
  u: UiContext,
  kind: string,
  o: Obj,
  action: string,
  label: string,
  extra?: Html,
): Html {
  const ns = o.metadata.namespace ?? '';
  const name = o.metadata.name ?? '';
  return html`<form class="action inline" method="post" action="/ui/actions/${action}">
    <input type="hidden" name="csrf" value="${u.csrf}" />
    <input type="hidden" name="kind" value="${kind}" />
    <input type="hidden" name="namespace" value="${ns}" />
    <input type="hidden" name="name" value="${name}" />
    ${extra ?? ''}
    <button type="submit" aria-label="${label} ${kind} ${ns}/${name}">${label}</button>
  </form>`;
}

async function actions(u: UiContext, kind: KindName, o: Obj): Promise<Html> {
  const ns = o.metadata.namespace ?? '';
  const k = KINDS[kind];
  const out: Html[] = [];
  if ((SCALABLE as readonly string[]).includes(kind) && (await may(u, 'patch', k, ns, 'scale'))) {
    const id = `scale-${kind}-${ns}-${o.metadata.name}`;
    out.push(
      actionForm(
        u,
        kind,
        o,
        'scale',
        'Scale',
        html`<label for="${id}" class="meta">replicas</label>
          <input
            id="${id}"
            type="number"
            min="0"
            name="replicas"
            value="${num(o.spec?.replicas ?? 1)}"
            aria-label="replicas of ${kind} ${ns}/${o.metadata.name}"
          />`,
      ),
    );
  }
  const patchable = await may(u, 'patch', k, ns);
  if ((RESTARTABLE as readonly string[]).includes(kind) && patchable)
    out.push(actionForm(u, kind, o, 'restart', 'Restart'));
  if ((UNDOABLE as readonly string[]).includes(kind) && patchable)
    out.push(actionForm(u, kind, o, 'undo', 'Undo'));
  return html`${out}`;
}

/** A Deployment's revision history: its ReplicaSets' revisions, newest first, with their sizes. */
function history(d: Obj, replicaSets: Obj[]): Html {
  const owned = replicaSets
    .filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid))
    .sort((a, b) => Number(revision(b)) - Number(revision(a)));
  if (!owned.length) return html``;
  return html`<div class="meta" data-history>
    revisions:
    ${owned.map(
      (rs) =>
        html`<span class="tag ${revision(rs) === revision(d) ? 'ok' : ''}"
          >${revision(rs)}: ${num(rs.status?.replicas)}/${num(rs.spec?.replicas)}</span
        >`,
    )}
  </div>`;
}

async function table(
  u: UiContext,
  kind: KindName,
  items: Obj[],
  replicaSets: Obj[],
): Promise<Html> {
  const cols = COLUMNS[kind]!;
  const rows = await Promise.all(
    items.map(
      async (o) =>
        html`<tr data-workload="${kind}/${o.metadata.namespace}/${o.metadata.name}">
          <th scope="row">
            ${o.metadata.name}
            <div class="meta">
              ${o.metadata.namespace} · ${age(o.metadata.creationTimestamp, u.now)}
            </div>
            ${rollout(kind, o, replicaSets)}
            ${kind === 'deployments' ? history(o, replicaSets) : ''}
          </th>
          ${cols.map((c) => html`<td data-col="${c.head.toLowerCase()}">${c.value(o)}</td>`)}
          <td>${await actions(u, kind, o)}</td>
        </tr>`,
    ),
  );
  return html`<section class="card" aria-label="${TITLES[kind]}">
    <h2>${TITLES[kind]}</h2>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            ${cols.map((c) => html`<th scope="col">${c.head}</th>`)}
            <th scope="col"><span class="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
    </div>
  </section>`;
}

export async function workloadsView(u: UiContext): Promise<Html> {
  const lists = await Promise.all(WORKLOAD_KINDS.map((k) => listAll<Obj>(u, KINDS[k])));
  const sections: Html[] = [];
  for (let i = 0; i < WORKLOAD_KINDS.length; i++) {
    if (!lists[i].length) continue;
    const sorted = lists[i].sort(
      (a, b) =>
        (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
        (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    );
    sections.push(
      await table(u, WORKLOAD_KINDS[i], sorted, lists[WORKLOAD_KINDS.indexOf('replicasets')]),
    );
  }
  return sections.length ? html`${sections}` : html`<p class="meta">No workloads you may see.</p>`;
}
