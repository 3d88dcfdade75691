// NodePorts: a pod asking for host ports fits only nodes where no bound pod holds the same protocol and port on an overlapping IP.
// k8s: pkg/scheduler/framework/plugins/nodeports/node_ports.go, pkg/scheduler/framework/types.go (HostPortInfo)
import { skip, unschedulable, type CycleState, type FilterPlugin } from '../framework';
import type { Pod } from '../types';

interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

const ANY_IP = '0.0.0.0';
const STATE_KEY = 'PreFilterNodePorts';

export function hostPorts(pod: Pod): HostPort[] {
  const ports: HostPort[] = [];
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      ports.push({ ip: p.hostIP || ANY_IP, protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return ports;
}

// 0.0.0.0 on either side overlaps every address.
function conflicts(a: HostPort, b: HostPort): boolean {
  return (
    a.port === b.port &&
    a.protocol === b.protocol &&
    (a.ip === b.ip || a.ip === ANY_IP || b.ip === ANY_IP)
  );
}

export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  preFilter(state: CycleState, pod) {
    const wanted = hostPorts(pod);
    if (wanted.length === 0) return skip();
    state.write(STATE_KEY, wanted);
    return null;
  },
  filter(state, _pod, node) {
    const wanted = state.read<HostPort[]>(STATE_KEY) ?? [];
    const used = node.pods.flatMap(hostPorts);
    const clash = wanted.some((w) => used.some((u) => conflicts(w, u)));
    return clash
      ? unschedulable("node(s) didn't have free ports for the requested pod ports")
      : null;
  },
};
