// Every controller the controllers Worker runs, in the order one pass runs them: owners before the
// objects they own, so one pass carries a Deployment through to its pods.
import type { Controller } from './framework';
import { deploymentController } from './deployment';
import { replicaSetController } from './replicaset';
import { garbageCollectorController } from './garbage-collector';
import { namespaceController } from './namespace';
import { nodeLifecycleController } from './node-lifecycle';
import { podLifecycleController } from './pod-lifecycle';
import { podGCController } from './pod-gc';

export const CONTROLLERS: Controller[] = [
  deploymentController,
  replicaSetController,
  garbageCollectorController,
  namespaceController,
  nodeLifecycleController,
  podLifecycleController,
  podGCController,
];
