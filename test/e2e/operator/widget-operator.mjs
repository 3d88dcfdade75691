// A small operator written with @kubernetes/client-node, run as a pod: it loads its in-cluster
// config (its projected ServiceAccount token, and the API through the kubernetes Service), watches Widgets and keeps one ConfigMap per Widget
// holding its spec.color. Once it has reconciled, it tries one write its Role does not grant.
import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';

const root = process.env.EDGEPLANE_SERVICEACCOUNT_ROOT;
const kc = new k8s.KubeConfig();
kc.loadFromCluster(root);
// Where in-cluster config points: the kubernetes Service (KUBERNETES_SERVICE_HOST/PORT).
console.log(`server ${kc.getCurrentCluster().server}`);
const ns = fs.readFileSync(
  `${root}/var/run/secrets/kubernetes.io/serviceaccount/namespace`,
  'utf8',
);
const core = kc.makeApiClient(k8s.CoreV1Api);
const group = { group: 'example.com', version: 'v1', plural: 'widgets' };

async function reconcile(widget) {
  const name = `widget-${widget.metadata.name}`;
  const body = {
    metadata: {
      name,
      ownerReferences: [
        {
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          name: widget.metadata.name,
          uid: widget.metadata.uid,
        },
      ],
    },
    data: { color: String(widget.spec?.color ?? '') },
  };
  try {
    const cm = await core.readNamespacedConfigMap({ name, namespace: ns });
    if (cm.data?.color === body.data.color) return;
    await core.replaceNamespacedConfigMap({
      name,
      namespace: ns,
      body: {
        ...body,
        metadata: { ...body.metadata, resourceVersion: cm.metadata.resourceVersion },
      },
    });
  } catch (e) {
    if (e.code !== 404) throw e;
    await core.createNamespacedConfigMap({ namespace: ns, body });
  }
  console.log(`reconciled ${widget.metadata.name} color=${body.data.color}`);
}

const informer = k8s.makeInformer(
  kc,
  `/apis/${group.group}/${group.version}/namespaces/${ns}/${group.plural}`,
  () =>
    kc.makeApiClient(k8s.CustomObjectsApi).listNamespacedCustomObject({ ...group, namespace: ns }),
);
const run = (w) =>
  reconcile(w).catch((e) =>
    console.log(`reconcile ${w.metadata.name} failed: ${e.code ?? ''} ${e.message}`),
  );
informer.on('add', run);
informer.on('update', run);
informer.on('error', (e) => {
  console.log(`watch error: ${e?.message ?? e}`);
  setTimeout(() => informer.start(), 1000);
});
await informer.start();
console.log('informer started');

try {
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'not-mine' } } });
  console.log('secret create allowed');
} catch (e) {
  console.log(`secret create refused: ${e.code} ${JSON.parse(e.body ?? '{}').message ?? ''}`);
}
