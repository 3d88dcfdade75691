// The node view: one card per node with allocatable CPU and memory filled by the requests of the
// pods bound there, its conditions, taints, age and lease freshness, and its pods drawn inside.
import { formatCpuMilli, parseQuantity } from '../../lib/quantity';
import { KINDS, listAll, type UiContext } from '../api';
import { age, html, type Html } from '../html';
import { isTerminal, podChip, podRequests } from './pods';
import type { LeaseObject, NodeObject, PodObject } from './shapes';

function allocatable(n: NodeObject | undefined, key: string, scale: number): number {
  const v = n?.status?.allocatable?.[key];
  if (!v) return 0;
  try {
    return parseQuantity(v).scaledValue(scale);
  } catch {
    return 0;
  }
}

/** Memory in the largest binary unit that keeps a number of at least 1 ("1.5Gi"). */
function memory(bytes: number): string {
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti'];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) {
    bytes /= 1024;
    i++;
  }
  return `${Number(bytes.toFixed(1))}${units[i]}`;
}

function bar(label: string, used: number, total: number, fmt: (n: number) => string): Html {
  const pct = total > 0 ? Math.round((used / total) * 100) : 0;
  const text = `${label} ${fmt(used)} of ${total > 0 ? fmt(total) : '?'} requested (${pct}%)`;
  return html`<div class="meta">${text}</div>
    <div
      class="bar ${pct > 100 ? 'over' : ''}"
      role="meter"
      aria-label="${text}"
      aria-valuemin="0"
      aria-valuemax="100"
      aria-valuenow="${Math.min(pct, 100)}"
    >
      <span style="width:${Math.min(pct, 100)}%"></span>
    </div>`;
}

function nodeCard(
  name: string,
  node: NodeObject | undefined,
  pods: PodObject[],
  lease: LeaseObject | undefined,
  now: number,
): Html {
  const live = pods.filter((p) => !isTerminal(p));
  const used = live
    .map(podRequests)
    .reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory }), { cpu: 0, memory: 0 });
  const conditions = node?.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  // Ready should be True and every other condition (pressure, unavailability) False.
  const troubles = conditions.filter((c) => c.type !== 'Ready' && c.status !== 'False');
  const renewed = lease?.spec?.renewTime;
  return html`<section class="card" data-node="${name}" aria-label="node ${name}">
    <h2>${name}</h2>
    ${
      node
        ? html`<div class="meta">
              <span class="tag ${ready?.status === 'True' ? 'ok' : 'bad'}"
                >Ready: ${ready?.status ?? 'Unknown'}</span
              >
              ${troubles.map((c) => html`<span class="tag bad">${c.type}: ${c.status}</span>`)}
              ${node.spec?.unschedulable ? html`<span class="tag bad">SchedulingDisabled</span>` : ''}
              age ${age(node.metadata.creationTimestamp, now)} · lease
              ${renewed ? html`renewed ${age(renewed, now)} ago` : 'unknown'}
            </div>
            ${
              (node.spec?.taints ?? []).length
                ? html`<div class="meta">
                    taints:
                    ${node.spec!.taints!.map(
                      (t) =>
                        html`<span class="tag"
                          >${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}</span
                        >`,
                    )}
                  </div>`
                : ''
            }
            ${bar('CPU', used.cpu, allocatable(node, 'cpu', -3), formatCpuMilli)}
            ${bar('Memory', used.memory, allocatable(node, 'memory', 0), memory)}`
        : html`<div class="meta">node details are not visible to you</div>`
    }
    <div class="meta">${pods.length} pods</div>
    <div class="pods">${pods.map(podChip)}</div>
  </section>`;
}

export async function nodesView(u: UiContext): Promise<Html> {
  const [nodes, pods, leases] = await Promise.all([
    listAll<NodeObject>(u, KINDS.nodes),
    listAll<PodObject>(u, KINDS.pods),
    listAll<LeaseObject>(u, KINDS.leases),
  ]);
  const byNode = new Map<string, PodObject[]>();
  for (const p of pods) {
    const key = p.spec?.nodeName ?? '';
    const list = byNode.get(key) ?? [];
    list.push(p);
    byNode.set(key, list);
  }
  const leaseOf = new Map(
    leases
      .filter((l) => l.metadata.namespace === 'kube-node-lease')
      .map((l) => [l.metadata.name!, l]),
  );
  const names = [
    ...new Set([...nodes.map((n) => n.metadata.name!), ...byNode.keys()].filter(Boolean)),
  ].sort();
  const nodeOf = new Map(nodes.map((n) => [n.metadata.name!, n]));
  const pending = byNode.get('') ?? [];
  return html`<h2 class="sr-only">Nodes</h2>
    <div class="grid">
      ${names.map((n) => nodeCard(n, nodeOf.get(n), byNode.get(n) ?? [], leaseOf.get(n), u.now))}
      ${
        pending.length
          ? html`<section class="card" data-node="" aria-label="pods not bound to a node">
              <h2>Not scheduled</h2>
              <div class="pods">${pending.map(podChip)}</div>
            </section>`
          : ''
      }
    </div>
    ${
      names.length === 0 && pending.length === 0
        ? html`<p class="meta">Nothing here you may see.</p>`
        : ''
    }`;
}
