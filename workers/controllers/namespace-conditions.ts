// The status conditions a terminating namespace carries while the namespace controller empties it.
// k8s: pkg/controller/namespace/deletion/status_condition_utils.go (namespaceConditionUpdater)
import { rfc3339 } from '../../src/lib/time';

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** What one sync of a terminating namespace found. */
export interface DeletionTally {
  /** "resource.group" ("pods." for core) -> objects still present. */
  remaining: Map<string, number>;
  /** finalizer -> objects still held by it. */
  finalizers: Map<string, number>;
  /** Failed deletes and lists. */
  contentErrors: string[];
  /** "group/version: error" for custom groups the server would not list. */
  discoveryErrors: string[];
}

// k8s: conditionTypes, okReasons, okMessages, in upstream's order.
const OK: [type: string, reason: string, message: string][] = [
  [
    'NamespaceDeletionDiscoveryFailure',
    'ResourcesDiscovered',
    'All resources successfully discovered',
  ],
  [
    'NamespaceDeletionGroupVersionParsingFailure',
    'ParsedGroupVersions',
    'All legacy kube types successfully parsed',
  ],
  [
    'NamespaceDeletionContentFailure',
    'ContentDeleted',
    'All content successfully deleted, may be waiting on finalization',
  ],
  ['NamespaceContentRemaining', 'ContentRemoved', 'All content successfully removed'],
  [
    'NamespaceFinalizersRemaining',
    'ContentHasNoFinalizers',
    'All content-preserving finalizers finished',
  ],
];

/** k8s: utilerrors.NewAggregate(...).Error(): one message alone, several in brackets, duplicates once. */
function aggregate(msgs: string[]): string {
  const unique = [...new Set(msgs)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

/** The failing conditions a tally calls for (type -> reason and message). */
function failures(t: DeletionTally): Map<string, { reason: string; message: string }> {
  const out = new Map<string, { reason: string; message: string }>();
  if (t.discoveryErrors.length)
    out.set('NamespaceDeletionDiscoveryFailure', {
      reason: 'DiscoveryFailed',
      message: `Discovery failed for some groups, ${t.discoveryErrors.length} failing: unable to retrieve the complete list of server APIs: ${t.discoveryErrors.join(', ')}`,
    });
  if (t.contentErrors.length)
    out.set('NamespaceDeletionContentFailure', {
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${t.contentErrors.length} remaining: ${aggregate(t.contentErrors)}`,
    });
  const remaining = [...t.remaining]
    .filter(([, n]) => n > 0)
    .map(([gr, n]) => `${gr} has ${n} resource instances`)
    .sort();
  if (remaining.length)
    out.set('NamespaceContentRemaining', {
      reason: 'SomeResourcesRemain',
      message: `Some resources are remaining: ${remaining.join(', ')}`,
    });
  const held = [...t.finalizers]
    .filter(([, n]) => n > 0)
    .map(([f, n]) => `${f} in ${n} resource instances`)
    .sort();
  if (held.length)
    out.set('NamespaceFinalizersRemaining', {
      reason: 'SomeFinalizersRemain',
      message: `Some content in the namespace has finalizers remaining: ${held.join(', ')}`,
    });
  return out;
}

/**
 * The namespace's conditions after this sync, or undefined when none changed. Each deletion
 * condition is True with upstream's reason and message when failing, else False with the "ok"
 * variant; a condition whose status, reason and message stay keeps its lastTransitionTime, and
 * conditions of other types are kept as they are.
 */
export function conditionsAfter(
  current: NamespaceCondition[],
  tally: DeletionTally,
  now: number,
): NamespaceCondition[] | undefined {
  const failing = failures(tally);
  const next = current.map((c) => ({ ...c }));
  let changed = false;
  for (const [type, okReason, okMessage] of OK) {
    const f = failing.get(type);
    const want: NamespaceCondition = {
      type,
      status: f ? 'True' : 'False',
      lastTransitionTime: rfc3339(now),
      reason: f?.reason ?? okReason,
      message: f?.message ?? okMessage,
    };
    const i = next.findIndex((c) => c.type === type);
    if (i < 0) {
      next.push(want);
      changed = true;
    } else if (
      next[i].status !== want.status ||
      next[i].reason !== want.reason ||
      next[i].message !== want.message
    ) {
      next[i] = want;
      changed = true;
    }
  }
  return changed ? next : undefined;
}
