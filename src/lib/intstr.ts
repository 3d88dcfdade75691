// IntOrString values: a plain number, or a percentage of some total.
// k8s: apimachinery/pkg/util/intstr/intstr.go GetScaledValueFromIntOrPercent
export type IntOrString = number | string;

const PERCENT = /^([0-9]+)%$/;

export const isPercent = (v: unknown): v is string => typeof v === 'string' && PERCENT.test(v);

/**
 * The number `v` stands for against `total`; percentages round up or down as the caller says.
 * A string that is not a percentage is an error, as upstream's.
 */
export function scaledIntOrPercent(v: IntOrString, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = PERCENT.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid value "${v}": not a percentage`);
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}
