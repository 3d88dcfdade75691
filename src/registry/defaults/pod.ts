// Pod and PodSpec defaults: what the Go defaulters fill in for pods and for pod templates.
// k8s: pkg/apis/core/v1/defaults.go (SetDefaults_Pod, SetDefaults_PodSpec, SetDefaults_Container, ...)
//      and the declarative +default markers in zz_generated.defaults.go
import type { KObject } from '../../api/types';
import { asArr, asNum, asStr, isObj, isSet, objOf, type Obj } from '../validate/fields';
import { each, struct, zero } from './always';

/** The image tag as the kubelet reads it: none and no digest means "latest". */
function imageTag(image: string): string {
  const [nameTag] = image.split('@');
  const colon = nameTag.lastIndexOf(':');
  if (colon > nameTag.lastIndexOf('/')) return nameTag.slice(colon + 1);
  return image.includes('@') ? '' : 'latest';
}

function defaultHTTPGet(h: unknown): void {
  const a = objOf(h);
  if (!isSet(h)) return;
  if (!asStr(a.path)) a.path = '/';
  if (!asStr(a.scheme)) a.scheme = 'HTTP';
}

function defaultHandler(h: unknown): void {
  if (!isSet(h)) return;
  const handler = objOf(h);
  defaultHTTPGet(handler.httpGet);
  if (isSet(handler.grpc) && !isSet(objOf(handler.grpc).service)) objOf(handler.grpc).service = '';
}

function defaultProbe(p: unknown): void {
  if (!isSet(p)) return;
  const probe = objOf(p);
  if (!asNum(probe.timeoutSeconds)) probe.timeoutSeconds = 1;
  if (!asNum(probe.periodSeconds)) probe.periodSeconds = 10;
  if (!asNum(probe.successThreshold)) probe.successThreshold = 1;
  if (!asNum(probe.failureThreshold)) probe.failureThreshold = 3;
  defaultHandler(probe);
}

function defaultFieldRef(ref: unknown): void {
  if (isSet(ref) && !asStr(objOf(ref).apiVersion)) objOf(ref).apiVersion = 'v1';
}

function defaultContainer(c: Obj): void {
  if (!asStr(c.imagePullPolicy))
    c.imagePullPolicy = imageTag(asStr(c.image)) === 'latest' ? 'Always' : 'IfNotPresent';
  if (!asStr(c.terminationMessagePath)) c.terminationMessagePath = '/dev/termination-log';
  if (!asStr(c.terminationMessagePolicy)) c.terminationMessagePolicy = 'File';
  // Go always serialises this struct, so a stored container shows `resources: {}`.
  if (!isSet(c.resources)) c.resources = {};
  for (const port of asArr(c.ports).map(objOf)) {
    if (!asStr(port.protocol)) port.protocol = 'TCP';
  }
  for (const env of asArr(c.env).map(objOf)) defaultFieldRef(objOf(env.valueFrom).fieldRef);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  const lifecycle = objOf(c.lifecycle);
  defaultHandler(lifecycle.postStart);
  defaultHandler(lifecycle.preStop);
}

const VOLUME_SOURCES_WITH_MODE: Record<string, number> = {
  secret: 0o644,
  configMap: 0o644,
  downwardAPI: 0o644,
  projected: 0o644,
};
const ALL_SOURCES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

function defaultVolume(v: Obj): void {
  // A volume with no source at all is an emptyDir.
  if (!ALL_SOURCES.some((k) => isSet(v[k]))) v.emptyDir = {};
  for (const [key, mode] of Object.entries(VOLUME_SOURCES_WITH_MODE)) {
    if (isSet(v[key]) && !isSet(objOf(v[key]).defaultMode)) objOf(v[key]).defaultMode = mode;
  }
  if (isSet(v.hostPath) && !isSet(objOf(v.hostPath).type)) objOf(v.hostPath).type = '';
  for (const item of asArr(objOf(v.downwardAPI).items).map(objOf)) defaultFieldRef(item.fieldRef);
  for (const src of asArr(objOf(v.projected).sources).map(objOf)) {
    const token = src.serviceAccountToken;
    if (isSet(token) && !isSet(objOf(token).expirationSeconds))
      objOf(token).expirationSeconds = 3600;
    for (const item of asArr(objOf(src.downwardAPI).items).map(objOf))
      defaultFieldRef(item.fieldRef);
  }
}

