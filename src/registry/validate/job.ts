// Job validation: counts and limits, completion modes, pod failure and success policies, the generated
// selector, and what a Job may not change once created.
// k8s: pkg/apis/batch/validation/validation.go ValidateJob, validateJobSpec, ValidateJobSpecUpdate
import { CONTROLLER_UID_LABEL, LEGACY_CONTROLLER_UID_LABEL } from '../../api/batch';
import type { KObject, LabelSelector } from '../../api/types';
import { parseIndexes } from '../../lib/indexes';
import { selectorFromLabelSelector } from '../../lib/labels';
import { fieldErr, path, type FieldError } from '../field-errors';
import { asArr, asNum, asObj, immutable, isSet, nonNegative, objOf, type Obj } from './fields';
import {
  nameIsDNSSubdomain,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from './meta';
import { validatePodTemplateSpec } from './pod-spec';

const MAX_INDEXED_COMPLETIONS = 100_000;
const MAX_POD_FAILURE_POLICY_RULES = 20;
const MAX_EXIT_CODE_VALUES = 255;
const MAX_SUCCESS_POLICY_RULES = 20;
const ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];

export const JOB_META = { namespaced: true, nameFn: nameIsDNSSubdomain };

function validatePodFailurePolicy(spec: Obj, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules = asArr(objOf(spec.podFailurePolicy).rules);
  const rulesPath = path.child(fld, 'rules');
  if (rules.length > MAX_POD_FAILURE_POLICY_RULES)
    errs.push({
      type: 'FieldValueTooMany',
      field: rulesPath,
      message: `Too many: ${rules.length}: must have at most ${MAX_POD_FAILURE_POLICY_RULES} items`,
    });
  for (const [i, r] of rules.entries()) {
    const rule = objOf(r);
    const p = path.index(rulesPath, i);
    if (!ACTIONS.includes(rule.action as string))
      errs.push(fieldErr.notSupported(path.child(p, 'action'), rule.action ?? '', ACTIONS));
    else if (rule.action === 'FailIndex' && !isSet(spec.backoffLimitPerIndex))
      errs.push(
        fieldErr.invalid(
          path.child(p, 'action'),
          rule.action,
          'requires the backoffLimitPerIndex to be set',
        ),
      );
    const exit = asObj(rule.onExitCodes);
    const conds = rule.onPodConditions;
    if (exit && isSet(conds) && asArr(conds).length)
      errs.push(
        fieldErr.invalid(
          p,
          rule,
          'specifying both OnExitCodes and OnPodConditions is not supported',
        ),
      );
    else if (!exit && !asArr(conds).length)
      errs.push(
        fieldErr.invalid(p, rule, 'specifying one of OnExitCodes and OnPodConditions is required'),
      );
    if (exit) {
      const ep = path.child(p, 'onExitCodes');
      if (exit.operator !== 'In' && exit.operator !== 'NotIn')
        errs.push(
          fieldErr.notSupported(path.child(ep, 'operator'), exit.operator ?? '', ['In', 'NotIn']),
        );
      const values = asArr(exit.values);
      const vp = path.child(ep, 'values');
      if (!values.length) errs.push(fieldErr.invalid(vp, values, 'at least one value is required'));
      if (values.length > MAX_EXIT_CODE_VALUES)
        errs.push({
          type: 'FieldValueTooMany',
          field: vp,
          message: `Too many: ${values.length}: must have at most ${MAX_EXIT_CODE_VALUES} items`,
        });
      let prev: number | undefined;
      const seen = new Set<number>();
      for (const [j, v] of values.entries()) {
        const ip = path.index(vp, j);
        if (typeof v !== 'number' || !Number.isInteger(v)) {
          errs.push(fieldErr.invalid(ip, v, 'must be an integer'));
          continue;
        }
        if (seen.has(v)) errs.push(fieldErr.duplicate(ip, v));
        if (exit.operator === 'In' && v === 0)
          errs.push(fieldErr.invalid(ip, v, 'must not be 0 for the In operator'));
        if (prev !== undefined && prev > v) errs.push(fieldErr.invalid(ip, v, 'must be ordered'));
        seen.add(v);
        prev = v;
      }
    }
    for (const [j, c] of asArr(conds).entries()) {
      const cp = path.index(path.child(p, 'onPodConditions'), j);
      const cond = objOf(c);
      const type = typeof cond.type === 'string' ? cond.type : '';
      if (!type) errs.push(fieldErr.required(path.child(cp, 'type')));
      else errs.push(...validateQualifiedName(type, path.child(cp, 'type')));
      if (!['True', 'False', 'Unknown'].includes(cond.status as string))
        errs.push(
          fieldErr.notSupported(path.child(cp, 'status'), cond.status ?? '', [
            'False',
            'True',
            'Unknown',
          ]),
        );
    }
  }
  return errs;
}

