// Table cells per resource, pinned to what `kubectl get` shows against a real 1.32 apiserver.
import { describe, expect, it } from 'vitest';
import type { KObject } from '../../src/api/types';
import { translateTimestampSince } from '../../src/registry/tables/age';
import { buildTable, printerFor } from '../../src/registry/tables/index';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const ago = (seconds: number) =>
  new Date(NOW - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const cells = (group: string, resource: string, obj: KObject) =>
  printerFor(group, resource).cells(obj, NOW);
const names = (group: string, resource: string) =>
  printerFor(group, resource).columns.map((c) => c.name);

function pod(
  name: string,
  extra: {
    spec?: Record<string, unknown>;
    status?: Record<string, unknown>;
    metadata?: Record<string, unknown>;
  },
): KObject {
  return {
    metadata: { name, namespace: 'default', creationTimestamp: ago(600), ...extra.metadata },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...extra.spec },
    status: extra.status ?? {},
  };
}

const running = { running: { startedAt: ago(590) } };

describe('age cells (apimachinery HumanDuration)', () => {
  it.each([
    [0, '0s'],
    [-1, '0s'],
    [-3, '<invalid>'],
    [45, '45s'],
    [119, '119s'],
    [130, '2m10s'],
    [300, '5m'],
    [45 * 60 + 30, '45m'],
    [3 * 3600 + 5 * 60, '3h5m'],
    [10 * 3600 + 59 * 60, '10h'],
    [(2 * 24 + 4) * 3600, '2d4h'],
    [30 * 86400, '30d'],
    [(3 * 365 + 10) * 86400, '3y10d'],
    [9 * 365 * 86400, '9y'],
  ])('%i seconds ago prints %s', (seconds, text) => {
    expect(translateTimestampSince(ago(seconds), NOW)).toBe(text);
  });

  it('prints <unknown> for a missing or zero timestamp', () => {
    expect(translateTimestampSince(undefined, NOW)).toBe('<unknown>');
    expect(translateTimestampSince(null, NOW)).toBe('<unknown>');
    expect(translateTimestampSince('0001-01-01T00:00:00Z', NOW)).toBe('<unknown>');
  });
});

