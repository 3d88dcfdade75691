// Dispatches a resource request by verb and subresource to the REST operations.
import type { KObject } from '../../api/types';
import { errors } from '../errors';
import type { ApiContext } from '../context';
import { decodeObject, mediaType, readBody } from '../body';
import { decodeAs, expectedKind } from './decode';
import { handleGet, handleList, listObjects } from './read';
import { handleWatch } from './watch';
import { createObject } from './create';
import { updateObject } from './update';
import { patchObject } from './patch';
import { deleteObject, deleteObjectReporting, parseDeleteOptions } from './delete';
import { json, renderDeleted, renderObject } from './render';
import { fromView } from './view';
import { handleScale } from './scale';
import { handleBinding, handleEviction } from './pod-subresources';
import { handleLog } from './logs';
import { handleStream } from './stream';
import { definitionFor } from '../../registry/registry';

const STREAMING = ['exec', 'attach', 'portforward'];

export async function handleResource(ctx: ApiContext): Promise<Response> {
  const { verb, subresource } = ctx.info;
  const deprecated = definitionFor(ctx.info.resource).custom?.deprecationWarning;
  if (deprecated) ctx.warnings.push(deprecated);
  if (STREAMING.includes(subresource)) return handleStream(ctx);
  if (subresource === 'proxy')
    throw errors.notSupported(`${ctx.info.resource.resource}/${subresource}`);
  switch (subresource) {
    case '':
      return handleMain(ctx);
    case 'status':
      if (verb === 'get') return handleGet(ctx);
      if (verb === 'update' || verb === 'patch') return handleMain(ctx);
      break;
    case 'scale':
      return handleScale(ctx);
    case 'finalize':
      if (verb === 'update') return handleMain(ctx);
      break;
    case 'binding':
      if (verb === 'create') return handleBinding(ctx);
      break;
    case 'eviction':
      if (verb === 'create') return handleEviction(ctx);
      break;
    case 'log':
      if (verb === 'get') return handleLog(ctx);
      break;
  }
  throw errors.methodNotAllowed(
    `${verb} is not allowed on ${ctx.info.resource.resource}/${subresource}`,
  );
}

async function handleMain(ctx: ApiContext): Promise<Response> {
  const r = ctx.info.resource;
  switch (ctx.info.verb) {
    case 'get':
      return handleGet(ctx);
    case 'list':
      return handleList(ctx);
    case 'watch':
      return handleWatch(ctx);
    case 'create': {
      const body = decodeObject(await readBody(ctx.request), mediaType(ctx.request));
      const obj = fromView(r, decodeAs(ctx, body, expectedKind(ctx)));
      const created = await createObject(ctx, obj, {
        manager: ctx.query.get('fieldManager') ?? 'unknown',
      });
      return renderObject(ctx, created, 201);
    }
    case 'update': {
      const body = decodeObject(await readBody(ctx.request), mediaType(ctx.request));
      const obj = fromView(r, decodeAs(ctx, body, expectedKind(ctx)));
      const updated = await updateObject(ctx, ctx.info.name!, {
        manager: ctx.query.get('fieldManager') ?? 'unknown',
        expectResourceVersion: obj.metadata.resourceVersion || undefined,
        mutate: () => structuredClone(obj),
      });
      return renderObject(ctx, updated);
    }
    case 'patch': {
      const { object, created } = await patchObject(ctx);
      return renderObject(ctx, object, created ? 201 : 200);
    }
    case 'delete': {
      const bytes = await readBody(ctx.request);
      const body = bytes.byteLength ? decodeObject(bytes, mediaType(ctx.request)) : undefined;
      const { object, removed } = await deleteObjectReporting(
        ctx,
        ctx.info.name!,
        parseDeleteOptions(body, ctx.query),
      );
      return renderDeleted(ctx, object, removed);
    }
    case 'deletecollection': {
      const bytes = await readBody(ctx.request);
      const body = bytes.byteLength ? decodeObject(bytes, mediaType(ctx.request)) : undefined;
      const opts = parseDeleteOptions(body, ctx.query);
      const page = await listObjects(ctx, { limit: 0 });
      const gone: KObject[] = [];
      for (const o of page.items) {
        try {
          gone.push(
            await deleteObject(
              { ...ctx, info: { ...ctx.info, namespace: o.metadata.namespace } },
              o.metadata.name!,
              opts,
            ),
          );
        } catch (e) {
          if ((e as { code?: number }).code !== 404) throw e;
        }
      }
      return json(ctx, {
        kind: r.listKind,
        apiVersion: expectedKind(ctx).apiVersion,
        metadata: { resourceVersion: page.resourceVersion },
        items: gone,
      });
    }
  }
}
