// Schemas of the scheduling vocabulary: node and pod affinity, node selectors, taints, tolerations, spreading.
import { CORE, META, type Schema, atomic, int32, int64, obj, ref, str, time } from './dsl';

const EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];

export const schedulingDefs: Record<string, Schema> = {
  [CORE + 'Affinity']: obj(
    'Scheduling rules that attract the pod to nodes or to other pods, or keep it away from other pods.',
    {
      nodeAffinity: ref(
        CORE + 'NodeAffinity',
        'Rules about the labels of the node the pod runs on.',
      ),
      podAffinity: ref(
        CORE + 'PodAffinity',
        'Rules that place the pod in the same topology domain (node, zone, ...) as matching pods.',
      ),
      podAntiAffinity: ref(
        CORE + 'PodAntiAffinity',
        'Rules that keep the pod out of topology domains that run matching pods.',
      ),
    },
  ),

  [CORE + 'NodeAffinity']: obj('Node affinity: required and preferred node selector terms.', {
    requiredDuringSchedulingIgnoredDuringExecution: ref(
      CORE + 'NodeSelector',
      'Nodes the pod may be scheduled to. A later label change on the node does not evict the pod.',
    ),
    preferredDuringSchedulingIgnoredDuringExecution: atomic(
      ref(CORE + 'PreferredSchedulingTerm'),
      'Weighted terms; the scheduler favours nodes with the highest total weight of matching terms.',
    ),
  }),

  [CORE + 'NodeSelector']: obj(
    'A set of node selector terms, ORed: a node matches if any term matches.',
    {
      nodeSelectorTerms: atomic(ref(CORE + 'NodeSelectorTerm'), 'The terms, ORed.'),
    },
    { required: ['nodeSelectorTerms'], atomic: true },
  ),

  [CORE + 'NodeSelectorTerm']: obj(
    'Requirements on a node, ANDed. An empty term matches no node.',
    {
      matchExpressions: atomic(
        ref(CORE + 'NodeSelectorRequirement'),
        'Requirements on node labels.',
      ),
      matchFields: atomic(
        ref(CORE + 'NodeSelectorRequirement'),
        'Requirements on node fields (metadata.name).',
      ),
    },
    { atomic: true },
  ),

  [CORE + 'NodeSelectorRequirement']: obj(
    'One requirement on a node label or field.',
    {
      key: str('Label key or field path.'),
      operator: str('How the key relates to the values.', [
        'DoesNotExist',
        'Exists',
        'Gt',
        'In',
        'Lt',
        'NotIn',
      ]),
      values: atomic(
        str(),
        'Values: non-empty for In and NotIn, empty for Exists and DoesNotExist, one integer for Gt and Lt.',
      ),
    },
    { required: ['key', 'operator'] },
  ),

  [CORE + 'PreferredSchedulingTerm']: obj(
    'A node selector term with a weight.',
    {
      weight: int32('Weight of the term, 1-100.'),
      preference: ref(CORE + 'NodeSelectorTerm', 'The term.'),
    },
    { required: ['weight', 'preference'] },
  ),

  [CORE + 'PodAffinity']: obj('Pod affinity: run near pods that match.', {
    requiredDuringSchedulingIgnoredDuringExecution: atomic(
      ref(CORE + 'PodAffinityTerm'),
      'Terms that must all hold when the pod is scheduled.',
    ),
    preferredDuringSchedulingIgnoredDuringExecution: atomic(
      ref(CORE + 'WeightedPodAffinityTerm'),
      'Weighted terms the scheduler tries to satisfy.',
    ),
  }),

  [CORE + 'PodAntiAffinity']: obj('Pod anti-affinity: stay away from pods that match.', {
    requiredDuringSchedulingIgnoredDuringExecution: atomic(
      ref(CORE + 'PodAffinityTerm'),
      'Terms that must all hold when the pod is scheduled.',
    ),
    preferredDuringSchedulingIgnoredDuringExecution: atomic(
      ref(CORE + 'WeightedPodAffinityTerm'),
      'Weighted terms the scheduler tries to satisfy.',
    ),
  }),

  [CORE + 'PodAffinityTerm']: obj(
    'A set of pods (by labels and namespaces) and the topology key that defines "near".',
    {
      labelSelector: ref(META + 'LabelSelector', 'Pods to consider; null matches none.'),
      namespaces: atomic(
        str(),
        "Namespaces to look in, together with namespaceSelector; empty with no selector means this pod's namespace.",
      ),
      topologyKey: str(
        'Node label whose value defines a domain, for example kubernetes.io/hostname or topology.kubernetes.io/zone. Must not be empty.',
      ),
      namespaceSelector: ref(
        META + 'LabelSelector',
        'Namespaces to look in, by label; {} matches all namespaces.',
      ),
      matchLabelKeys: atomic(
        str(),
        'Label keys whose values, taken from the incoming pod, are added to labelSelector as "key in (value)".',
      ),
      mismatchLabelKeys: atomic(
        str(),
        'Label keys whose values, taken from the incoming pod, are added to labelSelector as "key notin (value)".',
      ),
    },
    { required: ['topologyKey'] },
  ),

  [CORE + 'WeightedPodAffinityTerm']: obj(
    'A pod affinity term with a weight.',
    {
      weight: int32('Weight of the term, 1-100.'),
      podAffinityTerm: ref(CORE + 'PodAffinityTerm', 'The term.'),
    },
    { required: ['weight', 'podAffinityTerm'] },
  ),

  [CORE + 'Taint']: obj(
    'A mark on a node that repels pods which do not tolerate it.',
    {
      key: str('Taint key.'),
      value: str('Taint value.'),
      effect: str('What happens to pods that do not tolerate the taint.', EFFECTS),
      timeAdded: time('When the taint was added (NoExecute taints only).'),
    },
    { required: ['key', 'effect'] },
  ),

  [CORE + 'Toleration']: obj(
    'Lets a pod be scheduled onto (or stay on) nodes with a matching taint.',
    {
      key: str('Taint key to match; empty with operator Exists matches every taint.'),
      operator: str('How value is compared. Defaults to Equal; Exists matches any value.', [
        'Equal',
        'Exists',
      ]),
      value: str('Taint value to match; empty for Exists.'),
      effect: str('Taint effect to match; empty matches all effects.', EFFECTS),
      tolerationSeconds: int64(
        'For NoExecute, how long the pod stays after the taint appears; unset means forever.',
      ),
    },
  ),

  [CORE + 'TopologySpreadConstraint']: obj(
    'How evenly matching pods must be spread over a topology (nodes, zones, ...).',
    {
      maxSkew: int32(
        'Largest allowed difference between the number of matching pods in any domain and the smallest domain. At least 1.',
      ),
      topologyKey: str('Node label whose values define the domains.'),
      whenUnsatisfiable: str(
        'What to do when the pod cannot be placed within maxSkew: refuse to schedule, or schedule while preferring domains that reduce skew.',
        ['DoNotSchedule', 'ScheduleAnyway'],
      ),
      labelSelector: ref(META + 'LabelSelector', 'Pods that are counted in each domain.'),
      minDomains: int32(
        'Minimum number of eligible domains; below it the global minimum counts as 0. Needs whenUnsatisfiable DoNotSchedule.',
      ),
      nodeAffinityPolicy: str(
        "Whether the pod's node affinity and nodeSelector limit the domains counted. Defaults to Honor.",
        ['Honor', 'Ignore'],
      ),
      nodeTaintsPolicy: str('Whether node taints limit the domains counted. Defaults to Ignore.', [
        'Honor',
        'Ignore',
      ]),
      matchLabelKeys: atomic(
        str(),
        'Label keys whose values, taken from the incoming pod, narrow labelSelector.',
      ),
    },
    { required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'] },
  ),
};
