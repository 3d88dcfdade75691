// Pod helpers shared by the views: requests (for bin packing), state class, restart count, chip.
import { parseQuantity } from '../../lib/quantity';
import { html, type Html } from '../html';
import type { PodObject } from './shapes';

function q(v: string | undefined, scale: number): number {
  if (!v) return 0;
  try {
    return parseQuantity(v).scaledValue(scale);
  } catch {
    return 0;
  }
}

/** The pod's effective CPU (milli) and memory (bytes) requests, as the scheduler counts them. */
export function podRequests(p: PodObject): { cpu: number; memory: number } {
  const sum = { cpu: 0, memory: 0 };
  for (const c of p.spec?.containers ?? []) {
    sum.cpu += q(c.resources?.requests?.cpu, -3);
    sum.memory += q(c.resources?.requests?.memory, 0);
  }
  for (const c of p.spec?.initContainers ?? []) {
    sum.cpu = Math.max(sum.cpu, q(c.resources?.requests?.cpu, -3));
    sum.memory = Math.max(sum.memory, q(c.resources?.requests?.memory, 0));
  }
  sum.cpu += q(p.spec?.overhead?.cpu, -3);
  sum.memory += q(p.spec?.overhead?.memory, 0);
  return sum;
}

export const isTerminal = (p: PodObject) =>
  p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export const isReady = (p: PodObject) =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export const restarts = (p: PodObject) =>
  (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);

/** ready, unready, pending, succeeded, failed or terminating: the chip's color. */
export function podState(p: PodObject): string {
  if (p.metadata.deletionTimestamp) return 'terminating';
  const phase = p.status?.phase ?? 'Pending';
  if (phase === 'Succeeded') return 'succeeded';
  if (phase === 'Failed') return 'failed';
  if (phase === 'Running') return isReady(p) ? 'ready' : 'unready';
  return 'pending';
}

export function podChip(p: PodObject): Html {
  const ns = p.metadata.namespace ?? '';
  const name = p.metadata.name ?? '';
  const state = podState(p);
  const n = restarts(p);
  const label = `pod ${ns}/${name}: ${p.status?.phase ?? 'Pending'}, ${state}, ${n} restarts`;
  return html`<a
    class="pod ${state}"
    href="/ui/pods/${encodeURIComponent(ns)}/${encodeURIComponent(name)}"
    data-pod="${ns}/${name}"
    data-state="${state}"
    data-restarts="${n}"
    aria-label="${label}"
    title="${label}"
    >${name}${n > 0 ? html` ↻${n}` : ''}</a
  >`;
}
