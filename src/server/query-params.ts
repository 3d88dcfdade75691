// Boolean query parameters, parsed once and the same way everywhere (Go's strconv.ParseBool).
import { errors } from './errors';

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * Every boolean parameter of the option structs the API serves (ListOptions, PodLogOptions,
 * PatchOptions, DeleteOptions, and `pretty` on every verb). They are checked up front so that a
 * value no handler reads still gets its 400 instead of passing silently.
 */
export const BOOLEAN_PARAMS = [
  'watch',
  'allowWatchBookmarks',
  'sendInitialEvents',
  'follow',
  'previous',
  'timestamps',
  'insecureSkipTLSVerifyBackend',
  'force',
  'pretty',
  'orphanDependents',
  'ignoreStoreReadErrorWithClusterBreakingPotential',
] as const;
export type BooleanParam = (typeof BOOLEAN_PARAMS)[number];

/** Go's strconv.ParseBool: undefined for anything it would refuse. */
export function parseBool(v: string): boolean | undefined {
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return undefined;
}

/**
 * The parameter's value: absent is false; a value ParseBool refuses is a 400 naming the
 * parameter. (The Python client sends `True`/`False`, client-go and kubectl `true`/`false`.)
 */
export function boolParam(query: URLSearchParams, name: BooleanParam): boolean {
  const v = query.get(name);
  if (v === null) return false;
  const b = parseBool(v);
  if (b === undefined) {
    throw errors.badRequest(
      `invalid boolean value ${JSON.stringify(v)} for query parameter "${name}": use one of 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False`,
      [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(v)}`,
          field: name,
        },
      ],
    );
  }
  return b;
}

/** Throws the 400 for the first malformed boolean parameter of a request, if any. */
export function checkBoolParams(query: URLSearchParams): void {
  for (const name of BOOLEAN_PARAMS) boolParam(query, name);
}
