// The strategy of a served resource, by group and plural (versions of a kind share one strategy).
import { definitionByGroupResource, permissiveStrategy } from './registry';
import { allResources } from '../api/resources';
import type { ResourceStrategy } from './strategy';

export function strategyFor(group: string, resource: string): ResourceStrategy {
  const d = definitionByGroupResource(group, resource);
  if (d) return d.strategy;
  const namespaced = allResources().find(
    (r) => r.group === group && r.resource === resource,
  )?.namespaced;
  return permissiveStrategy(namespaced);
}
