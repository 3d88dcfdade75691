"""An informer's list+watch: list, then watch from the list's resourceVersion, and write back from the cache.

Usage: informer.py configmaps|leases (a plain kind, or a hash-partitioned one whose list resourceVersion is composite).
"""
import sys

from kubernetes import client, watch

from common import check, connect, fresh_namespace, report

api = connect()
v1 = client.CoreV1Api(api)
coord = client.CoordinationV1Api(api)
ns = fresh_namespace(api, "py-informer")


def configmap(name):
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name), data={"v": "0"})


def lease(name):
    return client.V1Lease(metadata=client.V1ObjectMeta(name=name), spec=client.V1LeaseSpec(holder_identity="h0"))


KINDS = {
    "configmaps": dict(make=configmap, create=v1.create_namespaced_config_map, list=v1.list_namespaced_config_map,
                       patch=v1.patch_namespaced_config_map, delete=v1.delete_namespaced_config_map,
                       replace=v1.replace_namespaced_config_map, change={"data": {"v": "1"}}),
    "leases": dict(make=lease, create=coord.create_namespaced_lease, list=coord.list_namespaced_lease,
                   patch=coord.patch_namespaced_lease, delete=coord.delete_namespaced_lease,
                   replace=coord.replace_namespaced_lease, change={"spec": {"holderIdentity": "h1"}}),
}

result = {"namespace": ns}
for kind, k in [(sys.argv[1], KINDS[sys.argv[1]])]:
    for i in range(12):
        k["create"](ns, k["make"](f"{kind}-{i}"))
    listed = k["list"](ns)
    rv = listed.metadata.resource_version
    check(rv, f"{kind}: the list carries a resourceVersion")
    names = sorted(o.metadata.name for o in listed.items)
    check(len(names) == 12, f"{kind}: the list holds all 12 objects, got {len(names)}")

    # Changes made after the list: the watch from the list's resourceVersion must show exactly these.
    k["create"](ns, k["make"](f"{kind}-new"))
    k["patch"](f"{kind}-3", ns, k["change"])
    k["delete"](f"{kind}-5", ns)

    seen = []
    cache = {}
    w = watch.Watch()
    for ev in w.stream(k["list"], ns, resource_version=rv, allow_watch_bookmarks=True, timeout_seconds=20):
        if ev["type"] == "BOOKMARK":
            continue
        obj = ev["object"]
        seen.append([ev["type"], obj.metadata.name])
        cache[obj.metadata.name] = obj
        if len(seen) == 3:
            w.stop()
    # Objects in different partitions have no order between them (each partition's events stay in order).
    check(sorted(seen) == sorted([["ADDED", f"{kind}-new"], ["MODIFIED", f"{kind}-3"], ["DELETED", f"{kind}-5"]]),
          f"{kind}: the watch from the list's resourceVersion replays nothing listed and misses nothing: {seen}")

    # A controller writes from its cache: the object as the watch delivered it, resourceVersion and all.
    cached = cache[f"{kind}-3"]
    if kind == "configmaps":
        cached.data = {"v": "2"}
    else:
        cached.spec.holder_identity = "h2"
    written = k["replace"](f"{kind}-3", ns, cached)
    check(written.metadata.resource_version != cached.metadata.resource_version, f"{kind}: the write got a new resourceVersion")
    result[kind] = {"listed": len(names), "events": seen}

report(result)
