"""CRUD of several kinds through the typed APIs: create, read, list by label, replace, strategic merge and
JSON patches, and delete with preconditions (a stale resourceVersion or a wrong UID is a 409)."""
import datetime

from kubernetes import client
from kubernetes.client.rest import ApiException

from common import check, connect, fresh_namespace, report

api = connect()
v1 = client.CoreV1Api(api)
apps = client.AppsV1Api(api)
coord = client.CoordinationV1Api(api)
ns = fresh_namespace(api, "py-crud")
meta = lambda name: client.V1ObjectMeta(name=name, labels={"suite": "py"})  # noqa: E731
pod_spec = lambda: client.V1PodSpec(containers=[client.V1Container(name="app", image="busybox", command=["sleep", "1000"])])  # noqa: E731
now = datetime.datetime.now(datetime.timezone.utc)

# kind -> (api, method suffix, body, a strategic merge patch, a JSON patch, what to read back)
KINDS = {
    "ConfigMap": (v1, "config_map", client.V1ConfigMap(metadata=meta("cm"), data={"a": "1"}),
                  {"data": {"b": "2"}}, [{"op": "add", "path": "/data/c", "value": "3"}], lambda o: o.data),
    "Secret": (v1, "secret", client.V1Secret(metadata=meta("sec"), string_data={"user": "admin"}),
               {"data": {"pw": "c2VjcmV0"}}, [{"op": "replace", "path": "/type", "value": "Opaque"}], lambda o: sorted(o.data)),
    "ServiceAccount": (v1, "service_account", client.V1ServiceAccount(metadata=meta("sa")),
                       {"automountServiceAccountToken": False}, [{"op": "add", "path": "/metadata/annotations", "value": {"x": "y"}}],
                       lambda o: o.automount_service_account_token),
    "Service": (v1, "service", client.V1Service(metadata=meta("svc"), spec=client.V1ServiceSpec(selector={"app": "x"}, ports=[client.V1ServicePort(port=80)])),
                {"spec": {"ports": [{"port": 80, "name": "http"}]}}, [{"op": "add", "path": "/spec/selector/tier", "value": "web"}],
                lambda o: [o.spec.selector, [p.name for p in o.spec.ports], o.status.load_balancer.to_dict()]),
    "Pod": (v1, "pod", client.V1Pod(metadata=meta("pod"), spec=pod_spec()),
            {"metadata": {"labels": {"p": "1"}}}, [{"op": "add", "path": "/metadata/annotations", "value": {"a": "b"}}],
            lambda o: [o.status.phase, o.spec.containers[0].name, o.metadata.labels["p"]]),
    "Endpoints": (v1, "endpoints", client.V1Endpoints(metadata=meta("ep"), subsets=[client.V1EndpointSubset(addresses=[client.V1EndpointAddress(ip="127.0.0.9")], ports=[client.CoreV1EndpointPort(port=80)])]),
                  {"metadata": {"labels": {"e": "1"}}}, [{"op": "add", "path": "/metadata/annotations", "value": {"a": "b"}}],
                  lambda o: o.subsets[0].ports[0].protocol),
    "Event": (v1, "event", client.CoreV1Event(metadata=meta("ev"), involved_object=client.V1ObjectReference(kind="Pod", name="pod", namespace=ns), reason="Test", message="hello", type="Normal", first_timestamp=now, last_timestamp=now, count=1),
              {"count": 2}, [{"op": "replace", "path": "/message", "value": "bye"}], lambda o: [o.count, o.message]),
    "Deployment": (apps, "deployment", client.V1Deployment(metadata=meta("dep"), spec=client.V1DeploymentSpec(
                       selector=client.V1LabelSelector(match_labels={"app": "dep"}),
                       template=client.V1PodTemplateSpec(metadata=client.V1ObjectMeta(labels={"app": "dep"}), spec=pod_spec()))),
                   {"spec": {"replicas": 0}}, [{"op": "replace", "path": "/spec/revisionHistoryLimit", "value": 3}],
                   lambda o: [o.spec.replicas, o.spec.revision_history_limit, o.spec.strategy.type]),
    "Lease": (coord, "lease", client.V1Lease(metadata=meta("lease"), spec=client.V1LeaseSpec(holder_identity="me", lease_duration_seconds=10)),
              {"spec": {"holderIdentity": "you"}}, [{"op": "replace", "path": "/spec/leaseDurationSeconds", "value": 20}],
              lambda o: [o.spec.holder_identity, o.spec.lease_duration_seconds]),
}



