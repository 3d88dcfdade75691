// pods/log: the pod must exist; container output arrives with the node agent's log shipping.
import { errors } from '../errors';
import type { ApiContext } from '../context';
import { getObject } from './read';

export async function handleLog(ctx: ApiContext): Promise<Response> {
  const pod = await getObject(ctx, ctx.info.name!);
  const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!node) throw errors.badRequest(`pod ${pod.metadata.name} has not been scheduled to a node yet, so it has no logs`);
  throw errors.badRequest(`no logs are available for pod ${pod.metadata.name}: its node ${node} has not shipped any`);
}