function validateSuccessPolicy(spec: Obj, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.completionMode !== 'Indexed')
    errs.push(fieldErr.invalid(fld, spec.successPolicy, 'requires indexed completion mode'));
  const rules = asArr(objOf(spec.successPolicy).rules);
  const rp = path.child(fld, 'rules');
  if (!rules.length)
    errs.push(
      fieldErr.required(
        rp,
        'at least one rules must be specified when the successPolicy is specified',
      ),
    );
  if (rules.length > MAX_SUCCESS_POLICY_RULES)
    errs.push({
      type: 'FieldValueTooMany',
      field: rp,
      message: `Too many: ${rules.length}: must have at most ${MAX_SUCCESS_POLICY_RULES} items`,
    });
  const completions = asNum(spec.completions);
  for (const [i, r] of rules.entries()) {
    const rule = objOf(r);
    const p = path.index(rp, i);
    if (!isSet(rule.succeededIndexes) && !isSet(rule.succeededCount))
      errs.push(
        fieldErr.required(
          p,
          'at least one of succeededCount or succeededIndexes must be specified',
        ),
      );
    let indexes: number | undefined;
    if (isSet(rule.succeededIndexes)) {
      const ip = path.child(p, 'succeededIndexes');
      try {
        const parsed = parseIndexes(String(rule.succeededIndexes), completions ?? 0);
        indexes = parsed.reduce((n, [a, b]) => n + b - a + 1, 0);
      } catch (e) {
        errs.push(fieldErr.invalid(ip, rule.succeededIndexes, (e as Error).message));
      }
    }
    if (isSet(rule.succeededCount)) {
      const cp = path.child(p, 'succeededCount');
      const n = asNum(rule.succeededCount) ?? -1;
      errs.push(...nonNegative(rule.succeededCount, cp));
      if (completions !== undefined && n > completions)
        errs.push(
          fieldErr.invalid(
            cp,
            n,
            `must be less than or equal to ${completions} (the number of specified completions)`,
          ),
        );
      if (indexes !== undefined && n > indexes)
        errs.push(
          fieldErr.invalid(
            cp,
            n,
            `must be less than or equal to ${indexes} (the number of indexes in the specified succeededIndexes field)`,
          ),
        );
    }
  }
  return errs;
}

