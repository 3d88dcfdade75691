// Which MetricsShard holds a node's samples: nodes are hashed over as many shards as the cluster has partitions.
import { partitionOf } from '../../storage/partition';
import type { Env } from '../env';
import type { MetricsShard } from './shard';

export function metricsShardCount(env: Env): number {
  const n = Number(env.PARTITIONS ?? '1');
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

export function shardFor(env: Env, node: string): number {
  return partitionOf(node, metricsShardCount(env));
}

export function shardStub(env: Env, i: number): DurableObjectStub<MetricsShard> {
  return env.METRICS.get(env.METRICS.idFromName(`metrics#${i}`));
}

export function allShards(env: Env): DurableObjectStub<MetricsShard>[] {
  return Array.from({ length: metricsShardCount(env) }, (_, i) => shardStub(env, i));
}
