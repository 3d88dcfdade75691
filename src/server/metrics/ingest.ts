// POST /edgeplane/v1/metrics: agents' usage reports, checked and handed to the nodes' MetricsShards.
import type { MetricsReport, NodeUsage, PodUsage } from '../../api/metrics';
import type { User } from '../auth/authenticate';
import { readBody } from '../body';
import type { Env } from '../env';
import { errors } from '../errors';
import { shardFor, shardStub } from './shards';

const isName = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= 253;
const isAmount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isLabels = (v: unknown) =>
  v === undefined ||
  (typeof v === 'object' &&
    v !== null &&
    Object.values(v as object).every((x) => typeof x === 'string'));

function checkPod(p: PodUsage, at: string): void {
  if (!isName(p?.namespace) || !isName(p.name) || !isName(p.uid) || !isLabels(p.labels))
    throw errors.badRequest(`${at}: namespace, name and uid are required`);
  if (!Array.isArray(p.containers)) throw errors.badRequest(`${at}.containers: must be a list`);
  p.containers.forEach((c, i) => {
    if (!isName(c?.name) || !isAmount(c.cpu) || !isAmount(c.memory))
      throw errors.badRequest(
        `${at}.containers[${i}]: name, and cpu and memory as non-negative numbers, are required`,
      );
  });
}

export function parseReport(body: unknown): NodeUsage[] {
  const nodes = (body as MetricsReport | undefined)?.nodes;
  if (!Array.isArray(nodes)) throw errors.badRequest('nodes: must be a list of node reports');
  nodes.forEach((n, i) => {
    const at = `nodes[${i}]`;
    if (!isName(n?.node)) throw errors.badRequest(`${at}.node: a node name is required`);
    if (!isAmount(n.cpu) || !isAmount(n.memory) || !isAmount(n.timestamp))
      throw errors.badRequest(`${at}: cpu, memory and timestamp must be non-negative numbers`);
    if (!isAmount(n.windowSeconds) || n.windowSeconds === 0)
      throw errors.badRequest(`${at}.windowSeconds: must be a positive number`);
    if (!isLabels(n.labels)) throw errors.badRequest(`${at}.labels: must map strings to strings`);
    if (!Array.isArray(n.pods)) throw errors.badRequest(`${at}.pods: must be a list`);
    n.pods.forEach((p, j) => checkPod(p, `${at}.pods[${j}]`));
  });
  return nodes;
}

export async function handleMetricsIngest(req: Request, env: Env, user: User): Promise<Response> {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(await readBody(req)));
  } catch {
    throw errors.badRequest('a metrics report must be a JSON object');
  }
  const nodes = parseReport(body);
  const admin = user.groups.includes('system:masters');
  for (const n of nodes)
    if (!admin && user.node !== n.node)
      throw errors.forbidden(
        `User "${user.name}" cannot report metrics for node "${n.node}": a node reports only its own`,
      );
  const byShard = new Map<number, NodeUsage[]>();
  for (const n of nodes) {
    const i = shardFor(env, n.node);
    byShard.set(i, [...(byShard.get(i) ?? []), n]);
  }
  await Promise.all([...byShard].map(([i, list]) => shardStub(env, i).ingest(list)));
  return new Response(null, { status: 204 });
}
