// OpenAPI v3 discovery: the /openapi/v3 index and one document per served group/version, built from our schemas.
import {
  allResources,
  groupVersion,
  resourcesGeneration,
  type ResourceInfo,
  type SubresourceInfo,
} from '../api/resources';
import { META, REF_PREFIX, type Schema, refName } from './schema/dsl';
import { definitionName, definitions } from './schema/index';
import { definitionFor } from './registry';

/** The Kubernetes release whose API shape we serve; kubectl only shows it. */
export const API_VERSION_LABEL = 'v1.32.4';
export const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

export interface OpenApiDocument {
  /** Index key and URL path, e.g. "api/v1" or "apis/apps/v1". */
  path: string;
  /** Upper-case hex SHA-256 of the body (and base hash): the `hash=` query value and the ETag. */
  hash: string;
  /** Quoted hash, ready for the ETag header; compare with If-None-Match to answer 304. */
  etag: string;
  /** The serialized document, served as application/json. */
  body: string;
}

export interface OpenApiIndex {
  paths: Record<string, { serverRelativeURL: string }>;
}

// --- hashing -------------------------------------------------------------------------------------------

// SHA-256 round constants and initial state: the fractional parts of cube and square roots of the first primes.
const PRIMES = (() => {
  const out: number[] = [];
  for (let n = 2; out.length < 64; n++) if (out.every((p) => n % p !== 0)) out.push(n);
  return out;
})();
const frac32 = (x: number) => Math.floor((x - Math.floor(x)) * 2 ** 32) >>> 0;
const K = Uint32Array.from(PRIMES, (p) => frac32(Math.cbrt(p)));
const H0 = Uint32Array.from(PRIMES.slice(0, 8), (p) => frac32(Math.sqrt(p)));
const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** SHA-256 of the UTF-8 text, as upper-case hex (the form kube-apiserver uses for its hashes). Pure and synchronous. */
export function sha256Hex(text: string): string {
  const data = new TextEncoder().encode(text);
  const blocks = new Uint8Array(Math.ceil((data.length + 9) / 64) * 64);
  blocks.set(data);
  blocks[data.length] = 0x80;
  const view = new DataView(blocks.buffer);
  view.setUint32(blocks.length - 8, Math.floor(data.length / 2 ** 29));
  view.setUint32(blocks.length - 4, (data.length << 3) >>> 0);
  const h = Uint32Array.from(H0);
  const w = new Uint32Array(64);
  for (let off = 0; off < blocks.length; off += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(off + t * 4);
    for (let t = 16; t < 64; t++) {
      const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
      const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let t = 0; t < 64; t++) {
      const t1 =
        (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  return Array.from(h, (x) => x.toString(16).padStart(8, '0'))
    .join('')
    .toUpperCase();
}

// --- operations ----------------------------------------------------------------------------------------

interface GVKRef {
  group: string;
  version: string;
  kind: string;
}

const query = (name: string, description: string, type = 'string') => ({
  name,
  in: 'query',
  description,
  schema: { type, uniqueItems: true },
});
const pathParam = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', uniqueItems: true },
});

const P = {
  pretty: query('pretty', 'If "true", indent the output.'),
  dryRun: query('dryRun', 'When "All", check and report the result without storing anything.'),
  fieldManager: query(
    'fieldManager',
    'Name of the actor making the change, recorded in managedFields.',
  ),
  fieldValidation: query(
    'fieldValidation',
    'How unknown or duplicate fields in the body are handled: Ignore (drop them), Warn (accept with a warning) or Strict (reject with 400).',
  ),
  force: query(
    'force',
    'For apply requests: take ownership of fields other managers own instead of failing with a conflict.',
    'boolean',
  ),
  gracePeriodSeconds: query(
    'gracePeriodSeconds',
    'Seconds before the object is deleted; 0 deletes at once.',
    'integer',
  ),
  propagationPolicy: query(
    'propagationPolicy',
    'What happens to dependents: Orphan, Background or Foreground.',
  ),
  list: [
    query('labelSelector', 'Only return objects whose labels match this selector.'),
    query('fieldSelector', 'Only return objects whose fields match this selector.'),
    query(
      'limit',
      'Largest number of objects to return; use continue for the next page.',
      'integer',
    ),
    query('continue', 'Token from a previous limited list, to fetch the next page.'),
    query(
      'resourceVersion',
      'Which version of the store to read from (see the list semantics of resourceVersion).',
    ),
    query('resourceVersionMatch', 'How resourceVersion is interpreted: Exact or NotOlderThan.'),
    query('timeoutSeconds', 'Close a list or watch after this many seconds.', 'integer'),
    query(
      'watch',
      'Stream changes (ADDED, MODIFIED, DELETED) instead of returning a list.',
      'boolean',
    ),
    query('allowWatchBookmarks', 'Allow BOOKMARK events in a watch.', 'boolean'),
  ],
};

const content = (defName: string) => {
  const schema = { $ref: REF_PREFIX + defName };
  return { 'application/json': { schema }, 'application/yaml': { schema } };
};
const ok = (defName: string, codes: string[] = ['200']) => ({
  ...Object.fromEntries(
    codes.map((c) => [
      c,
      {
        description: c === '201' ? 'Created' : c === '202' ? 'Accepted' : 'OK',
        content: content(defName),
      },
    ]),
  ),
  '401': { description: 'Unauthorized' },
});

function operation(
  action: string,
  operationId: string,
  description: string,
  tag: string,
  gvk: GVKRef,
  extra: { parameters?: object[]; requestBody?: object; responses: object },
) {
  return {
    tags: [tag],
    description,
    operationId,
    parameters: extra.parameters ?? [],
    ...(extra.requestBody ? { requestBody: extra.requestBody } : {}),
    responses: extra.responses,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: gvk.group, kind: gvk.kind, version: gvk.version },
  };
}

