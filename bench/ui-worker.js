// Bench Worker for `npm run bench -- ui`: the real API Worker, with its StorageShard and WatchHub
// classes counted (shard reads by method; watchers open on the hubs) and a route that reports them.
// Plain JavaScript on purpose, like store-worker.js (the Node type-check project has no Workers types).
import api from '../src/index';
import { StorageShard as RealShard } from '../src/storage/shard';
import { WatchHub as RealHub } from '../src/watch/hub';

export { LogStore } from '../src/storage/log-store';
export { NodeTunnel } from '../src/tunnel/node-tunnel';
export { MetricsShard } from '../src/server/metrics/shard';
export { UiHub } from '../src/ui/hub/ui-hub';
export { SchedulerApi, ControllersApi } from '../src/entrypoints';

/** Shard calls that read storage, by method (workerd runs the Worker and its objects in one isolate). */
const reads = { get: 0, list: 0, readLog: 0, getSetting: 0, subscribe: 0 };
const hubs = new Set();

export class StorageShard extends RealShard {
  get(...a) {
    reads.get++;
    return super.get(...a);
  }
  list(...a) {
    reads.list++;
    return super.list(...a);
  }
  readLog(...a) {
    reads.readLog++;
    return super.readLog(...a);
  }
  getSetting(...a) {
    reads.getSetting++;
    return super.getSetting(...a);
  }
  subscribe(...a) {
    reads.subscribe++;
    return super.subscribe(...a);
  }
}

export class WatchHub extends RealHub {
  async fetch(request) {
    hubs.add(this);
    return super.fetch(request);
  }
}

export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === '/__bench/counts') {
      let watchers = 0;
      for (const h of hubs) watchers += h.stats().watchers;
      return Response.json({ reads: { ...reads }, watchers });
    }
    return api.fetch(request, env, ctx);
  },
};