/** The JobSpec rules a Job and a CronJob's jobTemplate share. */
export function validateJobSpec(spec: Obj, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'backoffLimit', 'ttlSecondsAfterFinished'])
    errs.push(...nonNegative(spec[f], path.child(fld, f)));
  if (isSet(spec.activeDeadlineSeconds) && (asNum(spec.activeDeadlineSeconds) ?? 0) <= 0)
    errs.push(
      fieldErr.invalid(
        path.child(fld, 'activeDeadlineSeconds'),
        spec.activeDeadlineSeconds,
        'must be greater than 0',
      ),
    );
  const mode = spec.completionMode ?? 'NonIndexed';
  if (mode !== 'NonIndexed' && mode !== 'Indexed')
    errs.push(
      fieldErr.notSupported(path.child(fld, 'completionMode'), mode, ['NonIndexed', 'Indexed']),
    );
  const completions = asNum(spec.completions);
  if (mode === 'Indexed') {
    if (!isSet(spec.completions))
      errs.push(
        fieldErr.required(path.child(fld, 'completions'), 'when completion mode is Indexed'),
      );
    else if ((completions ?? 0) > MAX_INDEXED_COMPLETIONS)
      errs.push(
        fieldErr.invalid(
          path.child(fld, 'completions'),
          completions,
          `must be less than or equal to ${MAX_INDEXED_COMPLETIONS} when completion mode is Indexed`,
        ),
      );
    if ((asNum(spec.parallelism) ?? 0) > MAX_INDEXED_COMPLETIONS)
      errs.push(
        fieldErr.invalid(
          path.child(fld, 'parallelism'),
          spec.parallelism,
          `must be less than or equal to ${MAX_INDEXED_COMPLETIONS} when completion mode is Indexed`,
        ),
      );
  }
  if (isSet(spec.backoffLimitPerIndex)) {
    errs.push(...nonNegative(spec.backoffLimitPerIndex, path.child(fld, 'backoffLimitPerIndex')));
    if (mode !== 'Indexed')
      errs.push(
        fieldErr.invalid(
          path.child(fld, 'backoffLimitPerIndex'),
          spec.backoffLimitPerIndex,
          'requires indexed completion mode',
        ),
      );
  }
  if (isSet(spec.maxFailedIndexes)) {
    const mp = path.child(fld, 'maxFailedIndexes');
    errs.push(...nonNegative(spec.maxFailedIndexes, mp));
    if (!isSet(spec.backoffLimitPerIndex))
      errs.push(
        fieldErr.required(
          path.child(fld, 'backoffLimitPerIndex'),
          'when maxFailedIndexes is specified',
        ),
      );
    if (completions !== undefined && (asNum(spec.maxFailedIndexes) ?? 0) > completions)
      errs.push(
        fieldErr.invalid(mp, spec.maxFailedIndexes, 'must be less than or equal to completions'),
      );
  }
  const tplPath = path.child(fld, 'template');
  const tpl = objOf(spec.template);
  const podSpec = objOf(tpl.spec);
  if (isSet(spec.podFailurePolicy)) {
    errs.push(...validatePodFailurePolicy(spec, path.child(fld, 'podFailurePolicy')));
    if (podSpec.restartPolicy !== 'Never')
      errs.push(
        fieldErr.invalid(
          path.child(tplPath, 'spec.restartPolicy'),
          podSpec.restartPolicy ?? '',
          'only "Never" is supported when podFailurePolicy is specified',
        ),
      );
  }
  if (isSet(spec.successPolicy))
    errs.push(...validateSuccessPolicy(spec, path.child(fld, 'successPolicy')));
  if (isSet(spec.podReplacementPolicy)) {
    const allowed = ['Failed', 'TerminatingOrFailed'];
    if (!allowed.includes(spec.podReplacementPolicy as string))
      errs.push(
        fieldErr.notSupported(
          path.child(fld, 'podReplacementPolicy'),
          spec.podReplacementPolicy,
          allowed,
        ),
      );
    else if (isSet(spec.podFailurePolicy) && spec.podReplacementPolicy !== 'Failed')
      errs.push(
        fieldErr.notSupported(path.child(fld, 'podReplacementPolicy'), spec.podReplacementPolicy, [
          'Failed',
        ]),
      );
  }
  errs.push(...validatePodTemplateSpec(tpl, tplPath));
  if (podSpec.restartPolicy !== 'OnFailure' && podSpec.restartPolicy !== 'Never')
    errs.push(
      fieldErr.notSupported(
        path.child(tplPath, 'spec.restartPolicy'),
        podSpec.restartPolicy ?? '',
        ['OnFailure', 'Never'],
      ),
    );
  return errs;
}