describe('pods', () => {
  it('has the 1.32 columns, wide ones at priority 1', () => {
    const cols = printerFor('', 'pods').columns;
    expect(cols.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0],
      ['Ready', 0],
      ['Status', 0],
      ['Restarts', 0],
      ['Age', 0],
      ['IP', 1],
      ['Node', 1],
      ['Nominated Node', 1],
      ['Readiness Gates', 1],
    ]);
    expect(cols[0].format).toBe('name');
  });

  it('shows a running ready pod as 1/1 Running 0, with IP and node in the wide columns', () => {
    const p = pod('web-1', {
      spec: { nodeName: 'node-1' },
      status: {
        phase: 'Running',
        podIP: '10.244.0.5',
        podIPs: [{ ip: '10.244.0.5' }],
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
      },
    });
    expect(cells('', 'pods', p)).toEqual([
      'web-1',
      '1/1',
      'Running',
      '0',
      '10m',
      '10.244.0.5',
      'node-1',
      '<none>',
      '<none>',
    ]);
  });

  it('falls back to the singular podIP and shows readiness gates as passed/total', () => {
    const p = pod('gated', {
      spec: {
        nodeName: 'node-2',
        readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }],
      },
      status: {
        phase: 'Running',
        podIP: '127.0.1.7',
        nominatedNodeName: 'node-3',
        conditions: [
          { type: 'example.com/lb', status: 'True' },
          { type: 'example.com/dns', status: 'False' },
        ],
        containerStatuses: [{ name: 'app', ready: true, state: running }],
      },
    });
    expect(cells('', 'pods', p).slice(5)).toEqual(['127.0.1.7', 'node-2', 'node-3', '1/2']);
  });

  it('shows restarts with how long ago the last container ended', () => {
    const p = pod('flaky', {
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            ready: true,
            restartCount: 2,
            state: running,
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(300) } },
          },
        ],
      },
    });
    expect(cells('', 'pods', p).slice(1, 4)).toEqual(['1/1', 'Running', '2 (5m ago)']);
  });

  it('shows CrashLoopBackOff from the waiting reason', () => {
    const p = pod('crash', {
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(20) } },
          },
        ],
      },
    });
    expect(cells('', 'pods', p).slice(1, 4)).toEqual(['0/1', 'CrashLoopBackOff', '4 (20s ago)']);
  });

  it('shows Terminating while a deleted pod still runs, and Unknown for a lost node', () => {
    const status = {
      phase: 'Running',
      containerStatuses: [{ name: 'app', ready: true, state: running }],
    };
    const deleting = pod('going', { metadata: { deletionTimestamp: ago(5) }, status });
    expect(cells('', 'pods', deleting)[2]).toBe('Terminating');
    const lost = pod('lost', {
      metadata: { deletionTimestamp: ago(5) },
      status: { ...status, reason: 'NodeLost' },
    });
    expect(cells('', 'pods', lost)[2]).toBe('Unknown');
    const finished = pod('done', {
      metadata: { deletionTimestamp: ago(5) },
      status: { phase: 'Succeeded' },
    });
    expect(cells('', 'pods', finished)[2]).toBe('Succeeded');
  });

  it('shows Init:x/y while init containers run, and the init failure reason', () => {
    const spec = { initContainers: [{ name: 'migrate', image: 'busybox' }] };
    const initRunning = pod('init', {
      spec,
      status: {
        phase: 'Pending',
        initContainerStatuses: [{ name: 'migrate', ready: false, restartCount: 0, state: running }],
        containerStatuses: [
          { name: 'app', ready: false, state: { waiting: { reason: 'PodInitializing' } } },
        ],
      },
    });
    expect(cells('', 'pods', initRunning).slice(1, 4)).toEqual(['0/1', 'Init:0/1', '0']);

    const initFailed = pod('init-err', {
      spec,
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'migrate',
            restartCount: 3,
            state: { terminated: { exitCode: 2, reason: 'Error' } },
          },
        ],
      },
    });
    expect(cells('', 'pods', initFailed).slice(2, 4)).toEqual(['Init:Error', '3']);

    const initBackoff = pod('init-loop', {
      spec,
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'migrate', state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      },
    });
    expect(cells('', 'pods', initBackoff)[2]).toBe('Init:CrashLoopBackOff');
  });

  it('counts sidecar init containers in READY and shows SchedulingGated', () => {
    const p = pod('sidecar', {
      spec: { initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }] },
      status: {
        phase: 'Running',
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'Ready', status: 'True' },
        ],
        initContainerStatuses: [
          { name: 'proxy', ready: true, started: true, restartCount: 1, state: running },
        ],
        containerStatuses: [{ name: 'app', ready: true, state: running }],
      },
    });
    expect(cells('', 'pods', p).slice(1, 4)).toEqual(['2/2', 'Running', '1']);

    const gated = pod('gated', {
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
      },
    });
    expect(cells('', 'pods', gated).slice(1, 3)).toEqual(['0/1', 'SchedulingGated']);
  });

  it('shows Completed for a finished pod and marks its row completed', () => {
    const p = pod('job-x', {
      spec: { restartPolicy: 'Never' },
      status: {
        phase: 'Succeeded',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            state: { terminated: { exitCode: 0, reason: 'Completed' } },
          },
        ],
      },
    });
    expect(cells('', 'pods', p).slice(1, 4)).toEqual(['0/1', 'Completed', '0']);
    expect(printerFor('', 'pods').conditions?.(p)).toEqual([
      {
        type: 'Completed',
        status: 'True',
        reason: 'Succeeded',
        message: 'The pod has completed successfully.',
      },
    ]);
    const noReason = pod('oom', {
      status: {
        phase: 'Failed',
        containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137, signal: 9 } } }],
      },
    });
    expect(cells('', 'pods', noReason)[2]).toBe('Signal:9');
  });
});

