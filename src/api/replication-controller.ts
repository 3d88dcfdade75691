// core/v1 ReplicationController as the loops read it: a ReplicaSet whose selector is a plain label map.
import type { Condition, PodTemplate, ReplicaSetStatus } from './core';
import type { KObject } from './types';

export interface ReplicationController extends KObject {
  spec: {
    replicas?: number;
    minReadySeconds?: number;
    /** Equality only: every pair must match (defaults to the template's labels). */
    selector?: Record<string, string>;
    template?: PodTemplate;
  };
  status?: ReplicaSetStatus & { conditions?: Condition[] };
}
