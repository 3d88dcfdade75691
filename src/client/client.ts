// KubeClient: typed verbs over the Kubernetes REST API (get, list, create, update, patch, delete, subresources, watch).
import type { KList, KObject, Status, WatchEvent } from '../api/types';
import { ApiStatusError, isResourceExpired, statusFromResponse } from './errors';
import { resolveResource, resourceUrl, type Query, type ResourceRef } from './paths';
import type { Transport } from './transport';
import { watch, type WatchOptions } from './watch';

export interface ClientOptions {
  transport: Transport;
  /** Origin the request URLs carry; a service binding ignores it, bearerTransport replaces it. */
  server?: string;
  userAgent?: string;
}

export interface WriteOptions {
  namespace?: string;
  dryRun?: 'All';
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  /** Follow `continue` tokens and return every item in one list (the pages share the first page's snapshot). */
  all?: boolean;
  signal?: AbortSignal;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

const patchContentType: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface PatchOptions extends WriteOptions {
  subresource?: string;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
}

export interface DeleteOptions {
  namespace?: string;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: 'All';
}

function writeQuery(opts: WriteOptions): Query {
  return {
    dryRun: opts.dryRun,
    fieldManager: opts.fieldManager,
    fieldValidation: opts.fieldValidation,
  };
}

export class KubeClient {
  private readonly transport: Transport;
  private readonly server: string;
  private readonly userAgent?: string;

  constructor(opts: ClientOptions) {
    this.transport = opts.transport;
    this.server = (opts.server ?? 'https://kubernetes.default.svc').replace(/\/+$/, '');
    this.userAgent = opts.userAgent;
  }

  /** One request; answers the Response when 2xx, throws ApiStatusError (with the server's Status) otherwise. */
  raw = async (
    method: string,
    url: string,
    init: { body?: string; contentType?: string; signal?: AbortSignal } = {},
  ): Promise<Response> => {
    const headers = new Headers({ Accept: 'application/json' });
    if (init.contentType) headers.set('Content-Type', init.contentType);
    if (this.userAgent) headers.set('User-Agent', this.userAgent);
    const request = new Request(this.server + url, {
      method,
      headers,
      body: init.body,
      signal: init.signal,
    });
    const response = await this.transport(request);
    if (response.ok) return response;
    throw new ApiStatusError(statusFromResponse(response.status, await response.text()));
  };

  private async json<T>(
    method: string,
    url: string,
    body?: unknown,
    contentType = 'application/json',
    signal?: AbortSignal,
  ): Promise<T> {
    const response = await this.raw(method, url, {
      body: body === undefined ? undefined : JSON.stringify(body),
      contentType: body === undefined ? undefined : contentType,
      signal,
    });
    return (await response.json()) as T;
  }

  async get<T extends KObject = KObject>(
    resource: ResourceRef,
    name: string,
    opts: { namespace?: string; resourceVersion?: string } = {},
  ): Promise<T> {
    const info = resolveResource(resource);
    return this.json(
      'GET',
      resourceUrl(
        info,
        { namespace: opts.namespace, name },
        { resourceVersion: opts.resourceVersion },
      ),
    );
  }

  async list<T extends KObject = KObject>(
    resource: ResourceRef,
    opts: ListOptions = {},
  ): Promise<KList<T>> {
    const info = resolveResource(resource);
    const { namespace, all, signal, ...query } = opts;
    const first = await this.json<KList<T>>(
      'GET',
      resourceUrl(info, { namespace }, query),
      undefined,
      undefined,
      signal,
    );
    if (!all) return first;
    const items = [...first.items];
    let token = first.metadata.continue;
    while (token) {
      let page: KList<T>;
      try {
        page = await this.json<KList<T>>(
          'GET',
          resourceUrl(info, { namespace }, { ...query, continue: token }),
          undefined,
          undefined,
          signal,
        );
      } catch (err) {
        // k8s: staging/src/k8s.io/client-go/tools/pager/pager.go: an expired token falls back to one full list.
        if (!isResourceExpired(err)) throw err;
        return this.json(
          'GET',
          resourceUrl(info, { namespace }, { ...query, limit: undefined, continue: undefined }),
          undefined,
          undefined,
          signal,
        );
      }
      items.push(...page.items);
      token = page.metadata.continue;
    }
    return { ...first, metadata: { resourceVersion: first.metadata.resourceVersion }, items };
  }

  async create<T extends KObject = KObject>(
    resource: ResourceRef,
    obj: T,
    opts: WriteOptions = {},
  ): Promise<T> {
    const info = resolveResource(resource);
    const namespace = opts.namespace ?? obj.metadata.namespace;
    return this.json('POST', resourceUrl(info, { namespace }, writeQuery(opts)), obj);
  }

  /** PUT; carries metadata.resourceVersion, so a stale object fails with 409 Conflict. */
  async update<T extends KObject = KObject>(
    resource: ResourceRef,
    obj: T,
    opts: WriteOptions = {},
  ): Promise<T> {
    return this.put(resource, obj, undefined, opts);
  }

  async updateStatus<T extends KObject = KObject>(
    resource: ResourceRef,
    obj: T,
    opts: WriteOptions = {},
  ): Promise<T> {
    return this.put(resource, obj, 'status', opts);
  }

  private async put<T extends KObject>(
    resource: ResourceRef,
    obj: T,
    subresource: string | undefined,
    opts: WriteOptions,
  ): Promise<T> {
    const info = resolveResource(resource);
    const name = obj.metadata.name;
    if (!name) throw new Error(`update of a ${info.kind} needs metadata.name`);
    const namespace = opts.namespace ?? obj.metadata.namespace;
    return this.json(
      'PUT',
      resourceUrl(info, { namespace, name, subresource }, writeQuery(opts)),
      obj,
    );
  }

  /** `apply` sends JSON (valid YAML) and needs a fieldManager, as the API requires. */
  async patch<T extends KObject = KObject>(
    resource: ResourceRef,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: PatchOptions = {},
  ): Promise<T> {
    const info = resolveResource(resource);
    if (type === 'apply' && !opts.fieldManager)
      throw new Error('server-side apply needs a fieldManager');
    const query: Query = { ...writeQuery(opts), force: type === 'apply' ? opts.force : undefined };
    const url = resourceUrl(
      info,
      { namespace: opts.namespace, name, subresource: opts.subresource },
      query,
    );
    return this.json('PATCH', url, patch, patchContentType[type]);
  }

  /** Answers the object (when deletion is pending on finalizers or grace) or the server's Success Status. */
  async delete<T extends KObject = KObject>(
    resource: ResourceRef,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<T | Status> {
    const info = resolveResource(resource);
    const { namespace, dryRun, ...rest } = opts;
    const body = {
      apiVersion: 'meta.k8s.io/v1',
      kind: 'DeleteOptions',
      ...rest,
      ...(dryRun ? { dryRun: [dryRun] } : {}),
    };
    return this.json('DELETE', resourceUrl(info, { namespace, name }), body);
  }

  /** POST to a subresource such as pods/binding or pods/eviction. */
  async createSubresource<T = unknown>(
    resource: ResourceRef,
    name: string,
    subresource: string,
    body: unknown,
    opts: WriteOptions = {},
  ): Promise<T> {
    const info = resolveResource(resource);
    return this.json(
      'POST',
      resourceUrl(info, { namespace: opts.namespace, name, subresource }, writeQuery(opts)),
      body,
    );
  }

  watch<T = KObject>(
    resource: ResourceRef,
    opts: WatchOptions = {},
  ): AsyncGenerator<WatchEvent<T>> {
    return watch<T>(this.raw, resource, opts);
  }
}
