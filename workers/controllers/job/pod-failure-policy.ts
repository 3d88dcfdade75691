// Pod failure policy: what a failed pod means for its Job (fail the Job, fail its index, ignore it, count it).
// k8s: pkg/controller/job/pod_failure_policy.go matchPodFailurePolicy
import type { PodFailurePolicyAction, PodFailurePolicyRule } from '../../../src/api/batch';
import type { Pod } from '../../../src/api/core';

interface TerminatedStatus {
  name?: string;
  state?: { terminated?: { exitCode?: number } };
}

export interface PolicyMatch {
  /** The Job's failure message, when a FailJob rule matched. */
  failJobMessage?: string;
  /** Whether the failure counts against backoffLimit (an Ignore rule says no). */
  countFailed: boolean;
  /** The matched rule's action; undefined when no rule matched. */
  action?: PodFailurePolicyAction;
}

// A container that exited 0 never matches: a pod fails through its failing containers.
function matchExitCodes(
  pod: Pod,
  req: NonNullable<PodFailurePolicyRule['onExitCodes']>,
): { name: string; exitCode: number } | undefined {
  const lists = [pod.status?.containerStatuses, pod.status?.initContainerStatuses] as (
    TerminatedStatus[] | undefined
  )[];
  for (const list of lists) {
    for (const cs of list ?? []) {
      const code = cs.state?.terminated?.exitCode;
      if (code === undefined || code === 0) continue;
      if (req.containerName && req.containerName !== cs.name) continue;
      const listed = req.values.includes(code);
      if (req.operator === 'In' ? listed : req.operator === 'NotIn' && !listed)
        return { name: cs.name ?? '', exitCode: code };
    }
  }
  return undefined;
}

function matchConditions(
  pod: Pod,
  patterns: NonNullable<PodFailurePolicyRule['onPodConditions']>,
): string | undefined {
  for (const c of pod.status?.conditions ?? [])
    for (const p of patterns)
      if (c.type === p.type && c.status === (p.status ?? 'True')) return c.type;
  return undefined;
}

/** Rules are tried in order; the first that matches decides. No policy, or no match: the failure counts. */
export function matchPodFailurePolicy(
  rules: PodFailurePolicyRule[] | undefined,
  pod: Pod,
): PolicyMatch {
  const ref = `${pod.metadata.namespace}/${pod.metadata.name}`;
  for (const [i, rule] of (rules ?? []).entries()) {
    let what: string | undefined;
    if (rule.onExitCodes) {
      const m = matchExitCodes(pod, rule.onExitCodes);
      if (m)
        what = `Container ${m.name} for pod ${ref} failed with exit code ${m.exitCode} matching ${rule.action} rule at index ${i}`;
    } else if (rule.onPodConditions) {
      const type = matchConditions(pod, rule.onPodConditions);
      if (type)
        what = `Pod ${ref} has condition ${type} matching ${rule.action} rule at index ${i}`;
    }
    if (what === undefined) continue;
    switch (rule.action) {
      case 'Ignore':
        return { countFailed: false, action: 'Ignore' };
      case 'Count':
        return { countFailed: true, action: 'Count' };
      case 'FailIndex':
        return { countFailed: true, action: 'FailIndex' };
      case 'FailJob':
        return { failJobMessage: what, countFailed: true, action: 'FailJob' };
    }
  }
  return { countFailed: true };
}