describe('services', () => {
  it('shows a NodePort service with its node port and no external IP', () => {
    const svc: KObject = {
      metadata: { name: 'web', creationTimestamp: ago(45) },
      spec: {
        type: 'NodePort',
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
        ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }],
        selector: { app: 'web' },
      },
    };
    expect(names('', 'services')).toEqual([
      'Name',
      'Type',
      'Cluster-IP',
      'External-IP',
      'Port(s)',
      'Age',
      'Selector',
    ]);
    expect(cells('', 'services', svc)).toEqual([
      'web',
      'NodePort',
      '10.96.0.10',
      '<none>',
      '80:30080/TCP',
      '45s',
      'app=web',
    ]);
  });

  it('shows a ClusterIP service with a sorted selector and several ports', () => {
    const svc: KObject = {
      metadata: { name: 'demo', creationTimestamp: ago(130) },
      spec: {
        clusterIPs: ['10.96.0.144'],
        ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }],
        selector: { tier: 'web', app: 'demo' },
      },
    };
    expect(cells('', 'services', svc)).toEqual([
      'demo',
      'ClusterIP',
      '10.96.0.144',
      '<none>',
      '80/TCP,53/UDP',
      '2m10s',
      'app=demo,tier=web',
    ]);
  });

  it('shows <pending> for a load balancer without ingress, and the ingress points once assigned', () => {
    const spec = {
      type: 'LoadBalancer',
      clusterIPs: ['10.96.0.2'],
      ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }],
    };
    const pending: KObject = { metadata: { name: 'lb' }, spec };
    expect(cells('', 'services', pending).slice(3, 7)).toEqual([
      '<pending>',
      '443:31443/TCP',
      '<unknown>',
      '<none>',
    ]);
    const assigned: KObject = {
      metadata: { name: 'lb' },
      spec: { ...spec, externalIPs: ['127.0.0.9'] },
      status: { loadBalancer: { ingress: [{ hostname: 'lb.example' }, { ip: '127.0.0.8' }] } },
    };
    expect(cells('', 'services', assigned)[3]).toBe('127.0.0.8,lb.example,127.0.0.9');
    const external: KObject = {
      metadata: { name: 'ext' },
      spec: { type: 'ExternalName', externalName: 'db.example' },
    };
    expect(cells('', 'services', external).slice(1, 5)).toEqual([
      'ExternalName',
      '<none>',
      'db.example',
      '<none>',
    ]);
  });
});

describe('nodes', () => {
  it('shows Ready,SchedulingDisabled, the control-plane role and the wide node info', () => {
    const node: KObject = {
      metadata: {
        name: 'node-1',
        creationTimestamp: ago(36),
        labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'node-1' },
      },
      spec: { unschedulable: true },
      status: {
        conditions: [
          { type: 'MemoryPressure', status: 'False' },
          { type: 'Ready', status: 'True' },
        ],
        addresses: [
          { type: 'Hostname', address: 'node-1' },
          { type: 'InternalIP', address: '127.0.0.2' },
        ],
        nodeInfo: {
          kubeletVersion: 'v1.32.4',
          osImage: 'Debian GNU/Linux 12',
          kernelVersion: '6.1.0',
          containerRuntimeVersion: 'fake://1.0',
        },
      },
    };
    expect(names('', 'nodes')).toEqual([
      'Name',
      'Status',
      'Roles',
      'Age',
      'Version',
      'Internal-IP',
      'External-IP',
      'OS-Image',
      'Kernel-Version',
      'Container-Runtime',
    ]);
    expect(cells('', 'nodes', node)).toEqual([
      'node-1',
      'Ready,SchedulingDisabled',
      'control-plane',
      '36s',
      'v1.32.4',
      '127.0.0.2',
      '<none>',
      'Debian GNU/Linux 12',
      '6.1.0',
      'fake://1.0',
    ]);
  });

  it('shows NotReady, Unknown, sorted roles and <unknown> for missing node info', () => {
    const notReady: KObject = {
      metadata: {
        name: 'n2',
        labels: { 'node-role.kubernetes.io/worker': '', 'kubernetes.io/role': 'edge' },
      },
      status: { conditions: [{ type: 'Ready', status: 'Unknown' }] },
    };
    expect(cells('', 'nodes', notReady)).toEqual([
      'n2',
      'NotReady',
      'edge,worker',
      '<unknown>',
      '',
      '<none>',
      '<none>',
      '<unknown>',
      '<unknown>',
      '<unknown>',
    ]);
    const fresh: KObject = { metadata: { name: 'n3' } };
    expect(cells('', 'nodes', fresh).slice(1, 3)).toEqual(['Unknown', '<none>']);
  });
});

