// PodDisruptionBudget rows: the budget and the disruptions it allows now; k8s: pkg/printers/internalversion/printers.go printPodDisruptionBudget (release-1.32).
import { translateTimestampSince } from './age';
import { AGE_COLUMN, NAME_COLUMN, column, int, rec, type Printer } from './types';

const columns = [
  NAME_COLUMN,
  column('Min Available', 'The minimum number of pods that must be available.'),
  column('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
  column('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', {
    type: 'integer',
  }),
  AGE_COLUMN,
];

const intOrString = (v: unknown) =>
  typeof v === 'number' || typeof v === 'string' ? String(v) : 'N/A';

export const podDisruptionBudgetPrinter: Printer = {
  columns,
  cells(pdb, now) {
    const spec = rec(pdb.spec);
    return [
      pdb.metadata.name ?? '',
      intOrString(spec.minAvailable),
      intOrString(spec.maxUnavailable),
      int(rec(pdb.status).disruptionsAllowed),
      translateTimestampSince(pdb.metadata.creationTimestamp, now),
    ];
  },
};
