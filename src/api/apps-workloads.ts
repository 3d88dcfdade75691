// Typed models of apps/v1 DaemonSet, StatefulSet and ControllerRevision, as they arrive on the wire.
// k8s: staging/src/k8s.io/api/apps/v1/types.go (the fields the controllers read; the rest passes through)
import type { Condition, IntOrString, PodTemplate } from './core';
import type { KObject, LabelSelector, ObjectMeta } from './types';

export interface ControllerRevision extends KObject {
  /** The patch that rebuilds the owner's template: `{spec: {template: {..., $patch: replace}}}`. */
  data?: { spec?: { template?: PodTemplate & { $patch?: string } } };
  revision: number;
}

export interface DaemonSetUpdateStrategy {
  type?: 'RollingUpdate' | 'OnDelete';
  rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString };
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: Condition[];
}

export interface DaemonSet extends KObject {
  spec: {
    selector?: LabelSelector;
    template?: PodTemplate;
    updateStrategy?: DaemonSetUpdateStrategy;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
  };
  status?: DaemonSetStatus;
}

export interface PersistentVolumeClaimTemplate {
  metadata?: ObjectMeta;
  spec?: Record<string, unknown>;
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  conditions?: Condition[];
  availableReplicas?: number;
}

export type RetentionPolicy = 'Retain' | 'Delete';

export interface StatefulSet extends KObject {
  spec: {
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplate;
    volumeClaimTemplates?: PersistentVolumeClaimTemplate[];
    serviceName?: string;
    podManagementPolicy?: 'OrderedReady' | 'Parallel';
    updateStrategy?: {
      type?: 'RollingUpdate' | 'OnDelete';
      rollingUpdate?: { partition?: number; maxUnavailable?: IntOrString };
    };
    revisionHistoryLimit?: number;
    minReadySeconds?: number;
    persistentVolumeClaimRetentionPolicy?: {
      whenDeleted?: RetentionPolicy;
      whenScaled?: RetentionPolicy;
    };
    ordinals?: { start?: number };
  };
  status?: StatefulSetStatus;
}

/** Label every DaemonSet and StatefulSet pod carries: the name of the ControllerRevision it was made from. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** k8s: apps/v1 StatefulSetPodNameLabel, PodIndexLabel. */
export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** k8s: apps/v1 DefaultDaemonSetUniqueLabelKey (alias of the revision hash label). */
export const DAEMONSET_TEMPLATE_GENERATION_KEY = 'pod-template-generation';

/** An int-or-percent resolved against a total: percentages round up or down as the caller says. */
export function scaledValue(v: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const m = /^([0-9]+)%$/.exec(v);
  if (!m) return Number.parseInt(v, 10) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}
