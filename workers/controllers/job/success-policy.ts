// Success policy: an Indexed Job succeeds once the indexes a rule names (or enough of them) have.
// k8s: pkg/controller/job/success_policy.go matchSuccessPolicy
import type { SuccessPolicyRule } from '../../../src/api/batch';
import { indexesOf, parseIndexes } from '../../../src/lib/indexes';

/** The message of the first rule met ("Matched rules at index N"), or undefined. */
export function matchSuccessPolicy(
  rules: SuccessPolicyRule[] | undefined,
  completions: number,
  succeeded: Set<number>,
): string | undefined {
  if (!rules?.length || !succeeded.size) return undefined;
  for (const [i, rule] of rules.entries()) {
    if (rule.succeededIndexes !== undefined) {
      let wanted: Set<number>;
      try {
        wanted = indexesOf(parseIndexes(rule.succeededIndexes, completions));
      } catch {
        continue;
      }
      let got = 0;
      for (const ix of wanted) if (succeeded.has(ix)) got++;
      const need = rule.succeededCount ?? wanted.size;
      if (got >= need && got > 0) return `Matched rules at index ${i}`;
    } else if (rule.succeededCount !== undefined && succeeded.size >= rule.succeededCount) {
      return `Matched rules at index ${i}`;
    }
  }
  return undefined;
}
