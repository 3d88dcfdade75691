// The API Worker inside workerd: the same app kubectl talks to, driven by the typed client.
import { describe, expect, it } from 'vitest';
import { apiClient, freshNamespace } from './api';
import { isAlreadyExists, isConflict } from '../../src/client/errors';

describe('API Worker', () => {
  it('creates, lists, updates with a precondition, and refuses a stale one', async () => {
    const c = apiClient();
    const ns = await freshNamespace(c);
    const cm = await c.create(
      'configmaps',
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'a', namespace: ns },
        data: { k: 'v' },
      },
      { namespace: ns },
    );
    await expect(
      c.create(
        'configmaps',
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: ns } },
        { namespace: ns },
      ),
    ).rejects.toSatisfy(isAlreadyExists);
    const list = await c.list('configmaps', { namespace: ns });
    expect(list.items.map((i) => i.metadata.name)).toEqual(['a']);
    const updated = await c.update('configmaps', { ...cm, data: { k: 'w' } }, { namespace: ns });
    expect(updated.data).toEqual({ k: 'w' });
    await expect(
      c.update('configmaps', { ...cm, data: { k: 'x' } }, { namespace: ns }),
    ).rejects.toSatisfy(isConflict);
  });
});
