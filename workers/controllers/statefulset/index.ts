// StatefulSet controller: stable pod identities and claims, ordered or parallel pod management, updates.
// k8s: pkg/controller/statefulset/stateful_set.go (sync), stateful_set_control.go
import type { StatefulSet } from '../../../src/api/apps-workloads';
import { controllerOf } from '../../../src/api/owner';
import type { KObject } from '../../../src/api/types';
import { objectKey } from '../../../src/client/informer';
import { selectorFromLabelSelector } from '../../../src/lib/labels';
import { controllerUidOf, namespaceOf, type ClusterCache } from '../../shared/cache';
import { keyOf } from '../../shared/controller';
import { ControllerExpectations } from '../../shared/expectations';
import { CONTROLLER_REVISIONS } from '../../shared/history';
import type { KeyedControllerDef } from '../framework';
import { PVCS, STS, StatefulSetSync } from './sync';

/** An orphan pod enqueues the StatefulSets whose selector matches it (they may adopt it). */
function setsForOrphan(pod: KObject, cache: ClusterCache): string[] {
  if (controllerOf(pod) || pod.metadata.deletionTimestamp) return [];
  return cache
    .kind<StatefulSet>(STS)
    .byIndex('namespace', pod.metadata.namespace ?? '')
    .filter((s) => selectorFromLabelSelector(s.spec.selector).matches(pod.metadata.labels))
    .map((s) => objectKey(s));
}

export function statefulSetController(
  expectations = new ControllerExpectations(),
): KeyedControllerDef {
  return {
    name: 'statefulset',
    reconciles: STS,
    reads: [STS, 'pods', PVCS, CONTROLLER_REVISIONS],
    owns: ['pods', CONTROLLER_REVISIONS, PVCS],
    watches: [{ resource: 'pods', map: setsForOrphan }],
    indexes: [
      { resource: 'pods', name: 'namespace', fn: namespaceOf },
      { resource: STS, name: 'namespace', fn: namespaceOf },
      { resource: CONTROLLER_REVISIONS, name: 'owner', fn: controllerUidOf },
    ],
    observe(resource, e) {
      if (resource !== 'pods') return;
      const ref = controllerOf(e.object);
      if (!ref || ref.kind !== 'StatefulSet') return;
      const key = keyOf(e.object.metadata.namespace, ref.name);
      const podKey = objectKey(e.object);
      if (e.type === 'ADDED') {
        if (e.object.metadata.deletionTimestamp) expectations.deletionObserved(key, podKey);
        else expectations.creationObserved(key);
      } else if (
        e.type === 'DELETED' ||
        (e.object.metadata.deletionTimestamp && !e.oldObject?.metadata.deletionTimestamp)
      ) {
        expectations.deletionObserved(key, podKey);
      }
    },
    async reconcile(ctx, key) {
      const sts = ctx.cache.kind<StatefulSet>(STS).get(key);
      if (!sts) {
        expectations.delete(key);
        return;
      }
      // k8s: a StatefulSet being deleted is left to the garbage collector.
      if (sts.metadata.deletionTimestamp) return;
      const s = new StatefulSetSync(ctx, expectations, key, sts);
      const r = await s.run();
      if (s.failure && expectations.satisfied(key)) throw new Error(s.failure);
      if (r.more) return { requeueAfterMs: 0 };
      return r.requeueAfterMs !== undefined ? { requeueAfterMs: r.requeueAfterMs } : undefined;
    },
  };
}
