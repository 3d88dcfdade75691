// The labels a kubelet may set on its own Node, and the label namespaces NodeRestriction guards.
// k8s: staging/src/k8s.io/kubelet/pkg/apis/well_known_labels.go (IsKubeletLabel) and
// plugin/pkg/admission/noderestriction/admission.go (getForbiddenLabels, isKubernetesLabel).

const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'node.kubernetes.io/windows-build',
]);
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];
/** v1.LabelNamespaceNodeRestriction: labels a node can never set, so admins can steer workloads by them safely. */
export const LABEL_NAMESPACE_NODE_RESTRICTION = 'node-restriction.kubernetes.io';

const inNamespace = (ns: string, parent: string) => ns === parent || ns.endsWith(`.${parent}`);

function labelNamespace(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

export function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const ns = labelNamespace(key);
  return KUBELET_LABEL_NAMESPACES.some((allowed) => inNamespace(ns, allowed));
}

function isKubernetesLabel(key: string): boolean {
  const ns = labelNamespace(key);
  return inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io');
}

/** Keys added, removed or changed between two label maps. */
export function modifiedLabels(
  a: Record<string, string> | undefined,
  b: Record<string, string> | undefined,
): string[] {
  const x = a ?? {};
  const y = b ?? {};
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  return [...keys].filter((k) => x[k] !== y[k]);
}

/**
 * Of the modified keys, those a node may not touch: anything under node-restriction.kubernetes.io,
 * and kubernetes.io / k8s.io labels outside the kubelet's own set. Labels in other namespaces stay
 * the node's to set, as upstream allows. Sorted, as upstream's sets.String.List().
 */
export function forbiddenLabels(modified: string[]): string[] {
  return modified
    .filter(
      (k) =>
        inNamespace(labelNamespace(k), LABEL_NAMESPACE_NODE_RESTRICTION) ||
        (isKubernetesLabel(k) && !isKubeletLabel(k)),
    )
    .sort();
}
