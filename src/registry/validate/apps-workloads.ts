// DaemonSet, StatefulSet and ControllerRevision validation.
// k8s: pkg/apis/apps/validation/validation.go ValidateDaemonSet*, ValidateStatefulSet*, ValidateControllerRevision*
import type { KObject } from '../../api/types';
import { fieldErr, path, type FieldError } from '../field-errors';
import { asArr, asObj, immutable, isSet, nonNegative, objOf, semanticEqual } from './fields';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta';
import { APPS_META, validateSelectorAndTemplate } from './replicaset';
import { validatePvcSpec } from './storage';

const PERCENT_MSG =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
const isPercent = (v: unknown): v is string => typeof v === 'string' && /^[0-9]+%$/.test(v);
const intOrPercent = (v: unknown) =>
  typeof v === 'number' ? v : isPercent(v) ? Number.parseInt(v, 10) : 0;

function positiveIntOrPercent(v: unknown, fld: string): FieldError[] {
  if (typeof v === 'string') {
    if (!isPercent(v)) return [fieldErr.invalid(fld, v, PERCENT_MSG)];
    return Number.parseInt(v, 10) > 100
      ? [fieldErr.invalid(fld, v, 'must not be greater than 100%')]
      : [];
  }
  if (typeof v === 'number' || !isSet(v)) return nonNegative(v, fld);
  return [fieldErr.invalid(fld, v, "must be an integer or percentage (e.g '5%%')")];
}

