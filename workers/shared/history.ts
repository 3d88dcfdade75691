// ControllerRevisions: a workload's template history, named by hash, shared by DaemonSets and StatefulSets.
// k8s: pkg/controller/history/controller_history.go (NewControllerRevision, HashControllerRevision,
// FindEqualRevisions, SortControllerRevisions), daemon/update.go and statefulset/stateful_set_control.go (constructHistory)
import type { ControllerRevision } from '../../src/api/apps-workloads';
import { CONTROLLER_REVISION_HASH_LABEL } from '../../src/api/apps-workloads';
import type { PodTemplate } from '../../src/api/core';
import { controllerRef } from '../../src/api/owner';
import type { KObject } from '../../src/api/types';
import { isAlreadyExists, isNotFound } from '../../src/client/errors';
import type { KubeClient } from '../../src/client/client';

export const CONTROLLER_REVISIONS = 'apps/v1/controllerrevisions';

// Fields whose empty object still means something (an emptyDir volume), so normalising keeps them.
const PRESENCE_KEYS = new Set(['emptyDir']);

/** Go's semantic view of JSON: null and empty values dropped, keys in a canonical order. */
export function canonical(v: unknown, key = ''): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) {
    const items = v.map((x) => canonical(x) ?? {});
    return items.length ? items : undefined;
  }
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const c = canonical((v as Record<string, unknown>)[k], k);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length || PRESENCE_KEYS.has(key) ? out : undefined;
  }
  return v;
}

/** The revision's data: a strategic merge patch that puts this template back (what `rollout undo` applies). */
export function revisionData(template: PodTemplate | undefined): ControllerRevision['data'] {
  const t = structuredClone(template ?? {}) as PodTemplate & { $patch?: string };
  if (t.metadata?.labels) delete t.metadata.labels[CONTROLLER_REVISION_HASH_LABEL];
  t.$patch = 'replace';
  return { spec: { template: t } };
}

// rand.SafeEncodeString's alphabet: no vowels (no words) and no 0/1/3 (no look-alikes).
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
const safeEncode = (s: string) =>
  Array.from(s, (c) => ALPHANUMS[c.charCodeAt(0) % ALPHANUMS.length]).join('');