/** "CoreV1", "AppsV1", "CoordinationV1": the group/version part of upstream operation IDs. */
function opGroup(group: string, version: string): string {
  const g = group ? group.split('.')[0] : 'core';
  return g[0].toUpperCase() + g.slice(1) + version[0].toUpperCase() + version.slice(1);
}

function defOf(g: GVKRef): string {
  const name = definitionName(groupVersion(g), g.kind);
  if (!name) throw new Error(`openapi: no schema for ${groupVersion(g)} ${g.kind}`);
  return name;
}

/** Adds the paths of one resource and its subresources; records every definition the operations use. */
function addResource(paths: Record<string, object>, r: ResourceInfo, used: Set<string>): void {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const tag = `${r.group ? r.group.split('.')[0] : 'core'}_${r.version}`;
  const gvk: GVKRef = { group: r.group, version: r.version, kind: r.kind };
  const def = defOf(gvk);
  const listDef = def + 'List';
  const scope = r.namespaced ? 'Namespaced' : '';
  const id = (verb: string, suffix = '') =>
    `${verb}${opGroup(r.group, r.version)}${scope}${r.kind}${suffix}`;
  const collection = r.namespaced
    ? `${base}/namespaces/{namespace}/${r.resource}`
    : `${base}/${r.resource}`;
  const item = `${collection}/{name}`;
  const nsParam = r.namespaced ? [pathParam('namespace', 'Namespace of the objects.')] : [];
  const nameParam = pathParam('name', `Name of the ${r.kind}.`);
  const write = [P.dryRun, P.fieldManager, P.fieldValidation];
  const body = (d: string) => ({
    content: { '*/*': { schema: { $ref: REF_PREFIX + d } } },
    required: true,
  });
  // kubectl apply picks strategic merge patch when the PATCH operation accepts it; custom
  // resources do not (upstream leaves it out of their operations), so kubectl sends a merge patch.
  const patchTypes = definitionFor(r).custom
    ? PATCH_TYPES.filter((t) => t !== 'application/strategic-merge-patch+json')
    : PATCH_TYPES;
  const patchBody = {
    content: Object.fromEntries(
      patchTypes.map((t) => [t, { schema: { $ref: REF_PREFIX + META + 'Patch' } }]),
    ),
    required: true,
  };
  if (r.verbs && !r.verbs.includes('list')) {
    // The create-only reviews: a POST on the collection, as upstream documents them.
    used.add(def);
    paths[collection] = {
      parameters: [...nsParam, P.pretty],
      post: operation('post', id('create'), `Create a ${r.kind}.`, tag, gvk, {
        parameters: write,
        requestBody: body(def),
        responses: ok(def, ['200', '201', '202']),
      }),
    };
    return;
  }
  used.add(def).add(listDef);

  paths[collection] = {
    parameters: [...nsParam, P.pretty],
    get: operation('list', id('list'), `List or watch ${r.kind} objects.`, tag, gvk, {
      parameters: P.list,
      responses: ok(listDef),
    }),
    post: operation('post', id('create'), `Create a ${r.kind}.`, tag, gvk, {
      parameters: write,
      requestBody: body(def),
      responses: ok(def, ['200', '201', '202']),
    }),
    delete: operation(
      'deletecollection',
      `delete${opGroup(r.group, r.version)}Collection${scope}${r.kind}`,
      `Delete a collection of ${r.kind} objects.`,
      tag,
      gvk,
      {
        parameters: [...P.list, P.dryRun, P.gracePeriodSeconds, P.propagationPolicy],
        requestBody: {
          content: { '*/*': { schema: { $ref: REF_PREFIX + META + 'DeleteOptions' } } },
        },
        responses: ok(META + 'Status'),
      },
    ),
  };
  paths[item] = {
    parameters: [nameParam, ...nsParam, P.pretty],
    get: operation('get', id('read'), `Read the given ${r.kind}.`, tag, gvk, {
      responses: ok(def),
    }),
    put: operation('put', id('replace'), `Replace the given ${r.kind}.`, tag, gvk, {
      parameters: write,
      requestBody: body(def),
      responses: ok(def, ['200', '201']),
    }),
    patch: operation('patch', id('patch'), `Partially update the given ${r.kind}.`, tag, gvk, {
      parameters: [...write, P.force],
      requestBody: patchBody,
      responses: ok(def, ['200', '201']),
    }),
    delete: operation('delete', id('delete'), `Delete the given ${r.kind}.`, tag, gvk, {
      parameters: [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy],
      requestBody: {
        content: { '*/*': { schema: { $ref: REF_PREFIX + META + 'DeleteOptions' } } },
      },
      responses: ok(def, ['200', '202']),
    }),
  };
  if (r.namespaced) {
    paths[`${base}/${r.resource}`] = {
      parameters: [P.pretty],
      get: operation(
        'list',
        `list${opGroup(r.group, r.version)}${r.kind}ForAllNamespaces`,
        `List or watch ${r.kind} objects in every namespace.`,
        tag,
        gvk,
        { parameters: P.list, responses: ok(listDef) },
      ),
    };
  }
  for (const sub of r.subresources)
    addSubresource(
      paths,
      item,
      [nameParam, ...nsParam, P.pretty],
      sub,
      gvk,
      id,
      tag,
      used,
      write,
      patchBody,
    );
}

