// Pod rows: READY, STATUS and RESTARTS as kubectl users know them; k8s: pkg/printers/internalversion/printers.go printPod (release-1.32).
import type { KObject } from '../../api/types';
import { humanDuration, parseTime, translateTimestampSince } from './age';
import {
  AGE_COLUMN,
  NAME_COLUMN,
  column,
  int,
  rec,
  recs,
  str,
  type Printer,
  type Rec,
  type TableRowCondition,
} from './types';

const columns = [
  NAME_COLUMN,
  column('Ready', 'Ready containers out of all long-running containers.'),
  column('Status', "Summary of the pod phase and its containers' states."),
  column('Restarts', 'Container restarts, and how long ago the last one was.'),
  AGE_COLUMN,
  column('IP', 'First IP address of the pod.', { priority: 1 }),
  column('Node', 'Node the pod is bound to.', { priority: 1 }),
  column('Nominated Node', 'Node picked for the pod by preemption.', { priority: 1 }),
  column('Readiness Gates', 'Readiness gates that are true, out of all gates.', { priority: 1 }),
];

// The reason the node lifecycle controller gives pods it evicts from a node that stopped reporting.
const NODE_LOST = 'NodeLost';

function conditionTrue(conditions: Rec[], type: string): boolean {
  return conditions.some((c) => c.type === type && c.status === 'True');
}

/** Restarts of the containers Kubernetes counts, and when the latest of them ended. */
class RestartTally {
  count = 0;
  last: number | undefined;
  add(status: Rec): void {
    this.count += int(status.restartCount);
    const finished = parseTime(rec(rec(status.lastState).terminated).finishedAt);
    if (finished !== undefined && (this.last === undefined || finished > this.last))
      this.last = finished;
  }
}

function terminatedReason(t: Rec, prefix: string): string {
  if (str(t.reason) !== '') return prefix + str(t.reason);
  if (int(t.signal) !== 0) return `${prefix}Signal:${int(t.signal)}`;
  return `${prefix}ExitCode:${int(t.exitCode)}`;
}

function summarize(pod: KObject, now: number): { ready: string; status: string; restarts: string } {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const conditions = recs(status.conditions);
  // The API server sets Pending on create; an object without a phase has not been through it.
  const phase = str(status.phase) || 'Pending';
  let reason = str(status.reason) || phase;
  if (conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated'))
    reason = 'SchedulingGated';

  const initSpecs = recs(spec.initContainers);
  // Sidecars (init containers with restartPolicy Always) run for the pod's life, so READY counts them.
  const sidecars = new Set(
    initSpecs.filter((c) => c.restartPolicy === 'Always').map((c) => str(c.name)),
  );
  const total = recs(spec.containers).length + sidecars.size;
  let ready = 0;

  const all = new RestartTally();
  const sidecarTally = new RestartTally();
  let initializing = false;
  const initStatuses = recs(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    const isSidecar = sidecars.has(str(c.name));
    all.add(c);
    if (isSidecar) sidecarTally.add(c);
    const state = rec(c.state);
    const terminated =
      state.terminated === undefined || state.terminated === null
        ? undefined
        : rec(state.terminated);
    const waitingReason = str(rec(state.waiting).reason);
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (isSidecar && c.started === true) {
      if (c.ready === true) ready++;
      continue;
    }
    if (terminated) reason = terminatedReason(terminated, 'Init:');
    else if (waitingReason !== '' && waitingReason !== 'PodInitializing')
      reason = `Init:${waitingReason}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    initializing = true;
    break;
  }

  let restarts = all;
  if (!initializing || conditionTrue(conditions, 'Initialized')) {
    // Once initialized, finished init containers no longer matter; only sidecars keep counting.
    restarts = sidecarTally;
    let hasRunning = false;
    const statuses = recs(status.containerStatuses);
    // Walk backwards so the first container's state wins, as upstream does.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts.add(c);
      const state = rec(c.state);
      const waitingReason = str(rec(state.waiting).reason);
      if (waitingReason !== '') reason = waitingReason;
      else if (state.terminated !== undefined && state.terminated !== null)
        reason = terminatedReason(rec(state.terminated), '');
      else if (c.ready === true && state.running !== undefined && state.running !== null) {
        hasRunning = true;
        ready++;
      }
    }
    // A container that completed while others still run does not make the pod "Completed".
    if (reason === 'Completed' && hasRunning)
      reason = conditionTrue(conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && str(status.reason) === NODE_LOST) reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed')
    reason = 'Terminating';

  let restartText = String(restarts.count);
  if (restarts.count !== 0 && restarts.last !== undefined) {
    restartText = `${restarts.count} (${humanDuration(now - restarts.last)} ago)`;
  }
  return { ready: `${ready}/${total}`, status: reason, restarts: restartText };
}

function readinessGates(pod: KObject): string {
  const gates = recs(rec(pod.spec).readinessGates);
  if (gates.length === 0) return '<none>';
  const conditions = recs(rec(pod.status).conditions);
  // Only the first condition of each type counts, matching upstream's lookup.
  const passed = gates.filter(
    (g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True',
  ).length;
  return `${passed}/${gates.length}`;
}

function podIP(status: Rec): string {
  // v1 clients may set only podIP; the internal conversion upstream fills podIPs from it.
  return str(recs(status.podIPs)[0]?.ip) || str(status.podIP) || '<none>';
}

export const podPrinter: Printer = {
  columns,
  cells(pod, now) {
    const { ready, status, restarts } = summarize(pod, now);
    const st = rec(pod.status);
    return [
      pod.metadata.name ?? '',
      ready,
      status,
      restarts,
      translateTimestampSince(pod.metadata.creationTimestamp, now),
      podIP(st),
      str(rec(pod.spec).nodeName) || '<none>',
      str(st.nominatedNodeName) || '<none>',
      readinessGates(pod),
    ];
  },
  conditions(pod): TableRowCondition[] | undefined {
    // Lets clients tell finished pods apart without parsing the STATUS cell.
    const phase = rec(pod.status).phase;
    if (phase === 'Succeeded')
      return [
        {
          type: 'Completed',
          status: 'True',
          reason: 'Succeeded',
          message: 'The pod has completed successfully.',
        },
      ];
    if (phase === 'Failed')
      return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    return undefined;
  },
};
