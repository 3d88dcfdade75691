// Raw https requests for fault tests: any method, body and Content-Type (or none), chunked or not,
// and every object the cluster stores, listed through discovery.
import https from 'node:https';
import type { Cluster } from '../helpers/cluster';

export interface RawRequest {
  method: string;
  path: string;
  /** null sends no Content-Type. */
  contentType?: string | null;
  body?: string | Buffer;
  chunked?: boolean;
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Answers the response, or rejects on a reset, a timeout or a TLS failure: callers count those too. */
export function raw(cluster: Cluster, r: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body =
      r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
    const headers: Record<string, string> = {
      authorization: `Bearer ${cluster.token}`,
      accept: 'application/json',
    };
    const contentType =
      r.contentType === undefined ? (body ? 'application/json' : null) : r.contentType;
    if (contentType !== null) headers['content-type'] = contentType;
    if (body && !r.chunked) headers['content-length'] = String(body.length);
    let answered = false;
    const req = https.request(
      new URL(r.path, cluster.url),
      { method: r.method, headers, agent: cluster.agent },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // A watch that was wrongly opened streams on: keep the start, it is enough to report.
          if (size < 65_536) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(
      () => req.destroy(new Error(`no complete answer in ${r.timeoutMs ?? 30_000} ms`)),
      r.timeoutMs ?? 30_000,
    );
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    if (body && r.chunked) void writeChunked(req, body, () => answered);
    else req.end(body);
  });
}

/**
 * Writes a chunked body at the socket's pace and stops once the answer has come: a server refusing
 * an oversized body answers and closes while the rest is still being sent, and a client that had
 * queued all of it then met EPIPE before it read the answer (as Go's client, it should read it).
 */
async function writeChunked(
  req: ReturnType<typeof https.request>,
  body: Buffer,
  answered: () => boolean,
): Promise<void> {
  for (let off = 0; off < body.length; off += 65_536) {
    if (answered() || req.destroyed) break;
    if (!req.write(body.subarray(off, off + 65_536)))
      await new Promise<void>((resolve) => {
        const done = () => {
          req.off('drain', done);
          req.off('close', done);
          req.off('response', done);
          resolve();
        };
        req.once('drain', done);
        req.once('close', done);
        req.once('response', done);
      });
  }
  if (!req.destroyed) req.end();
}

interface ApiResource {
  name: string;
  namespaced: boolean;
  verbs: string[];
}

/** Every listable resource's path, from discovery (/api/v1 and each group's preferred version). */
export async function listablePaths(cluster: Cluster): Promise<string[]> {
  const get = async (p: string) => {
    const res = await raw(cluster, { method: 'GET', path: p });
    if (res.status !== 200)
      throw new Error(`GET ${p} answered ${res.status}: ${res.body.slice(0, 300)}`);
    return JSON.parse(res.body);
  };
  const versions = ['/api/v1'];
  const groups = (await get('/apis')) as {
    groups: { preferredVersion: { groupVersion: string } }[];
  };
  for (const g of groups.groups) versions.push(`/apis/${g.preferredVersion.groupVersion}`);
  const out: string[] = [];
  for (const v of versions) {
    const list = (await get(v)) as { resources: ApiResource[] };
    for (const r of list.resources)
      if (!r.name.includes('/') && r.verbs.includes('list')) out.push(`${v}/${r.name}`);
  }
  return out;
}

/** Every stored object as `path namespace/name` → resourceVersion (uid appended), across all namespaces. */
export async function fullListing(cluster: Cluster, paths: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const p of paths) {
    let cont = '';
    do {
      const res = await raw(cluster, {
        method: 'GET',
        path: `${p}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
      });
      if (res.status !== 200)
        throw new Error(`GET ${p} answered ${res.status}: ${res.body.slice(0, 300)}`);
      const list = JSON.parse(res.body) as {
        metadata: { continue?: string };
        items: {
          metadata: { namespace?: string; name: string; uid: string; resourceVersion: string };
        }[];
      };
      for (const o of list.items)
        out.set(
          `${p} ${o.metadata.namespace ?? ''}/${o.metadata.name}`,
          `${o.metadata.resourceVersion} ${o.metadata.uid}`,
        );
      cont = list.metadata.continue ?? '';
    } while (cont);
  }
  return out;
}

/** What differs between two listings: added, removed and changed keys. */
export function listingDiff(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of after)
    if (!before.has(k)) out.push(`added ${k}`);
    else if (before.get(k) !== v) out.push(`changed ${k}: ${before.get(k)} -> ${v}`);
  for (const k of before.keys()) if (!after.has(k)) out.push(`removed ${k}`);
  return out;
}