function validateSelector(spec: Obj): FieldError[] {
  const sel = asObj(spec.selector);
  if (!sel) return [fieldErr.required('spec.selector')];
  const errs = validateLabelSelector(sel, 'spec.selector');
  const labels = objOf(objOf(objOf(spec.template).metadata).labels) as Record<string, string>;
  try {
    if (!selectorFromLabelSelector(sel as LabelSelector).matches(labels))
      errs.push(
        fieldErr.invalid(
          'spec.template.metadata.labels',
          labels,
          '`selector` does not match template `labels`',
        ),
      );
  } catch {
    errs.push(fieldErr.invalid('spec.selector', sel, 'invalid label selector'));
  }
  return errs;
}

// k8s: validateGeneratedSelector: a selector the server generated must select this Job's uid.
function validateGeneratedSelector(job: KObject): FieldError[] {
  const spec = objOf(job.spec);
  if (spec.manualSelector === true) return [];
  const labels = objOf(objOf(objOf(spec.template).metadata).labels);
  const uid = job.metadata.uid ?? '';
  const errs: FieldError[] = [];
  for (const k of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL])
    if (isSet(labels[k]) && labels[k] !== uid)
      errs.push(
        fieldErr.invalid(
          path.key('spec.template.metadata.labels', k),
          labels[k],
          `must be '${uid}'`,
        ),
      );
  const sel = objOf(objOf(spec.selector).matchLabels);
  if (sel[CONTROLLER_UID_LABEL] !== uid)
    errs.push(fieldErr.invalid('spec.selector', spec.selector, '`selector` not auto-generated'));
  return errs;
}

export function validateJob(job: KObject): FieldError[] {
  const spec = objOf(job.spec);
  return [
    ...validateObjectMeta(job.metadata, JOB_META),
    ...validateGeneratedSelector(job),
    ...validateSelector(spec),
    ...validateJobSpec(spec, 'spec'),
  ];
}

function validateJobStatus(statusIn: unknown): FieldError[] {
  const status = objOf(statusIn);
  const errs: FieldError[] = [];
  for (const f of ['active', 'succeeded', 'failed', 'ready', 'terminating'])
    errs.push(...nonNegative(status[f], path.child('status', f)));
  return errs;
}

export function validateJobUpdate(job: KObject, old: KObject): FieldError[] {
  const spec = objOf(job.spec);
  const prev = objOf(old.spec);
  const errs = [
    ...validateObjectMetaUpdate(job.metadata, old.metadata),
    ...validateSelector(spec),
    ...validateJobSpec(spec, 'spec'),
    ...validateJobStatus(job.status),
  ];
  // k8s: a suspended Job that never started may change where its pods run (labels, annotations,
  // nodeSelector, affinity, tolerations, schedulingGates); the rest of the template is immutable.
  const mutableScheduling = prev.suspend === true && !objOf(old.status).startTime;
  const tpl = (t: unknown) => {
    if (!mutableScheduling) return t;
    const c = structuredClone(objOf(t));
    const meta = objOf(c.metadata);
    delete meta.labels;
    delete meta.annotations;
    const podSpec = objOf(c.spec);
    for (const f of ['nodeSelector', 'affinity', 'tolerations', 'schedulingGates'])
      delete podSpec[f];
    return c;
  };
  errs.push(...immutable(tpl(spec.template), tpl(prev.template), 'spec.template'));
  for (const f of [
    'selector',
    'completionMode',
    'podFailurePolicy',
    'backoffLimitPerIndex',
    'manualSelector',
    'successPolicy',
  ])
    errs.push(...immutable(spec[f], prev[f], path.child('spec', f)));
  // k8s: elastic Indexed Jobs may change completions together with parallelism (KEP-3715).
  if (spec.completions !== prev.completions) {
    const elastic = spec.completionMode === 'Indexed' && spec.completions === spec.parallelism;
    if (!elastic)
      errs.push(fieldErr.invalid('spec.completions', spec.completions, 'field is immutable'));
  }
  return errs;
}