/** SetDefaults_PodSpec and everything nested in it; applies to pods and pod templates alike. */
export function defaultPodSpec(spec: Obj): void {
  if (!asStr(spec.dnsPolicy)) spec.dnsPolicy = 'ClusterFirst';
  if (!asStr(spec.restartPolicy)) spec.restartPolicy = 'Always';
  if (!isSet(spec.securityContext)) spec.securityContext = {};
  if (!isSet(spec.terminationGracePeriodSeconds)) spec.terminationGracePeriodSeconds = 30;
  if (!asStr(spec.schedulerName)) spec.schedulerName = 'default-scheduler';
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    for (const c of asArr(spec[list]).map(objOf)) defaultContainer(c);
  }
  for (const v of asArr(spec.volumes).map(objOf)) defaultVolume(v);
}

/** ContainerStatus: state and lastState are structs; name, ready, restartCount, image and imageID have no omitempty. */
function containerStatusShape(cs: Obj): void {
  zero(cs, { name: '', ready: false, restartCount: 0, image: '', imageID: '' });
  for (const key of ['state', 'lastState']) {
    const state = struct(cs, key);
    if (isObj(state.running)) zero(state.running as Obj, { startedAt: null });
    if (isObj(state.terminated))
      zero(state.terminated as Obj, { exitCode: 0, startedAt: null, finishedAt: null });
  }
}

/** PodStatus as Go writes it: condition times (null when unset), container statuses, pod and host IPs. */
export function podStatusShape(pod: KObject): void {
  const status = struct(pod as Obj, 'status');
  for (const c of each(status.conditions))
    zero(c, { lastProbeTime: null, lastTransitionTime: null });
  for (const list of ['containerStatuses', 'initContainerStatuses', 'ephemeralContainerStatuses']) {
    for (const cs of each(status[list])) containerStatusShape(cs);
  }
  for (const list of ['podIPs', 'hostIPs'])
    for (const ip of each(status[list])) zero(ip, { ip: '' });
}

export function defaultPodTemplateSpec(tpl: unknown): void {
  if (!isSet(tpl)) return;
  const t = objOf(tpl);
  t.spec = objOf(t.spec);
  defaultPodSpec(t.spec as Obj);
}

/** SetDefaults_Pod: rules only a real Pod gets, on top of the PodSpec defaults. */
export function defaultPod(pod: KObject): void {
  const spec = objOf(pod.spec);
  pod.spec = spec;
  // k8s: pkg/registry/core/pod/strategy.go turns a negative grace period into 1 on create.
  if ((asNum(spec.terminationGracePeriodSeconds) ?? 0) < 0) spec.terminationGracePeriodSeconds = 1;
  defaultPodSpec(spec);
  // A container that states limits but no requests asks for exactly its limits.
  for (const list of ['containers', 'initContainers']) {
    for (const c of asArr(spec[list]).map(objOf)) {
      const res = objOf(c.resources);
      const limits = objOf(res.limits);
      if (!isSet(res.limits)) continue;
      const requests = objOf(res.requests);
      for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
      res.requests = requests;
    }
  }
  if (!isSet(spec.enableServiceLinks)) spec.enableServiceLinks = true;
  podStatusShape(pod);
  // With host networking, a container port is its host port.
  if (spec.hostNetwork === true) {
    for (const list of ['containers', 'initContainers']) {
      for (const c of asArr(spec[list]).map(objOf)) {
        for (const port of asArr(c.ports).map(objOf))
          if (!asNum(port.hostPort)) port.hostPort = port.containerPort;
      }
    }
  }
}