function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** FNV-32a of the canonical data, then of collisionCount (little-endian) when set; name-safe. */
export function hashRevision(data: unknown, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(JSON.stringify(canonical(data) ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const le = new Uint8Array(4);
    new DataView(le.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(le, h);
  }
  return safeEncode(String(h));
}

/** k8s: ControllerRevisionName: the owner's name (cut to 223 characters), a dash, the hash. */
export const revisionName = (owner: string, hash: string) => `${owner.slice(0, 223)}-${hash}`;

export const equalRevisions = (a: ControllerRevision, b: ControllerRevision) =>
  JSON.stringify(canonical(a.data)) === JSON.stringify(canonical(b.data));

/** Oldest first: by revision number, then creation time, then name. */
export function sortRevisions(revs: ControllerRevision[]): ControllerRevision[] {
  return [...revs].sort(
    (a, b) =>
      a.revision - b.revision ||
      Date.parse(a.metadata.creationTimestamp ?? '') -
        Date.parse(b.metadata.creationTimestamp ?? '') ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
}

export const maxRevision = (revs: ControllerRevision[]) =>
  revs.reduce((m, r) => Math.max(m, r.revision), 0);

export interface Owner {
  obj: KObject & { spec: { template?: PodTemplate; revisionHistoryLimit?: number } };
  apiVersion: string;
  kind: string;
  /** Copied onto each new revision, as upstream does (kubectl rollout history reads change-cause there). */
  annotations?: Record<string, string>;
}

/** The revision the owner's current template would be, before it is stored. */
export function newRevision(
  owner: Owner,
  revision: number,
  collisionCount?: number,
): ControllerRevision {
  const data = revisionData(owner.obj.spec.template);
  const hash = hashRevision(data, collisionCount);
  const labels = { ...(owner.obj.spec.template?.metadata?.labels ?? {}) };
  labels[CONTROLLER_REVISION_HASH_LABEL] = hash;
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(owner.obj.metadata.name!, hash),
      namespace: owner.obj.metadata.namespace,
      labels,
      ...(owner.annotations ? { annotations: { ...owner.annotations } } : {}),
      ownerReferences: [controllerRef(owner.obj, owner.apiVersion, owner.kind)],
    },
    data,
    revision,
  };
}

export interface History {
  /** The revision the current template is. */
  update: ControllerRevision;
  /** Every revision the owner has, after this call (oldest first). */
  revisions: ControllerRevision[];
  /** Set when a hash collision moved the owner to a new collisionCount (write it to status). */
  collisionCount?: number;
  writes: number;
}

/**
 * Finds or makes the revision of the owner's current template. An equal older revision is
 * renumbered to be the newest (a rollback to it is a new step of history); a hash collision with a
 * different template bumps collisionCount and tries again.
 * k8s: daemon/update.go constructHistory, statefulset/stateful_set_control.go getStatefulSetRevisions
 */
export async function ensureRevision(
  client: KubeClient,
  owner: Owner,
  existing: ControllerRevision[],
  collisionCount: number | undefined,
  manager: string,
): Promise<History> {
  let revisions = sortRevisions(existing);
  const next = maxRevision(revisions) + 1;
  let count = collisionCount;
  let writes = 0;
  for (let attempt = 0; attempt < 5; attempt++) {
    const want = newRevision(owner, next, count);
    const equal = revisions.filter((r) => equalRevisions(r, want));
    if (equal.length) {
      const found = equal[equal.length - 1];
      if (found.revision === maxRevision(revisions))
        return { update: found, revisions, collisionCount: count, writes };
      writes++;
      const updated = await client.update<ControllerRevision>(
        CONTROLLER_REVISIONS,
        { ...found, revision: next },
        { namespace: found.metadata.namespace, fieldManager: manager },
      );
      revisions = sortRevisions(
        revisions.map((r) => (r.metadata.uid === updated.metadata.uid ? updated : r)),
      );
      return { update: updated, revisions, collisionCount: count, writes };
    }
    writes++;
    try {
      const created = await client.create<ControllerRevision>(CONTROLLER_REVISIONS, want, {
        namespace: want.metadata.namespace,
        fieldManager: manager,
      });
      return { update: created, revisions: [...revisions, created], collisionCount: count, writes };
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const there = await client.get<ControllerRevision>(
        CONTROLLER_REVISIONS,
        want.metadata.name!,
        {
          namespace: want.metadata.namespace,
        },
      );
      const ours = there.metadata.ownerReferences?.some((r) => r.uid === owner.obj.metadata.uid);
      if (ours && equalRevisions(there, want)) {
        revisions = sortRevisions([
          ...revisions.filter((r) => r.metadata.uid !== there.metadata.uid),
          there,
        ]);
        continue;
      }
      count = (count ?? 0) + 1;
    }
  }
  throw new Error(
    `could not store a ControllerRevision for ${owner.obj.metadata.name}: hash collisions`,
  );
}

/**
 * Deletes the oldest revisions beyond revisionHistoryLimit (default 10) that no live pod uses.
 * k8s: daemon/update.go cleanupHistory, statefulset truncateHistory
 */
export async function truncateHistory(
  client: KubeClient,
  revisions: ControllerRevision[],
  live: Set<string>,
  limit: number,
): Promise<number> {
  const old = sortRevisions(revisions).filter((r) => !live.has(r.metadata.name!));
  const excess = old.length - limit;
  let writes = 0;
  for (const r of old.slice(0, Math.max(0, excess))) {
    writes++;
    await client
      .delete(CONTROLLER_REVISIONS, r.metadata.name!, {
        namespace: r.metadata.namespace,
        preconditions: { uid: r.metadata.uid },
      })
      .catch((e) => {
        if (!isNotFound(e)) throw e;
      });
  }
  return writes;
}
