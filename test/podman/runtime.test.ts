// The podman runtime driven directly (no cluster): start, volumes, env, ports on the pod IP only, exec,
// exits, graceful stop, pull policy and back-off, unsupported features, and adoption by a new agent.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/client/client';
import { ApiStatusError } from '../../src/client/errors';
import { StartError, type ContainerInstance, type StartRequest } from '../../src/agent/runtime';
import { PodmanRuntime } from '../../src/agent/runtimes/podman';
import type { Container, Pod } from '../../src/agent/types';
import { eventually } from '../agent/helpers';
import {
  BUSYBOX_IMAGE,
  ensureBusyboxImage,
  podContainers,
  podman,
  removeOwned,
  requirePodman,
} from './setup';

let stateDir: string;
let rt: PodmanRuntime;
const logs: string[] = [];
const objects: Record<string, Record<string, unknown>> = {
  'configmaps/site': {
    metadata: { name: 'site' },
    data: { 'index.html': 'hello from a configMap\n' },
  },
  'secrets/token': {
    metadata: { name: 'token' },
    data: { token: Buffer.from('s3cret').toString('base64') },
  },
};
// Only what the runtime reads: ConfigMaps and Secrets by name, 404 as the API answers it.
const client = {
  get: async (kind: string, name: string) => {
    const o = objects[`${kind}/${name}`];
    if (!o)
      throw new ApiStatusError({
        apiVersion: 'v1',
        kind: 'Status',
        metadata: {},
        status: 'Failure',
        code: 404,
        reason: 'NotFound',
        message: `${kind} "${name}" not found`,
      });
    return o;
  },
} as unknown as KubeClient;

/** A pod IP of its own per test run, inside 127.0.0.0/8 and clear of the dev clusters' 127.16.0.0/12. */
const ipBase = `127.250.${randomBytes(1)[0]}`;
let ipNext = 1;
const nextIP = () => `${ipBase}.${ipNext++}`;

function pod(name: string, containers: Container[], extra: Record<string, unknown> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: randomUUID() },
    spec: { containers, terminationGracePeriodSeconds: 3, ...extra },
  } as Pod;
}

function request(
  p: Pod,
  podIP: string,
  c = p.spec.containers[0],
  env: [string, string][] = [],
  attempt = 0,
): StartRequest {
  return {
    pod: p,
    container: c,
    init: false,
    attempt,
    podIP,
    env: [['POD_IP', podIP], ...env],
    argv: [...(c.command ?? []), ...(c.args ?? [])],
  };
}

async function get(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return res.text();
}

let missing: Error | undefined;

beforeAll(() => {
  try {
    requirePodman();
  } catch (err) {
    missing = err as Error;
    return;
  }
  ensureBusyboxImage();
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeplane-podman-rt-'));
  rt = new PodmanRuntime({
    flavor: 'podman',
    stateDir,
    client,
    log: (m) => logs.push(m),
    relistMs: 500,
    projectionRefreshMs: 1000,
  });
}, 120_000);

// Every test fails with what to install; none is skipped.
beforeEach(() => {
  if (missing) throw missing;
});