describe('workloads', () => {
  const template = {
    metadata: { labels: { app: 'web' } },
    spec: {
      containers: [
        { name: 'web', image: 'nginx:1.27' },
        { name: 'log', image: 'busybox' },
      ],
    },
  };

  it('shows a deployment as ready/desired with up-to-date and available counts', () => {
    const d: KObject = {
      metadata: { name: 'web', creationTimestamp: ago(3 * 3600 + 5 * 60) },
      spec: {
        replicas: 3,
        selector: {
          matchLabels: { app: 'web' },
          matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }],
        },
        template,
      },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    expect(names('apps', 'deployments')).toEqual([
      'Name',
      'Ready',
      'Up-to-date',
      'Available',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ]);
    expect(cells('apps', 'deployments', d)).toEqual([
      'web',
      '2/3',
      3,
      2,
      '3h5m',
      'web,log',
      'nginx:1.27,busybox',
      'app=web,tier in (a,b)',
    ]);
  });

  it('shows a new deployment with no status as 0/desired', () => {
    const d: KObject = {
      metadata: { name: 'new' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'new' } }, template },
    };
    expect(cells('apps', 'deployments', d).slice(1, 4)).toEqual(['0/2', 0, 0]);
  });

  it('shows a replica set with desired, current and ready counts', () => {
    const rs: KObject = {
      metadata: { name: 'web-6bdb96f5dc', creationTimestamp: ago(4) },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web', 'pod-template-hash': '6bdb96f5dc' } },
        template,
      },
      status: { replicas: 2, readyReplicas: 1 },
    };
    expect(names('apps', 'replicasets')).toEqual([
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ]);
    expect(cells('apps', 'replicasets', rs)).toEqual([
      'web-6bdb96f5dc',
      2,
      2,
      1,
      '4s',
      'web,log',
      'nginx:1.27,busybox',
      'app=web,pod-template-hash=6bdb96f5dc',
    ]);
    expect(
      cells('apps', 'replicasets', { metadata: { name: 'bare' }, spec: { replicas: 0 } })[7],
    ).toBe('<none>');
  });
});

describe('events', () => {
  it('shows a core/v1 event with Last Seen from lastTimestamp and the object as kind/name', () => {
    const ev: KObject = {
      metadata: { name: 'x.17a', namespace: 'default' },
      involvedObject: {
        kind: 'Pod',
        name: 'x',
        namespace: 'default',
        fieldPath: 'spec.containers{app}',
      },
      reason: 'Pulled',
      message: ' Container image "nginx" already present \n',
      type: 'Normal',
      firstTimestamp: ago(600),
      lastTimestamp: ago(90),
      count: 3,
      source: { component: 'kubelet', host: 'node-1' },
    };
    expect(names('', 'events')).toEqual([
      'Last Seen',
      'Type',
      'Reason',
      'Object',
      'Subobject',
      'Source',
      'Message',
      'First Seen',
      'Count',
      'Name',
    ]);
    expect(cells('', 'events', ev)).toEqual([
      '90s',
      'Normal',
      'Pulled',
      'pod/x',
      'spec.containers{app}',
      'kubelet, node-1',
      'Container image "nginx" already present',
      '10m',
      3,
      'x.17a',
    ]);
  });

  it('shows an events.k8s.io/v1 event by eventTime, counting a singleton once', () => {
    const ev: KObject = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'web.17b', namespace: 'default' },
      eventTime: new Date(NOW - 45_000).toISOString().replace('Z', '000Z'),
      regarding: { kind: 'Deployment', name: 'web' },
      reason: 'ScalingReplicaSet',
      note: 'Scaled up replica set web-1 to 2',
      type: 'Normal',
      reportingController: 'deployment-controller',
      reportingInstance: '',
    };
    expect(cells('events.k8s.io', 'events', ev)).toEqual([
      '45s',
      'Normal',
      'ScalingReplicaSet',
      'deployment/web',
      '',
      'deployment-controller',
      'Scaled up replica set web-1 to 2',
      '45s',
      1,
      'web.17b',
    ]);
  });

  it('takes Last Seen and Count from a series', () => {
    const ev: KObject = {
      metadata: { name: 's' },
      eventTime: ago(3600),
      series: { count: 7, lastObservedTime: ago(10) },
      involvedObject: { kind: 'Node' },
      reason: 'Rebooted',
      type: 'Warning',
      message: 'm',
    };
    expect(cells('', 'events', ev)).toEqual([
      '10s',
      'Warning',
      'Rebooted',
      'node',
      '',
      '',
      'm',
      '60m',
      7,
      's',
    ]);
  });
});