function validateDaemonSetUpdateStrategy(sIn: unknown): FieldError[] {
  const s = objOf(sIn);
  const fld = 'spec.updateStrategy';
  if (s.type === 'OnDelete') return [];
  if (s.type !== 'RollingUpdate')
    return [
      fieldErr.notSupported(path.child(fld, 'type'), s.type ?? '', ['OnDelete', 'RollingUpdate']),
    ];
  const ru = asObj(s.rollingUpdate);
  if (!ru) return [fieldErr.required(path.child(fld, 'rollingUpdate'))];
  const mu = 'spec.updateStrategy.rollingUpdate.maxUnavailable';
  const ms = 'spec.updateStrategy.rollingUpdate.maxSurge';
  const errs = [
    ...positiveIntOrPercent(ru.maxUnavailable, mu),
    ...positiveIntOrPercent(ru.maxSurge, ms),
  ];
  const unavailable = intOrPercent(ru.maxUnavailable);
  const surge = intOrPercent(ru.maxSurge);
  if (unavailable === 0 && surge === 0)
    errs.push(fieldErr.invalid(mu, ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
  if (unavailable !== 0 && surge !== 0)
    errs.push(fieldErr.invalid(ms, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
  return errs;
}

function validateDaemonSetSpec(ds: KObject): FieldError[] {
  const spec = objOf(ds.spec);
  return [
    ...validateSelectorAndTemplate(spec),
    ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
    ...nonNegative(spec.templateGeneration, 'spec.templateGeneration'),
    ...validateDaemonSetUpdateStrategy(spec.updateStrategy),
  ];
}

const DS_STATUS = [
  'currentNumberScheduled',
  'numberMisscheduled',
  'desiredNumberScheduled',
  'numberReady',
  'observedGeneration',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
  'collisionCount',
];

const nonNegativeStatus = (statusIn: unknown, fields: string[]) =>
  fields.flatMap((f) => nonNegative(objOf(statusIn)[f], path.child('status', f)));

export function validateDaemonSet(ds: KObject): FieldError[] {
  return [...validateObjectMeta(ds.metadata, APPS_META), ...validateDaemonSetSpec(ds)];
}

export function validateDaemonSetUpdate(ds: KObject, old: KObject): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(ds.metadata, old.metadata),
    ...validateDaemonSetSpec(ds),
  ];
  errs.push(...immutable(objOf(ds.spec).selector, objOf(old.spec).selector, 'spec.selector'));
  if (!semanticEqual(ds.status, old.status)) errs.push(...nonNegativeStatus(ds.status, DS_STATUS));
  return errs;
}

const POLICIES = ['OrderedReady', 'Parallel'];
const RETENTION = ['Retain', 'Delete'];

function validateStatefulSetSpec(sts: KObject): FieldError[] {
  const spec = objOf(sts.spec);
  const errs: FieldError[] = [];
  if (!POLICIES.includes(String(spec.podManagementPolicy)))
    errs.push(
      fieldErr.notSupported('spec.podManagementPolicy', spec.podManagementPolicy ?? '', POLICIES),
    );
  const us = objOf(spec.updateStrategy);
  if (us.type === 'OnDelete') {
    if (isSet(us.rollingUpdate))
      errs.push(
        fieldErr.invalid(
          'spec.updateStrategy.rollingUpdate',
          us.rollingUpdate,
          "only allowed for updateStrategy 'RollingUpdate'",
        ),
      );
  } else if (us.type === 'RollingUpdate') {
    const ru = objOf(us.rollingUpdate);
    errs.push(...nonNegative(ru.partition, 'spec.updateStrategy.rollingUpdate.partition'));
    if (isSet(ru.maxUnavailable)) {
      const mu = 'spec.updateStrategy.rollingUpdate.maxUnavailable';
      errs.push(...positiveIntOrPercent(ru.maxUnavailable, mu));
      if (intOrPercent(ru.maxUnavailable) === 0)
        errs.push(fieldErr.invalid(mu, ru.maxUnavailable, 'must be greater than 0'));
    }
  } else {
    errs.push(
      fieldErr.notSupported('spec.updateStrategy.type', us.type ?? '', [
        'OnDelete',
        'RollingUpdate',
      ]),
    );
  }
  const retention = objOf(spec.persistentVolumeClaimRetentionPolicy);
  for (const f of ['whenDeleted', 'whenScaled']) {
    if (!RETENTION.includes(String(retention[f])))
      errs.push(
        fieldErr.notSupported(
          `spec.persistentVolumeClaimRetentionPolicy.${f}`,
          retention[f] ?? '',
          RETENTION,
        ),
      );
  }
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  errs.push(...nonNegative(objOf(spec.ordinals).start, 'spec.ordinals.start'));
  // The containers may mount the claim templates by name: they become the pod's volumes.
  const tpl = objOf(spec.template);
  const podSpec = objOf(tpl.spec);
  const claimVolumes = asArr(spec.volumeClaimTemplates)
    .map((t) => String(objOf(objOf(t).metadata).name ?? ''))
    .filter((n) => n && !asArr(podSpec.volumes).some((v) => objOf(v).name === n))
    .map((n) => ({ name: n, persistentVolumeClaim: { claimName: n } }));
  errs.push(
    ...validateSelectorAndTemplate({
      ...spec,
      template: {
        ...tpl,
        spec: { ...podSpec, volumes: [...asArr(podSpec.volumes), ...claimVolumes] },
      },
    }),
  );
  for (const [i, t] of asArr(spec.volumeClaimTemplates).entries()) {
    const fld = path.index('spec.volumeClaimTemplates', i);
    const meta = objOf(objOf(t).metadata);
    if (!meta.name)
      errs.push(
        fieldErr.required(path.child(fld, 'metadata.name'), 'name or generateName is required'),
      );
    else
      for (const m of nameIsDNSSubdomain(String(meta.name), false))
        errs.push(fieldErr.invalid(path.child(fld, 'metadata.name'), meta.name, m));
    errs.push(...validatePvcSpec(objOf(t).spec, path.child(fld, 'spec')));
  }
  return errs;
}

const STS_STATUS = [
  'replicas',
  'readyReplicas',
  'currentReplicas',
  'updatedReplicas',
  'availableReplicas',
  'observedGeneration',
  'collisionCount',
];

export function validateStatefulSet(sts: KObject): FieldError[] {
  return [...validateObjectMeta(sts.metadata, APPS_META), ...validateStatefulSetSpec(sts)];
}

// k8s: ValidateStatefulSetUpdate: only these spec fields may change.
const STS_MUTABLE = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
  'revisionHistoryLimit',
];

export function validateStatefulSetUpdate(sts: KObject, old: KObject): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(sts.metadata, old.metadata),
    ...validateStatefulSetSpec(sts),
  ];
  const strip = (s: unknown) => {
    const copy = { ...objOf(s) };
    for (const f of STS_MUTABLE) delete copy[f];
    return copy;
  };
  if (!semanticEqual(strip(sts.spec), strip(old.spec)))
    errs.push(
      fieldErr.forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  if (!semanticEqual(sts.status, old.status))
    errs.push(...nonNegativeStatus(sts.status, STS_STATUS));
  return errs;
}

export function validateControllerRevision(cr: KObject): FieldError[] {
  const errs = validateObjectMeta(cr.metadata, APPS_META);
  if (!isSet(cr.revision)) return errs;
  if (typeof cr.revision !== 'number')
    errs.push(fieldErr.invalid('revision', cr.revision, 'must be an integer'));
  else errs.push(...nonNegative(cr.revision, 'revision'));
  return errs;
}

export function validateControllerRevisionUpdate(cr: KObject, old: KObject): FieldError[] {
  return [
    ...validateObjectMetaUpdate(cr.metadata, old.metadata),
    ...validateControllerRevision(cr),
    ...immutable(cr.data, old.data, 'data'),
  ];
}
