// The fields of API objects the dashboard draws (a loose view of the wire objects).
import type { KObject } from '../../api/types';

export interface ContainerSpec {
  name: string;
  image?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  image?: string;
  state?: Record<string, { reason?: string; startedAt?: string; exitCode?: number }>;
  lastState?: Record<string, { reason?: string; exitCode?: number; finishedAt?: string }>;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface PodObject extends KObject {
  spec?: {
    nodeName?: string;
    containers?: ContainerSpec[];
    initContainers?: ContainerSpec[];
    overhead?: Record<string, string>;
  };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    reason?: string;
  };
}

export interface NodeObject extends KObject {
  spec?: { taints?: { key: string; value?: string; effect: string }[]; unschedulable?: boolean };
  status?: { allocatable?: Record<string, string>; conditions?: Condition[] };
}

export interface LeaseObject extends KObject {
  spec?: { renewTime?: string; holderIdentity?: string };
}
