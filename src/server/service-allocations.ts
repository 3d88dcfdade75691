// /edgeplane/v1/serviceallocations: the allocation table as the repair controller sees it (list,
// re-reserve a value a Service holds, release a leaked reservation by its uid). The table itself
// stays unserved through the Kubernetes API, as upstream's RangeAllocation objects are.
import type { Store } from '../storage/store';
import type { User } from './auth/authenticate';
import { CONTROLLERS } from './auth/identities';
import { errors } from './errors';
import { readBody } from './body';
import { listAllocations, releaseKey, reserveKey } from './admission/allocation-table';

const KEY = /^(ip-\d{1,3}(\.\d{1,3}){3}|port-\d{1,5})$/;

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export async function handleServiceAllocations(
  req: Request,
  store: Store,
  user: User,
  key: string | undefined,
): Promise<Response> {
  if (user.name !== CONTROLLERS.name && !user.groups.includes('system:masters')) {
    throw errors.forbidden(
      `serviceallocations is forbidden: User "${user.name}" cannot ${req.method.toLowerCase()} the service allocation table`,
    );
  }
  if (key !== undefined && !KEY.test(key))
    throw errors.badRequest(`"${key}" is not an allocation key: ip-<address> or port-<number>`);
  if (req.method === 'GET' && key === undefined)
    return json({ items: await listAllocations(store) });
  if (req.method === 'POST' && key === undefined) {
    let body: { key?: unknown; owner?: unknown };
    try {
      body = JSON.parse(new TextDecoder().decode(await readBody(req))) as typeof body;
    } catch {
      throw errors.badRequest(
        'the body must be JSON: {"key": "port-30000", "owner": "<namespace>/<name>"}',
      );
    }
    if (typeof body.key !== 'string' || !KEY.test(body.key) || typeof body.owner !== 'string') {
      throw errors.badRequest(
        'the body must be JSON: {"key": "port-30000", "owner": "<namespace>/<name>"}',
      );
    }
    if (!(await reserveKey(store, body.key, body.owner)))
      throw errors.alreadyExists({ resource: 'serviceallocations', group: '', name: body.key });
    return json({ key: body.key, owner: body.owner }, 201);
  }
  if (req.method === 'DELETE' && key !== undefined) {
    const uid = new URL(req.url).searchParams.get('uid') ?? undefined;
    if (!(await releaseKey(store, key, uid)))
      throw errors.conflict(
        { resource: 'serviceallocations', group: '', name: key },
        'not reserved, or reserved again since (uid precondition)',
      );
    return json({ key });
  }
  throw errors.methodNotAllowed(`${req.method} is not allowed on serviceallocations`);
}
