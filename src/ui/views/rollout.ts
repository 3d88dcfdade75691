// A rollout drawn batch by batch. A Deployment's new ReplicaSet (its pods available, ready but not yet
// available, and not ready) against the old ReplicaSets' pods still running, as one stacked bar; a
// StatefulSet's updatedReplicas on its updateRevision against currentRevision; a DaemonSet's
// updatedNumberScheduled and numberAvailable against desiredNumberScheduled.
import type { KObject } from '../../api/types';
import { html, type Html } from '../html';

export type Obj = KObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

const num = (v: unknown) => (typeof v === 'number' ? v : 0);

export const revision = (o: Obj) =>
  o.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '';

interface Segment {
  cls: string;
  n: number;
  label: string;
}

/** A bar of segments out of `total`, with the first segment's count as the progress value. */
function stacked(label: string, total: number, segments: Segment[]): Html {
  const pct = (n: number) => (total > 0 ? Math.round((n / total) * 1000) / 10 : 0);
  return html`<div
    class="bar stack"
    role="progressbar"
    aria-label="${label}"
    aria-valuemin="0"
    aria-valuemax="${total}"
    aria-valuenow="${segments[0]?.n ?? 0}"
  >
    ${segments
      .filter((s) => s.n > 0)
      .map(
        (s) =>
          html`<span
            class="seg ${s.cls}"
            style="width:${pct(s.n)}%"
            title="${s.label}: ${s.n}"
          ></span>`,
      )}
  </div>`;
}

function deploymentRolling(d: Obj): boolean {
  const want = num(d.spec?.replicas ?? 1);
  return (
    num(d.status?.observedGeneration) < num(d.metadata.generation) ||
    num(d.status?.updatedReplicas) < want ||
    num(d.status?.replicas) > num(d.status?.updatedReplicas) ||
    num(d.status?.availableReplicas) < num(d.status?.updatedReplicas)
  );
}

/** A Deployment's rollout, when one is under way: new ReplicaSet against the old ones. */
export function deploymentRollout(d: Obj, replicaSets: Obj[]): Html | '' {
  if (!deploymentRolling(d)) return '';
  const owned = replicaSets.filter((rs) =>
    rs.metadata.ownerReferences?.some((o) => o.controller && o.uid === d.metadata.uid),
  );
  const fresh = owned.find((rs) => revision(rs) !== '' && revision(rs) === revision(d));
  const old = owned.filter((rs) => rs !== fresh && num(rs.status?.replicas) > 0);
  const desired = num(d.spec?.replicas ?? 1);
  const updated = num(fresh?.status?.replicas);
  const ready = Math.min(num(fresh?.status?.readyReplicas), updated);
  const available = Math.min(num(fresh?.status?.availableReplicas), ready);
  const oldPods = old.reduce((n, rs) => n + num(rs.status?.replicas), 0);
  const total = Math.max(desired, updated + oldPods);
  const text =
    `rollout: ${fresh ? `${fresh.metadata.name} (revision ${revision(fresh)})` : 'new ReplicaSet'}` +
    ` ${updated} of ${desired} updated, ${ready} ready, ${available} available` +
    (old.length ? `; old ${old.map((rs) => rs.metadata.name).join(', ')}: ${oldPods} pods` : '');
  return html`<div
    class="rollout"
    data-rollout="deployments"
    data-updated="${updated}"
    data-ready="${ready}"
    data-available="${available}"
    data-old="${oldPods}"
    data-desired="${desired}"
  >
    <span class="tag">rollout in progress</span>
    <div class="meta">${text}</div>
    ${stacked(text, total, [
      { cls: 'available', n: available, label: 'new, available' },
      { cls: 'ready', n: ready - available, label: 'new, ready' },
      { cls: 'updated', n: updated - ready, label: 'new, not ready' },
      { cls: 'old', n: oldPods, label: 'old' },
    ])}
  </div>`;
}

/** A StatefulSet's rollout: pods on updateRevision against those still on currentRevision. */
export function statefulSetRollout(s: Obj): Html | '' {
  const desired = num(s.spec?.replicas ?? 1);
  const current = String(s.status?.currentRevision ?? '');
  const update = String(s.status?.updateRevision ?? '');
  const updated = num(s.status?.updatedReplicas);
  const replicas = num(s.status?.replicas);
  const ready = num(s.status?.readyReplicas);
  const rolling =
    num(s.status?.observedGeneration) < num(s.metadata.generation) ||
    (update !== '' && current !== update) ||
    updated < desired;
  if (!rolling) return '';
  const text = `rollout: ${updated} of ${desired} updated to ${update || '?'} (current ${current || '?'}), ${ready} ready`;
  return html`<div
    class="rollout"
    data-rollout="statefulsets"
    data-updated="${updated}"
    data-ready="${ready}"
    data-desired="${desired}"
    data-current-revision="${current}"
    data-update-revision="${update}"
  >
    <span class="tag">rollout in progress</span>
    <div class="meta">${text}</div>
    ${stacked(text, Math.max(desired, replicas), [
      { cls: 'updated', n: updated, label: `on ${update}` },
      { cls: 'old', n: Math.max(0, replicas - updated), label: `on ${current}` },
    ])}
  </div>`;
}

/** A DaemonSet's rollout: nodes running the updated pod against those still on the old one. */
export function daemonSetRollout(s: Obj): Html | '' {
  const desired = num(s.status?.desiredNumberScheduled);
  const updated = num(s.status?.updatedNumberScheduled);
  const available = Math.min(num(s.status?.numberAvailable), desired);
  const scheduled = num(s.status?.currentNumberScheduled);
  const rolling =
    num(s.status?.observedGeneration) < num(s.metadata.generation) ||
    updated < desired ||
    available < desired;
  if (!rolling) return '';
  const text = `rollout: ${updated} of ${desired} nodes updated, ${available} available`;
  return html`<div
    class="rollout"
    data-rollout="daemonsets"
    data-updated="${updated}"
    data-available="${available}"
    data-desired="${desired}"
  >
    <span class="tag">rollout in progress</span>
    <div class="meta">${text}</div>
    ${stacked(text, Math.max(desired, scheduled), [
      { cls: 'updated', n: updated, label: 'updated' },
      { cls: 'old', n: Math.max(0, scheduled - updated), label: 'not updated' },
    ])}
  </div>`;
}
