// Pod admission: default tolerations, the default service account, fresh status, and refusal of
// pod features this cluster cannot honour (rather than ignoring them silently).
import type { KObject } from '../../api/types';
import type { ApiContext } from '../context';
import { errors } from '../errors';
import type { FieldError } from '../../registry/field-errors';

interface Toleration {
  key?: string;
  operator?: string;
  effect?: string;
  tolerationSeconds?: number;
}

// k8s: plugin/pkg/admission/defaulttolerationseconds
const TAINTS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

/** Volume sources the node agent can provide. */
const SUPPORTED_VOLUMES = [
  'emptyDir',
  'configMap',
  'secret',
  'hostPath',
  'downwardAPI',
  'projected',
  'persistentVolumeClaim',
];

export function admitPod(ctx: ApiContext, pod: KObject): void {
  const spec = (pod.spec ?? (pod.spec = {})) as Record<string, unknown>;
  refuseUnsupported(ctx, pod, spec);
  const seconds = Number(ctx.env.DEFAULT_TOLERATION_SECONDS ?? 300);
  const tolerations = ((spec.tolerations as Toleration[] | undefined) ?? []).slice();
  for (const key of TAINTS) {
    const has = tolerations.some(
      (t) =>
        (t.key === key || (t.operator === 'Exists' && !t.key)) &&
        (!t.effect || t.effect === 'NoExecute'),
    );
    if (!has)
      tolerations.push({
        key,
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: seconds,
      });
  }
  spec.tolerations = tolerations;
  if (!spec.serviceAccountName) spec.serviceAccountName = 'default';
  if (!spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  pod.status = { phase: 'Pending', qosClass: qosClass(spec) };
}

function refuseUnsupported(ctx: ApiContext, pod: KObject, spec: Record<string, unknown>): void {
  const errs: FieldError[] = [];
  const forbid = (field: string, what: string) =>
    errs.push({
      type: 'FieldValueForbidden',
      field,
      message: `Forbidden: ${what} is not supported by edgeplane nodes`,
    });
  if (Array.isArray(spec.ephemeralContainers) && spec.ephemeralContainers.length)
    forbid('spec.ephemeralContainers', 'ephemeral containers');
  if (spec.runtimeClassName) forbid('spec.runtimeClassName', 'runtime classes');
  if (spec.hostIPC) forbid('spec.hostIPC', 'sharing the host IPC namespace');
  if (spec.hostPID) forbid('spec.hostPID', 'sharing the host PID namespace');
  if (spec.shareProcessNamespace)
    forbid('spec.shareProcessNamespace', 'a shared process namespace');
  if (Array.isArray(spec.resourceClaims) && spec.resourceClaims.length)
    forbid('spec.resourceClaims', 'dynamic resource claims');
  for (const [i, v] of ((spec.volumes as Record<string, unknown>[] | undefined) ?? []).entries()) {
    const source = Object.keys(v).find((k) => k !== 'name');
    if (source && !SUPPORTED_VOLUMES.includes(source))
      forbid(
        `spec.volumes[${i}].${source}`,
        `the ${source} volume type (supported: ${SUPPORTED_VOLUMES.join(', ')})`,
      );
  }
  if (errs.length)
    throw errors.invalid(
      { resource: 'pods', group: '', name: pod.metadata.name ?? pod.metadata.generateName },
      'Pod',
      errs,
    );
  void ctx;
}

// k8s: pkg/apis/core/helper/qos: Guaranteed when every container's requests equal limits for cpu
// and memory; BestEffort when none sets any; Burstable otherwise.
function qosClass(spec: Record<string, unknown>): string {
  const containers = [
    ...((spec.initContainers as Record<string, unknown>[] | undefined) ?? []),
    ...((spec.containers as Record<string, unknown>[] | undefined) ?? []),
  ];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const res = (c.resources ?? {}) as {
      requests?: Record<string, string>;
      limits?: Record<string, string>;
    };
    const req = res.requests ?? {};
    const lim = res.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] || lim[r]) any = true;
      if (!lim[r] || (req[r] && req[r] !== lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
