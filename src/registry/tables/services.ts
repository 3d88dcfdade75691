// Service rows: type, addresses and the PORT(S) cell; k8s: pkg/printers/internalversion/printers.go printService (release-1.32).
import type { KObject } from '../../api/types';
import { translateTimestampSince } from './age';
import {
  AGE_COLUMN,
  NAME_COLUMN,
  arr,
  column,
  formatLabels,
  int,
  rec,
  recs,
  str,
  type Printer,
  type Rec,
} from './types';

const columns = [
  NAME_COLUMN,
  column('Type', 'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
  column('Cluster-IP', 'Virtual IP the service answers on inside the cluster.'),
  column('External-IP', 'Addresses the service answers on from outside the cluster.'),
  column('Port(s)', 'Service ports, with the node port when there is one.'),
  AGE_COLUMN,
  column('Selector', 'Labels of the pods that back the service.', { priority: 1 }),
];

function externalIP(spec: Rec, status: Rec, type: string): string {
  const externalIPs = arr(spec.externalIPs).map(str);
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      // Ingress points are a sorted set: IP when given, otherwise hostname. The server prints wide, so no clipping.
      const ingress = new Set<string>();
      for (const i of recs(rec(status.loadBalancer).ingress)) {
        const point = str(i.ip) || str(i.hostname);
        if (point) ingress.add(point);
      }
      const points = [...ingress].sort();
      if (externalIPs.length > 0) return [...points, ...externalIPs].join(',');
      return points.length > 0 ? points.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

function ports(spec: Rec): string {
  const pieces = recs(spec.ports).map((p) => {
    // TCP is the API default; an undefaulted object still prints the way it will be served.
    const protocol = str(p.protocol) || 'TCP';
    const nodePort = int(p.nodePort);
    return nodePort > 0 ? `${int(p.port)}:${nodePort}/${protocol}` : `${int(p.port)}/${protocol}`;
  });
  return pieces.length > 0 ? pieces.join(',') : '<none>';
}

export const servicePrinter: Printer = {
  columns,
  cells(svc: KObject, now) {
    const spec = rec(svc.spec);
    // ClusterIP is the API default type; v1 objects may carry only the singular clusterIP.
    const type = str(spec.type) || 'ClusterIP';
    const clusterIP = str(arr(spec.clusterIPs)[0]) || str(spec.clusterIP) || '<none>';
    return [
      svc.metadata.name ?? '',
      type,
      clusterIP,
      externalIP(spec, rec(svc.status), type),
      ports(spec),
      translateTimestampSince(svc.metadata.creationTimestamp, now),
      formatLabels(spec.selector),
    ];
  },
};