function addSubresource(
  paths: Record<string, object>,
  item: string,
  params: object[],
  sub: SubresourceInfo,
  parent: GVKRef,
  id: (verb: string, suffix?: string) => string,
  tag: string,
  used: Set<string>,
  write: object[],
  patchBody: object,
): void {
  const gvk: GVKRef = sub.kind ?? parent;
  const suffix = sub.name[0].toUpperCase() + sub.name.slice(1);
  const path = `${item}/${sub.name}`;
  if (sub.name === 'status' || sub.name === 'scale') {
    const def = defOf(gvk);
    used.add(def);
    const body = { content: { '*/*': { schema: { $ref: REF_PREFIX + def } } }, required: true };
    paths[path] = {
      parameters: params,
      get: operation(
        'get',
        id('read', suffix),
        `Read the ${sub.name} of the given ${parent.kind}.`,
        tag,
        gvk,
        { responses: ok(def) },
      ),
      put: operation(
        'put',
        id('replace', suffix),
        `Replace the ${sub.name} of the given ${parent.kind}.`,
        tag,
        gvk,
        { parameters: write, requestBody: body, responses: ok(def, ['200', '201']) },
      ),
      patch: operation(
        'patch',
        id('patch', suffix),
        `Partially update the ${sub.name} of the given ${parent.kind}.`,
        tag,
        gvk,
        {
          parameters: [...write, P.force],
          requestBody: patchBody,
          responses: ok(def, ['200', '201']),
        },
      ),
    };
  } else if (sub.name === 'binding' || sub.name === 'eviction') {
    const def = defOf(gvk);
    used.add(def);
    paths[path] = {
      parameters: params,
      post: operation(
        'post',
        id('create', suffix),
        `Create a ${gvk.kind} for the given ${parent.kind}.`,
        tag,
        gvk,
        {
          parameters: write,
          requestBody: {
            content: { '*/*': { schema: { $ref: REF_PREFIX + def } } },
            required: true,
          },
          responses: ok(def, ['200', '201', '202']),
        },
      ),
    };
  } else if (sub.name === 'log') {
    paths[path] = {
      parameters: params,
      get: operation(
        'get',
        id('read', suffix),
        `Read the log of a container of the given ${parent.kind}.`,
        tag,
        parent,
        {
          parameters: [
            query(
              'container',
              'Container to read; may be left out when the pod has one container.',
            ),
            query('follow', 'Keep streaming as the log grows.', 'boolean'),
            query('previous', 'Read the log of the previous, terminated run.', 'boolean'),
            query('sinceSeconds', 'Only lines newer than this many seconds.', 'integer'),
            query('tailLines', 'Only the last this many lines.', 'integer'),
            query('timestamps', 'Prefix each line with its RFC 3339 timestamp.', 'boolean'),
            query('limitBytes', 'Stop after this many bytes.', 'integer'),
          ],
          responses: {
            '200': { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } },
            '401': { description: 'Unauthorized' },
          },
        },
      ),
    };
  }
  // exec, attach, portforward and proxy need protocol upgrades we do not serve; they are left out of the document.
}

