// A namespaced CRD with a group of its own, for the controller tests that need custom resources.
import { crdResourceInfos, type CustomResourceDefinition } from '../../src/api/crd';
import type { ResourceInfo } from '../../src/api/resources';
import type { KObject } from '../../src/api/types';
import type { KubeClient } from '../../src/client/client';

export interface TestKind {
  crd: CustomResourceDefinition;
  info: ResourceInfo;
  apiVersion: string;
  /** Creates one object of the kind. */
  create(namespace: string, name: string, meta?: Partial<KObject['metadata']>): Promise<KObject>;
}

/** Creates an established namespaced CRD "Widget" in a fresh group (one per call). */
export async function widgetKind(c: KubeClient): Promise<TestKind> {
  const group = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}.example.com`;
  const crd = (await c.create('apiextensions.k8s.io/v1/customresourcedefinitions', {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      ],
    },
  })) as CustomResourceDefinition;
  const info = crdResourceInfos(crd)[0];
  const apiVersion = `${group}/v1`;
  return {
    crd,
    info,
    apiVersion,
    create: (namespace, name, meta = {}) =>
      c.create(info, {
        apiVersion,
        kind: 'Widget',
        metadata: { ...meta, name, namespace },
        spec: { size: 1 },
      }),
  };
}