afterAll(async () => {
  await rt?.close({ stopContainers: false });
  if (stateDir) {
    removeOwned(stateDir);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}, 60_000);

describe('podman runtime', () => {
  it("serves a configMap volume with busybox httpd on the pod IP only, with the pod's env, and stops within the grace period", async () => {
    const podIP = nextIP();
    const web: Container = {
      name: 'web',
      image: BUSYBOX_IMAGE,
      imagePullPolicy: 'IfNotPresent',
      command: ['httpd'],
      args: ['-f', '-p', '18080', '-h', '/www'],
      ports: [{ containerPort: 18080 }],
      volumeMounts: [
        { name: 'site', mountPath: '/www' },
        { name: 'scratch', mountPath: '/scratch' },
        { name: 'token', mountPath: '/etc/app/token', subPath: 'token' },
      ],
    } as Container;
    const p = pod('web', [web], {
      volumes: [
        { name: 'site', configMap: { name: 'site' } },
        { name: 'scratch', emptyDir: {} },
        { name: 'token', secret: { secretName: 'token' } },
      ],
    });
    expect(await rt.pull(p, web)).toBe(
      `Container image "${BUSYBOX_IMAGE}" already present on machine`,
    );
    const inst = await rt.start(request(p, podIP, web, [['GREETING', 'hello world']]));
    expect(inst.state).toBe('running');
    expect(inst.id).toMatch(/^podman:\/\/[0-9a-f]{64}$/);
    expect(inst.imageID).toMatch(/^podman:\/\/sha256:[0-9a-f]{64}$/);
    expect(
      await eventually(
        'httpd on the pod IP',
        () => get(`http://${podIP}:18080/index.html`).catch(() => undefined),
        10_000,
      ),
    ).toBe('hello from a configMap\n');

    // Published on the pod IP and nowhere else.
    const ports = podman([
      'port',
      podContainers(stateDir, p.metadata.uid!).find((c) => c.sandbox)!.id,
    ]).stdout.trim();
    expect(ports).toBe(`18080/tcp -> ${podIP}:18080`);

    const env = await rt.exec(
      p.metadata.uid!,
      inst.id,
      [
        'sh',
        '-c',
        'echo "$POD_IP|$GREETING|$PATH"; cat /etc/app/token; echo; echo x > /scratch/ok && cat /scratch/ok; echo y > /www/no',
      ],
      5000,
    );
    expect(env.output).toContain(`${podIP}|hello world|/bin`);
    expect(env.output).toContain('s3cret');
    expect(env.output).toContain('x\n');
    expect(env.output).toMatch(/Read-only file system/);
    expect((await rt.exec(p.metadata.uid!, inst.id, ['sh', '-c', 'exit 3'], 5000)).exitCode).toBe(
      3,
    );

    // httpd is PID 1 without a SIGTERM handler, so the kernel ignores SIGTERM and SIGKILL ends it after the 3 s grace.
    const t0 = Date.now();
    await rt.stop(p.metadata.uid!, inst.id, 3);
    const took = Date.now() - t0;
    const after = rt.containers(p.metadata.uid!).at(-1)!;
    expect(after.state).toBe('exited');
    expect(after.exitCode).toBe(137);
    expect(took).toBeGreaterThanOrEqual(2_500);
    expect(took).toBeLessThan(10_000);
    await rt.remove(p.metadata.uid!);
    expect(podContainers(stateDir, p.metadata.uid!)).toEqual([]);
  });

  it("rewrites a configMap volume from the API while the container runs, and writes the pod's imagePullSecrets into an auth file for pulls", async () => {
    objects['configmaps/live'] = { metadata: { name: 'live' }, data: { 'index.html': 'v1\n' } };
    objects['secrets/regcred'] = {
      metadata: { name: 'regcred' },
      type: 'kubernetes.io/dockerconfigjson',
      data: {
        '.dockerconfigjson': Buffer.from(
          JSON.stringify({ auths: { 'registry.example': { auth: 'dTpw' } } }),
        ).toString('base64'),
      },
    };
    const c = {
      name: 'web',
      image: BUSYBOX_IMAGE,
      command: ['httpd', '-f', '-p', '18085', '-h', '/www'],
      ports: [{ containerPort: 18085 }],
      volumeMounts: [{ name: 'live', mountPath: '/www' }],
    } as Container;
    const p = pod('live', [c], {
      volumes: [{ name: 'live', configMap: { name: 'live' } }],
      imagePullSecrets: [{ name: 'regcred' }, { name: 'absent' }],
    });
    const ip = nextIP();
    await rt.pull(p, c);
    const auth = JSON.parse(
      fs.readFileSync(
        path.join(stateDir, 'podman', 'pods', p.metadata.uid!, 'auth', 'config.json'),
        'utf8',
      ),
    );
    expect(auth).toEqual({ auths: { 'registry.example': { auth: 'dTpw' } } });
    expect(
      logs.some((l) => l.includes('imagePullSecret default/absent: not found; pulling without it')),
    ).toBe(true);
    const inst = await rt.start(request(p, ip, c));
    expect(
      await eventually(
        'v1',
        () => get(`http://${ip}:18085/index.html`).catch(() => undefined),
        10_000,
      ),
    ).toBe('v1\n');
    objects['configmaps/live'] = { metadata: { name: 'live' }, data: { 'index.html': 'v2\n' } };
    await eventually(
      'v2 after a refresh',
      async () => {
        rt.observe(p);
        return (await get(`http://${ip}:18085/index.html`).catch(() => undefined)) === 'v2\n';
      },
      15_000,
      500,
    );
    await rt.stop(p.metadata.uid!, inst.id, 1);
    await rt.remove(p.metadata.uid!);
  });

  it('sends SIGTERM first: a container that handles it stops at once with its own exit code', async () => {
    const c: Container = {
      name: 'polite',
      image: BUSYBOX_IMAGE,
      command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'],
    };
    const p = pod('polite', [c], { terminationGracePeriodSeconds: 30 });
    const inst = await rt.start(request(p, nextIP(), c));
    const t0 = Date.now();
    await rt.stop(p.metadata.uid!, inst.id, 30);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(rt.containers(p.metadata.uid!).at(-1)).toMatchObject({
      state: 'exited',
      exitCode: 0,
      reason: 'Completed',
    });
    await rt.remove(p.metadata.uid!);
  });

  it("runs a pod's containers in one network and UTS namespace (localhost between them, the pod's hostname) and honours workingDir", async () => {
    const server: Container = {
      name: 'server',
      image: BUSYBOX_IMAGE,
      command: ['httpd', '-f', '-p', '18083', '-h', '/etc'],
    };
    const client: Container = {
      name: 'client',
      image: BUSYBOX_IMAGE,
      command: ['sleep', '3600'],
      workingDir: '/tmp',
    };
    const p = pod('pair', [server, client]);
    const ip = nextIP();
    const a = await rt.start(request(p, ip, server));
    const b = await rt.start(request(p, ip, client));
    const r = await eventually(
      'wget over localhost',
      async () => {
        const out = await rt.exec(
          p.metadata.uid!,
          b.id,
          ['sh', '-c', 'pwd; hostname; wget -q -O - http://127.0.0.1:18083/passwd'],
          5000,
        );
        return out.exitCode === 0 ? out.output : undefined;
      },
      10_000,
    );
    expect(r).toMatch(/^\/tmp\npair\nroot:x:0:0/);
    await Promise.all([a, b].map((i) => rt.stop(p.metadata.uid!, i.id, 1)));
    await rt.remove(p.metadata.uid!);
  });

  it('hostNetwork: true runs in the host network without a sandbox, where the app binds $POD_IP itself', async () => {
    const c: Container = {
      name: 'h',
      image: BUSYBOX_IMAGE,
      command: ['sh', '-c', 'exec httpd -f -p $POD_IP:18084 -h /etc'],
    };
    const p = pod('hostnet', [c], { hostNetwork: true });
    const ip = nextIP();
    const inst = await rt.start(request(p, ip, c));
    expect(
      await eventually(
        'httpd on $POD_IP',
        () => get(`http://${ip}:18084/group`).catch(() => undefined),
        10_000,
      ),
    ).toContain('root:x:0:');
    expect(podContainers(stateDir, p.metadata.uid!).filter((x) => x.sandbox)).toEqual([]);
    await rt.stop(p.metadata.uid!, inst.id, 1);
    await rt.remove(p.metadata.uid!);
  });

  it('reports an exit on its own (relist), with the exit code, and keeps the output in a CRI log file', async () => {
    const c: Container = {
      name: 'once',
      image: BUSYBOX_IMAGE,
      command: ['sh', '-c', 'echo to-stdout; echo to-stderr >&2; sleep 1; exit 3'],
    };
    const p = pod('once', [c]);
    const changed: string[] = [];
    rt.onChange((uid) => changed.push(uid));
    await rt.start(request(p, nextIP(), c));
    const done = await eventually(
      'the exit',
      async () => rt.containers(p.metadata.uid!).find((i) => i.state === 'exited'),
      10_000,
      100,
    );
    expect(done).toMatchObject({ exitCode: 3, reason: 'Error', attempt: 0 });
    expect(changed).toContain(p.metadata.uid!);
    const logPath = (done as ContainerInstance & { logPath?: string }).logPath!;
    expect(logPath.startsWith(stateDir)).toBe(true);
    const log = fs.readFileSync(logPath, 'utf8');
    expect(log).toMatch(/^\S+ stdout F to-stdout$/m);
    expect(log).toMatch(/^\S+ stderr F to-stderr$/m);
    // Image defaults: no command at all runs the image's CMD; args alone replace only CMD.
    const argsOnly: Container = {
      name: 'args',
      image: BUSYBOX_IMAGE,
      command: ['echo'],
      args: ['a b', '$HOME'],
    };
    const second = await rt.start(request(p, nextIP(), argsOnly));
    await eventually(
      'echo',
      async () =>
        rt.containers(p.metadata.uid!).find((i) => i.id === second.id && i.state === 'exited'),
      10_000,
      100,
    );
    expect(
      fs.readFileSync(
        (rt.containers(p.metadata.uid!).find((i) => i.id === second.id) as { logPath?: string })
          .logPath!,
        'utf8',
      ),
    ).toMatch(/stdout F a b \$HOME$/m);
    await rt.remove(p.metadata.uid!);
  });

  it('reports a command that cannot be executed as StartError with exit code 128, and keeps two instances per container', async () => {
    const c: Container = { name: 'broken', image: BUSYBOX_IMAGE, command: ['/no/such/binary'] };
    const p = pod('broken', [c]);
    const ip = nextIP();
    for (let attempt = 0; attempt < 3; attempt++) {
      const inst = await rt.start(request(p, ip, c, [], attempt));
      expect(inst).toMatchObject({ state: 'exited', exitCode: 128, reason: 'StartError', attempt });
      expect(inst.message).toMatch(/no such file or directory|not found/);
    }
    expect(rt.containers(p.metadata.uid!).map((i) => i.attempt)).toEqual([1, 2]);
    await eventually(
      'the oldest removed',
      async () => podContainers(stateDir, p.metadata.uid!).filter((x) => !x.sandbox).length === 2,
      10_000,
    );
    await rt.remove(p.metadata.uid!);
  });

  it('pulls by imagePullPolicy: ErrImagePull, then ImagePullBackOff while backing off; Never fails with ErrImageNeverPull', async () => {
    const missing: Container = {
      name: 'missing',
      image: 'localhost/does-not-exist:1',
      imagePullPolicy: 'Always',
    };
    const p = pod('missing', [missing]);
    const reasonOf = (e: unknown) =>
      e instanceof StartError ? `${e.reason}: ${e.message}` : String(e);
    const first = reasonOf(await rt.pull(p, missing).catch((e) => e));
    expect(first).toMatch(/^ErrImagePull: failed to pull image "localhost\/does-not-exist:1": /);
    // Asked again at once, it repeats the error without pulling; a few seconds on, it is backing off.
    const t0 = Date.now();
    expect(reasonOf(await rt.pull(p, missing).catch((e) => e))).toBe(first);
    expect(Date.now() - t0).toBeLessThan(500);
    await new Promise((r) => setTimeout(r, 5_000));
    expect(reasonOf(await rt.pull(p, missing).catch((e) => e))).toBe(
      'ImagePullBackOff: Back-off pulling image "localhost/does-not-exist:1"',
    );
    const never: Container = {
      name: 'never',
      image: 'localhost/does-not-exist:1',
      imagePullPolicy: 'Never',
    };
    expect(reasonOf(await rt.pull(p, never).catch((e) => e))).toBe(
      'ErrImageNeverPull: Container image "localhost/does-not-exist:1" is not present with pull policy of Never',
    );
  });

  it('refuses what it cannot honour with a CreateContainerConfigError that says what', async () => {
    const c = {
      name: 'dw',
      image: BUSYBOX_IMAGE,
      command: ['true'],
      volumeMounts: [{ name: 'info', mountPath: '/info' }],
    } as Container;
    const p = pod('dw', [c], { volumes: [{ name: 'info', downwardAPI: { items: [] } }] });
    const err = await rt.start(request(p, nextIP(), c)).catch((e) => e);
    expect(err).toBeInstanceOf(StartError);
    expect(err).toMatchObject({ reason: 'CreateContainerConfigError' });
    expect(err.message).toContain('the downwardAPI volume type is not supported by this runtime');
    const missingCm = { ...c, volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] } as Container;
    const p2 = pod('nocm', [missingCm], {
      volumes: [{ name: 'cfg', configMap: { name: 'absent' } }],
    });
    await expect(rt.start(request(p2, nextIP(), missingCm))).rejects.toMatchObject({
      reason: 'CreateContainerConfigError',
      message: 'configmap "absent" not found',
    });
    const sctp = {
      name: 's',
      image: BUSYBOX_IMAGE,
      ports: [{ containerPort: 9, protocol: 'SCTP' }],
    } as Container;
    const p3 = pod('sctp', [sctp]);
    await expect(rt.start(request(p3, nextIP(), sctp))).rejects.toMatchObject({
      reason: 'CreateContainerConfigError',
    });
    for (const x of [p, p2, p3]) await rt.remove(x.metadata.uid!);
  });

  it('a new runtime on the same state folder adopts the running containers instead of starting them again', async () => {
    const c: Container = { name: 'sleeper', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] };
    const p = pod('adopt', [c]);
    const inst = await rt.start(request(p, nextIP(), c));
    const again = new PodmanRuntime({ flavor: 'podman', stateDir, client, log: () => undefined });
    try {
      expect(again.pods()).toContain(p.metadata.uid!);
      expect(again.containers(p.metadata.uid!)).toEqual([
        expect.objectContaining({ id: inst.id, state: 'running', attempt: 0, name: 'sleeper' }),
      ]);
      expect((await again.exec(p.metadata.uid!, inst.id, ['echo', 'adopted'], 5000)).output).toBe(
        'adopted\n',
      );
    } finally {
      await again.close({ stopContainers: false });
    }
    await rt.stop(p.metadata.uid!, inst.id, 1);
    await rt.remove(p.metadata.uid!);
  });
});
