// The body of `npm run bench -- scheduler` (bench/scheduler-alone.ts), bundled by esbuild as the
// Worker is, so that the code measured is the code workerd runs (tsx would wrap every function in
// a keep-names helper, which showed up as a tenth of the profile).
import { KubeClient } from '../src/client/client';
import { profileFor } from '../workers/scheduler/profile';
import { Scheduler, type EventSink } from '../workers/scheduler/scheduler';
import type { Node, Pod } from '../workers/scheduler/types';

function nodeObject(name: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: `uid-${name}`,
      resourceVersion: '1',
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'topology.kubernetes.io/zone': `zone-${name.length % 3}`,
      },
    },
    spec: {},
    status: {
      allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
      capacity: { cpu: '8', memory: '32Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  } as unknown as Node;
}

/** A pod as the ReplicaSet controller makes it (the scheduler's own Pod type leaves out what it never reads, such as image). */
function podObject(i: number): Pod {
  const name = `web-7d9f8c6b5-${i.toString(36).padStart(5, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'bench',
      uid: `uid-${name}`,
      resourceVersion: String(10 + i),
      labels: { app: 'web', 'pod-template-hash': '7d9f8c6b5' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-7d9f8c6b5',
          uid: 'uid-rs',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      schedulerName: 'default-scheduler',
      containers: [
        {
          name: 'app',
          image: 'registry.example/web:1',
          resources: { requests: { cpu: '100m', memory: '128Mi' } },
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
        },
      ],
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
    },
    status: { phase: 'Pending', qosClass: 'Burstable' },
  } as unknown as Pod;
}

export async function runSchedulerAlone(values: {
  nodes: string;
  pods: string;
  strategy: string;
}): Promise<string[][]> {
  const nodeCount = Number(values.nodes);
  const podCount = Number(values.pods);
  const rows: string[][] = [];
  // The first run warms the JIT up (a long-lived leader is warm); it is not reported.
  const runs = [
    { strategy: values.strategy, report: false },
    { strategy: values.strategy, report: true },
    { strategy: 'most-allocated', report: true },
  ];
  for (const { strategy, report } of runs) {
    // The watch feeds bound pods back; the transport collects them and the loop delivers them.
    const boundBack: string[] = [];
    const client = new KubeClient({
      server: 'https://api.bench',
      transport: async (req) => {
        const url = new URL(req.url);
        const body = (await req.json()) as { target?: { name: string } };
        if (url.pathname.endsWith('/binding')) {
          const name = url.pathname.split('/').at(-2)!;
          boundBack.push(JSON.stringify({ name, node: body.target!.name }));
        }
        return new Response('{"kind":"Status","status":"Success"}', {
          status: req.method === 'POST' ? 201 : 200,
        });
      },
    });
    let eventBatches = 0;
    let events = 0;
    const sink: EventSink = {
      add: () => void events++,
      flush: async () => (events > 0 ? (eventBatches++, (events = 0), 1) : 0),
    };
    const s = new Scheduler({
      client,
      events: sink,
      profile: profileFor(strategy),
      now: () => Date.now(),
      rng: Math.random,
    });
    for (let i = 0; i < nodeCount; i++)
      s.onNode({ type: 'ADDED', object: JSON.parse(JSON.stringify(nodeObject(`node-${i}`))) });
    const wire = Array.from({ length: podCount }, (_, i) => JSON.stringify(podObject(i)));
    const byName = new Map<string, string>();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const line of wire) {
      const pod = JSON.parse(line) as Pod;
      byName.set(pod.metadata.name!, line);
      s.onPod({ type: 'ADDED', object: pod });
    }
    let bound = 0;
    let passes = 0;
    while (bound < podCount) {
      const st = await s.runPass();
      passes++;
      // The watch brings each binding back as a MODIFIED pod (decoded from JSON as an informer does).
      for (const b of boundBack.splice(0)) {
        const { name, node } = JSON.parse(b) as { name: string; node: string };
        const old = JSON.parse(byName.get(name)!) as Pod;
        const next = JSON.parse(byName.get(name)!) as Pod;
        next.spec!.nodeName = node;
        s.onPod({ type: 'MODIFIED', object: next, oldObject: old });
        bound++;
      }
      if (st.attempts === 0 && !s.hasWork() && bound < podCount) {
        await s.settle();
        if (!s.hasWork()) throw new Error(`only ${bound} of ${podCount} pods bound`);
      }
    }
    await s.settle();
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (report)
      rows.push([
        strategy,
        String(nodeCount),
        String(podCount),
        (wall / 1000).toFixed(2),
        ((podCount * 1000) / wall).toFixed(0),
        (cpuMs / podCount).toFixed(3),
        String(passes),
        String(eventBatches),
      ]);
  }
  return rows;
}
