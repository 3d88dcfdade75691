// Live logs: `kubectl logs -f` reaches the node's agent through its tunnel, which then ships that pod's
// output at once instead of on its 1 s batch; each batch's answer says whether anyone still follows.
import type { KObject } from '../api/types';
import type { Env } from '../server/env';
import { NODE_HEADER, OPEN_HEADER, STREAM_HEADER } from './node-tunnel';

/** Set on a log batch's answer while the pod has followers (their count). */
export const FOLLOWED_HEADER = 'x-edgeplane-followed';

export async function notifyFollow(env: Env, pod: KObject): Promise<void> {
  const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!node || !pod.metadata.uid) return;
  const headers = {
    [STREAM_HEADER]: 'follow',
    [NODE_HEADER]: node,
    [OPEN_HEADER]: JSON.stringify({ podUid: pod.metadata.uid }),
  };
  try {
    await env.NODE_TUNNEL.get(env.NODE_TUNNEL.idFromName(`node:${node}`)).fetch(
      'https://tunnel/follow',
      { headers },
    );
  } catch {
    // no tunnel: the follow still works, at the shipper's normal pace
  }
}
