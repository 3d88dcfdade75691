// Role, ClusterRole, RoleBinding and ClusterRoleBinding rows.
// k8s: pkg/printers/internalversion/printers.go printRole, printRoleBinding (release-1.32)
import { translateTimestampSince } from './age';
import { AGE_COLUMN, NAME_COLUMN, column, rec, recs, str, type Printer } from './types';

export const rolePrinter: Printer = {
  columns: [NAME_COLUMN, column('Created At', 'Time the object was created.', { type: 'date' })],
  cells(role) {
    return [role.metadata.name ?? '', role.metadata.creationTimestamp ?? ''];
  },
};

/** The subjects of a binding as the wide columns list them: users, groups, `namespace/name` accounts. */
function subjectsOf(b: Record<string, unknown>): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of recs(b.subjects)) {
    if (s.kind === 'User') users.push(str(s.name));
    else if (s.kind === 'Group') groups.push(str(s.name));
    else if (s.kind === 'ServiceAccount') sas.push(`${str(s.namespace)}/${str(s.name)}`);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

export const roleBindingPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Role', 'The role the binding grants (kind/name).'),
    AGE_COLUMN,
    column('Users', 'Users in the binding.', { priority: 1 }),
    column('Groups', 'Groups in the binding.', { priority: 1 }),
    column('ServiceAccounts', 'ServiceAccounts in the binding.', { priority: 1 }),
  ],
  cells(b, now) {
    const ref = rec((b as { roleRef?: unknown }).roleRef);
    return [
      b.metadata.name ?? '',
      `${str(ref.kind)}/${str(ref.name)}`,
      translateTimestampSince(b.metadata.creationTimestamp, now),
      ...subjectsOf(b as unknown as Record<string, unknown>),
    ];
  },
};
