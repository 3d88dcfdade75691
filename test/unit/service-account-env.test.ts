// A pod's `kubernetes` Service variables: the Service's ClusterIP when the node's proxy serves it
// (process pods, on the host's network), the API's URL otherwise, with 127.0.0.1 spelled 10.0.2.2
// for podman pods (slirp4netns); podman pods get the token directory mounted at the standard path.
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/api/core';
import type { KubeClient } from '../../src/client/client';
import {
  ServiceAccountFiles,
  type ServiceAccountConfig,
} from '../../src/agent/volumes/service-account';
import {
  containerEnvArgs,
  sandboxArgs,
  serviceAccountMountArgs,
} from '../../src/agent/runtimes/podman-args';
import type { Container } from '../../src/agent/types';

const SERVICE_ENV: [string, string][] = [
  ['KUBERNETES_SERVICE_HOST', '127.96.0.1'],
  ['KUBERNETES_SERVICE_PORT', '443'],
  ['KUBERNETES_SERVICE_PORT_HTTPS', '443'],
  ['KUBERNETES_PORT', 'tcp://127.96.0.1:443'],
  ['KUBERNETES_PORT_443_TCP', 'tcp://127.96.0.1:443'],
  ['KUBERNETES_PORT_443_TCP_PROTO', 'tcp'],
  ['KUBERNETES_PORT_443_TCP_PORT', '443'],
  ['KUBERNETES_PORT_443_TCP_ADDR', '127.96.0.1'],
  ['WEB_SERVICE_HOST', '127.96.0.9'],
];

const pod = (spec: Record<string, unknown> = {}) =>
  ({
    metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { containers: [], ...spec },
  }) as unknown as Pod;

const files = (cfg: Partial<ServiceAccountConfig>, p = pod()) =>
  new ServiceAccountFiles(
    {} as KubeClient,
    { root: '/tmp/none', server: 'https://127.0.0.1:8787', network: 'host', ...cfg },
    p,
  );

const served = async () => ({ host: '127.96.0.1', port: 443 });

describe('a pod finds the API', () => {
  it('through the kubernetes Service when the node proxy serves it', async () => {
    const env = new Map(await files({ kubernetesService: served }).environment(SERVICE_ENV));
    expect(env.get('KUBERNETES_SERVICE_HOST')).toBe('127.96.0.1');
    expect(env.get('KUBERNETES_SERVICE_PORT')).toBe('443');
    expect(env.get('KUBERNETES_PORT_443_TCP')).toBe('tcp://127.96.0.1:443');
    expect(env.get('EDGEPLANE_SERVICEACCOUNT_ROOT')).toBe('/tmp/none/u1');
  });

  it('at the API URL, every KUBERNETES_* variable alike, when the proxy does not serve it', async () => {
    const env = new Map(
      await files({ kubernetesService: async () => undefined }).environment(SERVICE_ENV),
    );
    expect(env.get('KUBERNETES_SERVICE_HOST')).toBe('127.0.0.1');
    expect(env.get('KUBERNETES_SERVICE_PORT')).toBe('8787');
    expect(env.get('KUBERNETES_SERVICE_PORT_HTTPS')).toBe('8787');
    expect(env.get('KUBERNETES_PORT')).toBe('tcp://127.0.0.1:8787');
    expect(env.get('KUBERNETES_PORT_443_TCP')).toBe('tcp://127.0.0.1:8787');
    expect(env.get('KUBERNETES_PORT_443_TCP_PROTO')).toBe('tcp');
    expect(env.get('KUBERNETES_PORT_443_TCP_PORT')).toBe('8787');
    expect(env.get('KUBERNETES_PORT_443_TCP_ADDR')).toBe('127.0.0.1');
    expect(env.get('WEB_SERVICE_HOST')).toBe('127.96.0.9');
    // A hosted API behind a hostname: its name and 443.
    const hosted = new Map(
      await files({ server: 'https://api.example.com' }).environment(SERVICE_ENV),
    );
    expect([hosted.get('KUBERNETES_SERVICE_HOST'), hosted.get('KUBERNETES_SERVICE_PORT')]).toEqual([
      'api.example.com',
      '443',
    ]);
  });

  it('from a podman pod at 10.0.2.2 (slirp cannot reach ClusterIPs), and via the Service on hostNetwork', async () => {
    const env = new Map(
      await files({ network: 'slirp', kubernetesService: served }).environment(SERVICE_ENV),
    );
    expect(env.get('KUBERNETES_SERVICE_HOST')).toBe('10.0.2.2');
    expect(env.get('KUBERNETES_SERVICE_PORT')).toBe('8787');
    const host = new Map(
      await files(
        { network: 'slirp', kubernetesService: served },
        pod({ hostNetwork: true }),
      ).environment(SERVICE_ENV),
    );
    expect(host.get('KUBERNETES_SERVICE_HOST')).toBe('127.96.0.1');
  });
});

describe('podman pods', () => {
  const c = { name: 'app', image: 'busybox' } as Container;
  const env: [string, string][] = [
    ['EDGEPLANE_SERVICEACCOUNT_ROOT', '/state/serviceaccounts/u1'],
    ['A', 'b'],
  ];

  it('mount the token directory read-only at the standard path, without the host path in env', () => {
    expect(serviceAccountMountArgs(c, env)).toEqual([
      '-v',
      '/state/serviceaccounts/u1/var/run/secrets/kubernetes.io/serviceaccount:/var/run/secrets/kubernetes.io/serviceaccount:ro',
    ]);
    expect(containerEnvArgs(c, env)).toEqual(['--env', 'A=b']);
    // No token (automountServiceAccountToken: false gives no root), or the container's own mount there.
    expect(serviceAccountMountArgs(c, [['A', 'b']])).toEqual([]);
    const own = {
      ...c,
      volumeMounts: [{ name: 'x', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount/' }],
    } as Container;
    expect(serviceAccountMountArgs(own, env)).toEqual([]);
  });

  it('reach the host loopback from the sandbox unless they opt out of the token', () => {
    const d = {
      joinUts: true,
      entrypointJson: true,
      logDriverPath: true,
      network: 'slirp4netns',
      runArgs: [],
    };
    const net = (p: Pod) => {
      const args = sandboxArgs(p, '127.16.0.5', 'pause', d, { owner: 'o' });
      return args[args.indexOf('--network') + 1];
    };
    expect(net(pod())).toBe('slirp4netns:allow_host_loopback=true');
    expect(net(pod({ automountServiceAccountToken: false }))).toBe('slirp4netns');
  });
});