describe('config and identity', () => {
  it('counts secret and configmap keys', () => {
    const secret: KObject = {
      metadata: { name: 'creds', creationTimestamp: ago(5) },
      type: 'Opaque',
      data: { user: 'YQ==', pass: 'Yg==' },
    };
    expect(names('', 'secrets')).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(cells('', 'secrets', secret)).toEqual(['creds', 'Opaque', 2, '5s']);
    const tls: KObject = {
      metadata: { name: 'tls' },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': '', 'tls.key': '', 'ca.crt': '' },
    };
    expect(cells('', 'secrets', tls).slice(1, 3)).toEqual(['kubernetes.io/tls', 3]);
    const cm: KObject = {
      metadata: { name: 'settings', creationTimestamp: ago(7) },
      data: { a: '1', b: '2', c: '3' },
      binaryData: { d: 'AA==' },
    };
    expect(names('', 'configmaps')).toEqual(['Name', 'Data', 'Age']);
    expect(cells('', 'configmaps', cm)).toEqual(['settings', 4, '7s']);
    expect(cells('', 'configmaps', { metadata: { name: 'empty' } })[1]).toBe(0);
  });

  it('shows namespaces Active and Terminating', () => {
    expect(names('', 'namespaces')).toEqual(['Name', 'Status', 'Age']);
    expect(
      cells('', 'namespaces', {
        metadata: { name: 'old', creationTimestamp: ago(86400 * 3) },
        status: { phase: 'Terminating' },
      }),
    ).toEqual(['old', 'Terminating', '3d']);
    expect(
      cells('', 'namespaces', { metadata: { name: 'default' }, status: { phase: 'Active' } })[1],
    ).toBe('Active');
  });

  it('counts service account secrets and shows the lease holder', () => {
    expect(
      cells('', 'serviceaccounts', {
        metadata: { name: 'default', creationTimestamp: ago(1) },
        secrets: [{ name: 't' }],
      }),
    ).toEqual(['default', 1, '1s']);
    expect(cells('', 'serviceaccounts', { metadata: { name: 'bare' } })[1]).toBe(0);
    expect(names('coordination.k8s.io', 'leases')).toEqual(['Name', 'Holder', 'Age']);
    expect(
      cells('coordination.k8s.io', 'leases', {
        metadata: { name: 'node-1', creationTimestamp: ago(2) },
        spec: { holderIdentity: 'node-1' },
      }),
    ).toEqual(['node-1', 'node-1', '2s']);
  });
});

describe('endpoints and endpoint slices', () => {
  it('shows up to three ip:port pairs, then a count of the rest', () => {
    const ep: KObject = {
      metadata: { name: 'web', creationTimestamp: ago(3) },
      subsets: [
        {
          addresses: [{ ip: '127.0.1.1' }, { ip: '127.0.1.2' }],
          ports: [{ port: 8080 }, { port: 9090, name: 'metrics' }],
        },
      ],
    };
    expect(cells('', 'endpoints', ep)).toEqual([
      'web',
      '127.0.1.1:8080,127.0.1.2:8080,127.0.1.1:9090 + 1 more...',
      '3s',
    ]);
    expect(cells('', 'endpoints', { metadata: { name: 'none' } })[1]).toBe('<none>');
    expect(
      cells('', 'endpoints', {
        metadata: { name: 'headless' },
        subsets: [{ addresses: [{ ip: '::1' }] }],
      })[1],
    ).toBe('::1');
  });

  it("shows an endpoint slice's address type, ports and addresses", () => {
    const slice: KObject = {
      metadata: { name: 'web-abc12', creationTimestamp: ago(3) },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'all' }],
      endpoints: [
        { addresses: ['127.0.1.1'] },
        { addresses: ['127.0.1.2'] },
        { addresses: ['127.0.1.3'] },
        { addresses: ['127.0.1.4'] },
      ],
    };
    expect(names('discovery.k8s.io', 'endpointslices')).toEqual([
      'Name',
      'AddressType',
      'Ports',
      'Endpoints',
      'Age',
    ]);
    expect(cells('discovery.k8s.io', 'endpointslices', slice)).toEqual([
      'web-abc12',
      'IPv4',
      '8080,all',
      '127.0.1.1,127.0.1.2,127.0.1.3 + 1 more...',
      '3s',
    ]);
    expect(
      cells('discovery.k8s.io', 'endpointslices', {
        metadata: { name: 'e' },
        addressType: 'IPv6',
      }).slice(2, 4),
    ).toEqual(['<unset>', '<unset>']);
  });
});

