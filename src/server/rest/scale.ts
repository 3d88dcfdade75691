// The scale subresource (autoscaling/v1 Scale): workloads' spec.replicas, or where a CRD says.
import type { KObject, LabelSelector } from '../../api/types';
import { labelSelectorToString, selectorFromSet } from '../../lib/labels';
import { errors } from '../errors';
import type { ApiContext } from '../context';
import { decodeObject, mediaType, readBody } from '../body';
import { getObject } from './read';
import { updateObject } from './update';
import { patchObject } from './patch';
import { json } from './render';
import { decodeAs } from './decode';
import { definitionFor, type ResourceDefinition } from '../../registry/registry';

const SCALE = { apiVersion: 'autoscaling/v1', kind: 'Scale' };

export function toScale(o: KObject): KObject {
  const spec = (o.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
  const status = (o.status ?? {}) as { replicas?: number };
  // A ReplicationController's selector is a plain label map. k8s: replicationcontroller/storage ScaleREST
  const selector =
    o.kind === 'ReplicationController'
      ? selectorFromSet(spec.selector as Record<string, string> | undefined).toString()
      : spec.selector
        ? labelSelectorToString(spec.selector)
        : '';
  const { name, namespace, uid, resourceVersion, creationTimestamp } = o.metadata;
  return {
    ...SCALE,
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selector === '<none>' ? '' : selector },
  };
}

type ScalePaths = NonNullable<ResourceDefinition['scale']>;

const steps = (path: string) => path.replace(/^\./, '').split('.');

function read(o: unknown, path: string): unknown {
  let cur = o;
  for (const k of steps(path))
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

function write(o: KObject, path: string, value: unknown): KObject {
  const copy = structuredClone(o) as Record<string, unknown>;
  const keys = steps(path);
  let cur = copy;
  for (const k of keys.slice(0, -1)) {
    if (!cur[k] || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
  return copy as KObject;
}

// k8s: apiextensions-apiserver/pkg/registry/customresource/etcd.go scaleFromCustomResource
function customToScale(paths: ScalePaths): (o: KObject) => KObject {
  return (o) => {
    const { name, namespace, uid, resourceVersion, creationTimestamp } = o.metadata;
    const replicas = read(o, paths.specReplicasPath);
    const current = read(o, paths.statusReplicasPath);
    const selector = paths.labelSelectorPath ? read(o, paths.labelSelectorPath) : undefined;
    return {
      ...SCALE,
      metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
      spec: { replicas: typeof replicas === 'number' ? replicas : 0 },
      status: {
        replicas: typeof current === 'number' ? current : 0,
        selector: typeof selector === 'string' ? selector : '',
      },
    };
  };
}

function checkedReplicas(o: KObject, scale: KObject): number {
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw errors.invalid(
      { resource: 'scale', group: 'autoscaling', name: o.metadata.name },
      'Scale',
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.replicas',
          message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        },
      ],
    );
  }
  return replicas;
}

function withReplicas(o: KObject, scale: KObject): KObject {
  return { ...o, spec: { ...(o.spec as object), replicas: checkedReplicas(o, scale) } };
}

function scaleView(ctx: ApiContext) {
  const paths = definitionFor(ctx.info.resource).scale;
  if (!paths) return { project: toScale, embed: withReplicas };
  return {
    project: customToScale(paths),
    embed: (o: KObject, scale: KObject) =>
      write(o, paths.specReplicasPath, checkedReplicas(o, scale)),
  };
}

export async function handleScale(ctx: ApiContext): Promise<Response> {
  const name = ctx.info.name!;
  const { project, embed } = scaleView(ctx);
  switch (ctx.info.verb) {
    case 'get':
      return json(ctx, project(await getObject(ctx, name)));
    case 'update': {
      const scale = decodeAs(
        ctx,
        decodeObject(await readBody(ctx.request), mediaType(ctx.request)),
        SCALE,
      );
      const updated = await updateObject(ctx, name, {
        manager: ctx.query.get('fieldManager') ?? 'unknown',
        expectResourceVersion: scale.metadata.resourceVersion || undefined,
        mutate: (cur) => embed(cur, scale),
      });
      return json(ctx, project(updated));
    }
    case 'patch': {
      const { object } = await patchObject(ctx, {
        project,
        embed,
        kind: SCALE,
      });
      return json(ctx, project(object));
    }
    default:
      throw errors.methodNotAllowed(
        `${ctx.info.verb} is not allowed on ${ctx.info.resource.resource}/scale`,
      );
  }
}
