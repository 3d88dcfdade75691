// Node rows: readiness, cordon state and roles; k8s: pkg/printers/internalversion/printers.go printNode (release-1.32).
import type { KObject } from '../../api/types';
import { translateTimestampSince } from './age';
import { AGE_COLUMN, NAME_COLUMN, column, rec, recs, str, type Printer } from './types';

const columns = [
  NAME_COLUMN,
  column('Status', 'Ready condition of the node, and whether scheduling is disabled.'),
  column('Roles', 'Roles named by node-role.kubernetes.io/<role> labels.'),
  AGE_COLUMN,
  column('Version', 'Kubelet (agent) version the node reports.'),
  column('Internal-IP', 'First InternalIP address of the node.', { priority: 1 }),
  column('External-IP', 'First ExternalIP address of the node.', { priority: 1 }),
  column('OS-Image', 'Operating system image the node reports.', { priority: 1 }),
  column('Kernel-Version', 'Kernel version the node reports.', { priority: 1 }),
  column('Container-Runtime', 'Container runtime and version the node reports.', { priority: 1 }),
];

const ROLE_PREFIX = 'node-role.kubernetes.io/';
// The older single-valued role label, still honoured upstream.
const LEGACY_ROLE_LABEL = 'kubernetes.io/role';

function nodeStatus(node: KObject): string {
  // The last Ready condition wins when a client wrote duplicates, as upstream's map does.
  const ready = recs(rec(node.status).conditions)
    .filter((c) => c.type === 'Ready')
    .pop();
  const parts = [ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady'];
  if (rec(node.spec).unschedulable === true) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(node: KObject): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith(ROLE_PREFIX) && key.length > ROLE_PREFIX.length)
      roles.add(key.slice(ROLE_PREFIX.length));
    else if (key === LEGACY_ROLE_LABEL && value) roles.add(value);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function address(node: KObject, type: string): string {
  return str(recs(rec(node.status).addresses).find((a) => a.type === type)?.address) || '<none>';
}

export const nodePrinter: Printer = {
  columns,
  cells(node, now) {
    const info = rec(rec(node.status).nodeInfo);
    return [
      node.metadata.name ?? '',
      nodeStatus(node),
      nodeRoles(node),
      translateTimestampSince(node.metadata.creationTimestamp, now),
      str(info.kubeletVersion),
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      str(info.osImage) || '<unknown>',
      str(info.kernelVersion) || '<unknown>',
      str(info.containerRuntimeVersion) || '<unknown>',
    ];
  },
};