describe('unknown resources', () => {
  it('fall back to Name and Created At in RFC 3339', () => {
    const p = printerFor('example.com', 'widgets');
    expect(p.columns.map((c) => [c.name, c.type, c.format])).toEqual([
      ['Name', 'string', 'name'],
      ['Created At', 'date', ''],
    ]);
    expect(
      p.cells({ metadata: { name: 'w', creationTimestamp: '2026-11-28T11:00:00.000Z' } }, NOW),
    ).toEqual(['w', '2026-11-28T11:00:00Z']);
    expect(p.cells({ metadata: { name: 'w' } }, NOW)).toEqual(['w', '0001-01-01T00:00:00Z']);
  });
});

describe('buildTable', () => {
  const p = pod('web-1', {
    metadata: {
      uid: 'u-1',
      resourceVersion: '1025',
      labels: { app: 'web' },
      managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
    },
    status: {
      phase: 'Running',
      podIP: '127.0.1.1',
      containerStatuses: [{ name: 'app', ready: true, state: running }],
    },
  });

  it('renders a Table whose rows carry PartialObjectMetadata without managedFields', () => {
    const table = buildTable(printerFor('', 'pods'), [p], {
      resourceVersion: '1042',
      continue: 'MQ==',
      remainingItemCount: 1,
      now: NOW,
      includeObject: 'Metadata',
      includeColumns: true,
    });
    expect(JSON.parse(JSON.stringify(table))).toEqual({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '1042', continue: 'MQ==', remainingItemCount: 1 },
      columnDefinitions: printerFor('', 'pods').columns,
      rows: [
        {
          cells: ['web-1', '1/1', 'Running', '0', '10m', '127.0.1.1', '<none>', '<none>', '<none>'],
          object: {
            kind: 'PartialObjectMetadata',
            apiVersion: 'meta.k8s.io/v1',
            metadata: {
              name: 'web-1',
              namespace: 'default',
              creationTimestamp: ago(600),
              uid: 'u-1',
              resourceVersion: '1025',
              labels: { app: 'web' },
            },
          },
        },
      ],
    });
    expect(Object.keys(table)).toEqual([
      'kind',
      'apiVersion',
      'metadata',
      'columnDefinitions',
      'rows',
    ]);
    for (const c of printerFor('', 'pods').columns)
      expect(Object.keys(c)).toEqual(['name', 'type', 'format', 'description', 'priority']);
  });

  it('defaults to Metadata rows and can leave out columns (watch events after the first)', () => {
    const table = buildTable(printerFor('', 'pods'), [p], { now: NOW, includeColumns: false });
    expect(table).not.toHaveProperty('columnDefinitions');
    expect(table.metadata).toEqual({});
    expect((table.rows as { object: { kind: string } }[])[0].object.kind).toBe(
      'PartialObjectMetadata',
    );
  });

  it('honours includeObject=None and includeObject=Object', () => {
    const none = buildTable(printerFor('', 'pods'), [p], {
      now: NOW,
      includeObject: 'None',
      includeColumns: true,
    });
    expect((none.rows as object[])[0]).toEqual({ cells: expect.any(Array) });
    const full = buildTable(printerFor('', 'pods'), [p], {
      now: NOW,
      includeObject: 'Object',
      includeColumns: true,
      apiVersion: 'v1',
      kind: 'Pod',
    });
    const obj = (full.rows as { object: KObject }[])[0].object;
    expect(obj.kind).toBe('Pod');
    expect(obj.apiVersion).toBe('v1');
    expect(obj.spec).toEqual(p.spec);
  });
});
