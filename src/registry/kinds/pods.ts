// core/v1 Pod: status rules, graceful deletion, and the loops a pod write wakes.
import type { KObject } from '../../api/types';
import { builtin, defineStrategy, type ResourceDefinition } from '../definition';
import { defaultPod } from '../defaults/pod';
import type { DeleteRequest } from '../strategy';
import { podPrinter } from '../tables/pods';
import { validatePod, validatePodUpdate } from '../validate/pod';

// k8s: pkg/registry/core/pod/strategy.go CheckGracefulDelete
function gracePeriod(pod: KObject, req: DeleteRequest): number {
  const spec = (pod.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  // An unbound or finished pod needs no kubelet to stop it: it goes at once.
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  return req.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
}

export const pods: ResourceDefinition = {
  info: builtin('', 'v1', 'pods'),
  strategy: defineStrategy(validatePod, validatePodUpdate, {
    defaults: defaultPod,
    hasStatus: true,
    // k8s: podStatusStrategy.PrepareForUpdate keeps ownerReferences (old kubelets broke them).
    prepareForUpdate(next, live, sub) {
      if (sub === 'status') next.metadata.ownerReferences = live.metadata.ownerReferences;
    },
    gracePeriod,
  }),
  printer: podPrinter,
  // The scheduler cares about pods entering or leaving, not their status or its own bindings;
  // the controllers care about status (readiness drives ReplicaSet status and Endpoints).
  wakes: { scheduler: { except: ['status', 'binding'] }, controllers: { except: ['binding'] } },
};