/** Every definition reachable from the given names. */
function closure(roots: Iterable<string>): Record<string, Schema> {
  const defs = definitions();
  const out: Record<string, Schema> = {};
  const visit = (s: unknown): void => {
    if (!s || typeof s !== 'object') return;
    const name = refName(s as Schema);
    if ((s as Schema).$ref && name && !out[name]) add(name);
    for (const v of Object.values(s)) visit(v);
  };
  const add = (name: string) => {
    out[name] = defs[name];
    visit(defs[name]);
  };
  for (const r of roots) if (!out[r]) add(r);
  return Object.fromEntries(
    Object.keys(out)
      .sort()
      .map((k) => [k, out[k]]),
  );
}

// --- documents -----------------------------------------------------------------------------------------

/** "v1" → "api/v1", "apps/v1" → "apis/apps/v1"; already-prefixed paths pass through. */
export function openApiPath(gvOrPath: string): string {
  const p = gvOrPath.replace(/^\/+/, '').replace(/^openapi\/v3\//, '');
  if (p.startsWith('api/') || p.startsWith('apis/')) return p;
  return p.includes('/') ? `apis/${p}` : `api/${p}`;
}

/** The group/versions we serve (those with a kind that has a schema), in preference order. */
export function servedGroupVersions(): string[] {
  const withSchema = allResources().filter((r) => definitionName(groupVersion(r), r.kind));
  return [...new Set(withSchema.map(groupVersion))];
}

/** The v3 document of one served group/version as an object (the v2 document is converted from these). */
export function buildV3Document(gv: string): {
  openapi: string;
  info: object;
  paths: Record<string, Record<string, unknown>>;
  components: object;
} {
  const paths: Record<string, Record<string, unknown>> = {};
  const used = new Set<string>([META + 'Status', META + 'DeleteOptions', META + 'Patch']);
  for (const r of allResources()) {
    if (groupVersion(r) !== gv) continue;
    // A kind without a schema is left out of the document rather than failing all of it (the
    // registry test requires one for every built-in kind).
    if (!definitionName(gv, r.kind)) continue;
    addResource(paths, r, used);
  }
  return {
    openapi: '3.0.0',
    info: { title: 'edgeplane', version: API_VERSION_LABEL },
    paths,
    components: { schemas: closure(used) },
  };
}

// Documents change only when the set of kinds does (a CRD registered): each body and hash is
// computed once per generation of the kind registry.
const bodies = new Map<string, string>();
const hashes = new Map<string, string>();
let cachedGeneration = resourcesGeneration();

/**
 * The document for one group/version ("apps/v1", "apis/apps/v1", "v1" or "api/v1"), or undefined when we do not
 * serve it. `baseHash` is mixed into the hash so a new server build invalidates client caches; pass the same
 * value to openApiV3Index.
 */
export function openApiV3Document(gvOrPath: string, baseHash = ''): OpenApiDocument | undefined {
  const path = openApiPath(gvOrPath);
  const gv = servedGroupVersions().find((g) => openApiPath(g) === path);
  if (!gv) return undefined;
  if (cachedGeneration !== resourcesGeneration()) {
    bodies.clear();
    hashes.clear();
    cachedGeneration = resourcesGeneration();
  }
  let body = bodies.get(gv);
  if (body === undefined) {
    body = JSON.stringify(buildV3Document(gv));
    bodies.set(gv, body);
  }
  const key = `${baseHash}\u0000${gv}`;
  let hash = hashes.get(key);
  if (hash === undefined) {
    hash = sha256Hex(baseHash + body);
    hashes.set(key, hash);
  }
  return { path, hash, etag: `"${hash}"`, body };
}

/** The /openapi/v3 index: one entry per served group/version, each URL carrying its document's hash. */
export function openApiV3Index(baseHash = ''): OpenApiIndex {
  const paths: OpenApiIndex['paths'] = {};
  for (const gv of servedGroupVersions()) {
    const doc = openApiV3Document(gv, baseHash)!;
    paths[doc.path] = { serverRelativeURL: `/openapi/v3/${doc.path}?hash=${doc.hash}` };
  }
  return { paths };
}
