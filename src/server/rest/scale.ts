// The scale subresource (autoscaling/v1 Scale) of Deployments and ReplicaSets.
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

function withReplicas(o: KObject, scale: KObject): KObject {
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
  return { ...o, spec: { ...(o.spec as object), replicas } };
}

export async function handleScale(ctx: ApiContext): Promise<Response> {
  const name = ctx.info.name!;
  switch (ctx.info.verb) {
    case 'get':
      return json(ctx, toScale(await getObject(ctx, name)));
    case 'update': {
      const scale = decodeAs(
        ctx,
        decodeObject(await readBody(ctx.request), mediaType(ctx.request)),
        SCALE,
      );
      const updated = await updateObject(ctx, name, {
        manager: ctx.query.get('fieldManager') ?? 'unknown',
        expectResourceVersion: scale.metadata.resourceVersion || undefined,
        mutate: (cur) => withReplicas(cur, scale),
      });
      return json(ctx, toScale(updated));
    }
    case 'patch': {
      const { object } = await patchObject(ctx, {
        project: toScale,
        embed: withReplicas,
        kind: SCALE,
      });
      return json(ctx, toScale(object));
    }
    default:
      throw errors.methodNotAllowed(
        `${ctx.info.verb} is not allowed on ${ctx.info.resource.resource}/scale`,
      );
  }
}
