// A process pod's `kubernetes` Service variables all name the API as its node reaches it.
import { expect, it } from 'vitest';
import type { Pod } from '../../src/api/core';
import type { KubeClient } from '../../src/client/client';
import { ServiceAccountFiles } from '../../src/agent/volumes/service-account';

it('rewrites every KUBERNETES_* Service variable to one address', () => {
  const files = new ServiceAccountFiles(
    {} as KubeClient,
    { root: '/tmp/none', server: 'https://127.0.0.1:8787' },
    {
      metadata: { name: 'p', namespace: 'default', uid: 'u1' },
      spec: { containers: [] },
    } as unknown as Pod,
  );
  const env = new Map(
    files.environment([
      ['KUBERNETES_SERVICE_HOST', '127.96.0.1'],
      ['KUBERNETES_SERVICE_PORT', '443'],
      ['KUBERNETES_SERVICE_PORT_HTTPS', '443'],
      ['KUBERNETES_PORT', 'tcp://127.96.0.1:443'],
      ['KUBERNETES_PORT_443_TCP', 'tcp://127.96.0.1:443'],
      ['KUBERNETES_PORT_443_TCP_PROTO', 'tcp'],
      ['KUBERNETES_PORT_443_TCP_PORT', '443'],
      ['KUBERNETES_PORT_443_TCP_ADDR', '127.96.0.1'],
      ['WEB_SERVICE_HOST', '127.96.0.9'],
    ]),
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
});
