// GET /apis/metrics.k8s.io/v1beta1/...: NodeMetrics and PodMetrics from the MetricsShards, for
// `kubectl top` and the HPA controller. Read-only, as metrics-server's API.
import type { Context, Hono } from 'hono';
import { METRICS_GROUP, METRICS_VERSION } from '../../api/metrics';
import { parseFieldSelector, type FieldSelector } from '../../lib/fields';
import { parseLabelSelector, type Selector } from '../../lib/labels';
import type { AppEnv } from '../app';
import type { Env } from '../env';
import { errors } from '../errors';
import type { RequestInfo } from '../request-info';
import { METRICS_RESOURCES, metricsApiGroup, metricsResourceList } from './discovery';
import { metricsList, nodeMetrics, podMetrics } from './objects';
import { allShards } from './shards';

/** The app's authorization chain for a request on these kinds; throws Forbidden when denied. */
export type MetricsAuthorizer = (c: Context<AppEnv>, info: RequestInfo) => Promise<void>;

function selectors(q: URLSearchParams): { labels?: Selector; fields?: FieldSelector } {
  try {
    const ls = q.get('labelSelector');
    const fs = q.get('fieldSelector');
    return {
      labels: ls ? parseLabelSelector(ls) : undefined,
      fields: fs ? parseFieldSelector(fs) : undefined,
    };
  } catch (err) {
    throw errors.badRequest(err instanceof Error ? err.message : String(err));
  }
}

async function nodes(env: Env, name: string | undefined, q: URLSearchParams) {
  const { labels, fields } = selectors(q);
  const all = (await Promise.all(allShards(env).map((s) => s.nodes(name)))).flat();
  return all
    .filter((s) => !labels || labels.matches(s.labels ?? {}))
    .filter((s) => !fields || fields.matches((f) => (f === 'metadata.name' ? s.node : undefined)))
    .sort((a, b) => a.node.localeCompare(b.node))
    .map(nodeMetrics);
}

async function pods(
  env: Env,
  ns: string | undefined,
  name: string | undefined,
  q: URLSearchParams,
) {
  const { labels, fields } = selectors(q);
  const all = (await Promise.all(allShards(env).map((s) => s.pods(ns, name)))).flat();
  return all
    .filter((p) => !labels || labels.matches(p.labels ?? {}))
    .filter(
      (p) =>
        !fields ||
        fields.matches((f) =>
          f === 'metadata.name' ? p.name : f === 'metadata.namespace' ? p.namespace : undefined,
        ),
    )
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))
    .map(podMetrics);
}

/** Mounts the group's discovery documents and its two resources; call before the generic /apis routes. */
export function mountMetricsApi(app: Hono<AppEnv>, check: MetricsAuthorizer): void {
  // For operators and the benchmark: what the MetricsShards hold and how much they wrote.
  app.get('/edgeplane/v1/metrics/stats', async (c) => {
    if (!c.get('user').groups.includes('system:masters'))
      throw errors.forbidden(
        'only cluster administrators (system:masters) may read metrics storage statistics',
      );
    const all = await Promise.all(allShards(c.env).map((s) => s.stats()));
    const sum = (k: keyof (typeof all)[number]) => all.reduce((a, x) => a + x[k], 0);
    return c.json({
      shards: all.length,
      nodes: sum('nodes'),
      reports: sum('reports'),
      rowsWritten: sum('rowsWritten'),
      flushes: sum('flushes'),
    });
  });
  const base = `/apis/${METRICS_GROUP}`;
  app.get(base, (c) => c.json({ kind: 'APIGroup', apiVersion: 'v1', ...metricsApiGroup }));
  app.get(`${base}/${METRICS_VERSION}`, (c) => c.json(metricsResourceList));
  app.all(`${base}/${METRICS_VERSION}/*`, async (c) => {
    const parts = c.req.path.split('/').slice(4).map(decodeURIComponent);
    let namespace: string | undefined;
    if (parts[0] === 'namespaces' && parts.length >= 3) {
      namespace = parts[1];
      parts.splice(0, 2);
    }
    const [plural, name, ...extra] = parts;
    const resource = METRICS_RESOURCES.find((r) => r.resource === plural);
    if (!resource || extra.length > 0 || (namespace !== undefined && !resource.namespaced))
      throw errors.notFoundPath();
    const q = new URL(c.req.url).searchParams;
    if (c.req.method !== 'GET' || q.get('watch') === 'true' || q.get('watch') === '1')
      throw errors.methodNotAllowed(
        'the server does not allow this method on the requested resource',
      );
    const info: RequestInfo = {
      verb: name ? 'get' : 'list',
      group: METRICS_GROUP,
      version: METRICS_VERSION,
      namespace,
      resource,
      name,
      subresource: '',
    };
    await check(c, info);
    const items =
      plural === 'nodes' ? await nodes(c.env, name, q) : await pods(c.env, namespace, name, q);
    if (name) {
      if (items.length === 0)
        // metrics-server's wording: `podmetrics.metrics.k8s.io "default/web" not found`.
        throw errors.notFound({
          resource: plural === 'nodes' ? 'nodemetrics' : 'podmetrics',
          group: METRICS_GROUP,
          name: namespace ? `${namespace}/${name}` : name,
        });
      return c.json(items[0]);
    }
    return c.json(metricsList(plural === 'nodes' ? 'NodeMetricsList' : 'PodMetricsList', items));
  });
}
