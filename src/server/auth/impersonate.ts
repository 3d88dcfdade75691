// Impersonation: `Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid` and
// `Impersonate-Extra-*` headers make the request run as someone else, when the caller is allowed the
// `impersonate` verb on each (users, groups, serviceaccounts, uids, userextras/<key>).
// k8s: staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go
import type { Store } from '../../storage/store';
import { resourceAttributes, type Attributes } from '../../rbac/attributes';
import { SA_PREFIX } from '../../rbac/resolver';
import { errors } from '../errors';
import type { User } from './authenticate';
import { authorize, forbiddenMessage } from './authorize';

const EXTRA_PREFIX = 'impersonate-extra-';

function wanted(req: Request): { attrs: Attributes[]; user?: User } {
  const h = req.headers;
  const name = h.get('impersonate-user') ?? undefined;
  const groups = h.get('impersonate-group') === null ? [] : splitHeader(h, 'impersonate-group');
  const uid = h.get('impersonate-uid') ?? undefined;
  const extra: Record<string, string[]> = {};
  for (const [k, v] of h) {
    if (!k.startsWith(EXTRA_PREFIX)) continue;
    const key = decodeURIComponent(k.slice(EXTRA_PREFIX.length)).toLowerCase();
    extra[key] = [...(extra[key] ?? []), ...v.split(',').map((s) => s.trim())];
  }
  if (name === undefined) {
    if (groups.length || uid !== undefined || Object.keys(extra).length)
      throw errors.badRequest(
        'requested impersonation of groups, a uid or extra fields without impersonating a user',
      );
    return { attrs: [] };
  }
  const attrs: Attributes[] = [];
  const sa = name.startsWith(SA_PREFIX) ? name.slice(SA_PREFIX.length).split(':') : undefined;
  if (sa && sa.length === 2) {
    attrs.push(
      resourceAttributes({
        verb: 'impersonate',
        resource: 'serviceaccounts',
        namespace: sa[0],
        name: sa[1],
      }),
    );
  } else {
    attrs.push(resourceAttributes({ verb: 'impersonate', resource: 'users', name }));
  }
  for (const g of groups)
    attrs.push(resourceAttributes({ verb: 'impersonate', resource: 'groups', name: g }));
  if (uid !== undefined)
    attrs.push(
      resourceAttributes({
        verb: 'impersonate',
        apiGroup: 'authentication.k8s.io',
        resource: 'uids',
        name: uid,
      }),
    );
  for (const [key, values] of Object.entries(extra))
    for (const v of values)
      attrs.push(
        resourceAttributes({
          verb: 'impersonate',
          apiGroup: 'authentication.k8s.io',
          resource: 'userextras',
          subresource: key,
          name: v,
        }),
      );

  const all = [...groups];
  if (sa && sa.length === 2) {
    for (const g of ['system:serviceaccounts', `system:serviceaccounts:${sa[0]}`])
      if (!all.includes(g)) all.push(g);
  }
  // Everyone but the anonymous user is authenticated, impersonated or not.
  if (name !== 'system:anonymous' && !all.includes('system:authenticated'))
    all.push('system:authenticated');
  const user: User = { name, groups: all };
  if (uid !== undefined) user.uid = uid;
  if (Object.keys(extra).length) user.extra = extra;
  // A node's identity carries its node name, as upstream's node authorizer reads it from the name.
  if (name.startsWith('system:node:') && all.includes('system:nodes'))
    user.node = name.slice('system:node:'.length);
  return { attrs, user };
}

/** Header values given once comma-separated or as repeated headers (fetch joins those with ", "). */
function splitHeader(h: Headers, name: string): string[] {
  return (h.get(name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The user the request runs as: the caller, or whom it impersonates once each part is authorized. */
export async function impersonate(req: Request, caller: User, store: Store): Promise<User> {
  const { attrs, user } = wanted(req);
  if (!user) return caller;
  for (const a of attrs) {
    const d = await authorize(caller, a, store);
    if (!d.allowed)
      throw errors.forbidden(forbiddenMessage(caller, a), {
        resource: a.resource,
        group: a.apiGroup,
        name: a.name,
      });
  }
  return user;
}