def retry_on_conflict(fn, attempts=5):
    for i in range(attempts):
        try:
            return fn()
        except ApiException as e:
            if e.status != 409 or i == attempts - 1:
                raise


def labelled(obj):
    obj.metadata.labels["replaced"] = "yes"
    return obj


result = {}
for kind, (a, suffix, body, smp, jsonpatch, view) in KINDS.items():
    call = lambda verb, *args, **kw: getattr(a, f"{verb}_namespaced_{suffix}")(*args, **kw)  # noqa: E731
    name = body.metadata.name
    created = call("create", ns, body)
    check(created.metadata.uid and created.metadata.resource_version, f"{kind}: created with uid and resourceVersion")
    got = call("read", name, ns)
    check(got.metadata.uid == created.metadata.uid, f"{kind}: read returns the created object")
    listed = call("list", ns, label_selector="suite=py")
    check([o.metadata.name for o in listed.items] == [name], f"{kind}: list by label finds exactly it: {[o.metadata.name for o in listed.items]}")
    check(listed.items[0].kind is None or listed.items[0].kind == kind, f"{kind}: list items decode")

    # Controllers may write too (a Deployment's status): read-modify-write retries on 409, as clients do.
    replaced = retry_on_conflict(lambda: call("replace", name, ns, labelled(call("read", name, ns))))
    check(replaced.metadata.labels.get("replaced") == "yes", f"{kind}: replace stored the label")
    try:
        call("replace", name, ns, got)  # got carries a resourceVersion from before the replace
        check(False, f"{kind}: a replace with a stale resourceVersion must fail")
    except ApiException as e:
        check(e.status == 409 and e.reason == "Conflict", f"{kind}: stale replace is 409 Conflict, got {e.status} {e.reason}")

    call("patch", name, ns, smp)  # a dict goes as a strategic merge patch
    patched = call("patch", name, ns, jsonpatch)  # a list goes as a JSON patch
    result[kind] = view(patched)

    stale = client.V1DeleteOptions(preconditions=client.V1Preconditions(resource_version=created.metadata.resource_version))
    wrong_uid = client.V1DeleteOptions(preconditions=client.V1Preconditions(uid="00000000-0000-0000-0000-000000000000"))
    for opts, what in [(stale, "resourceVersion"), (wrong_uid, "uid")]:
        try:
            call("delete", name, ns, body=opts)
            check(False, f"{kind}: delete with a wrong {what} precondition must fail")
        except ApiException as e:
            check(e.status == 409, f"{kind}: delete with a wrong {what} precondition is 409, got {e.status}")

    def delete_current():
        current = call("read", name, ns)
        pre = client.V1Preconditions(uid=current.metadata.uid, resource_version=current.metadata.resource_version)
        return call("delete", name, ns, body=client.V1DeleteOptions(preconditions=pre, grace_period_seconds=0))

    deleted = retry_on_conflict(delete_current)
    # Pods, Services and ServiceAccounts answer with the deleted object (this client types a Service's as
    # V1Status, so only its kind is read); other kinds with a Status Success.
    if kind in ("Pod", "Service", "ServiceAccount"):
        check(deleted.kind == kind, f"{kind}: delete returns the object, got kind {deleted.kind}")
    else:
        check(deleted.status == "Success" and deleted.details.name == name and deleted.details.uid == created.metadata.uid,
              f"{kind}: delete returns a Status Success naming the object: {deleted}")
    try:
        call("read", name, ns)
        check(False, f"{kind}: still there after delete")
    except ApiException as e:
        check(e.status == 404, f"{kind}: read after delete is 404, got {e.status}")

report(result)
