"""ApiException: HTTP status and reason, and the Status body clients parse (reason, details, causes, field order)."""
import json

from kubernetes import client
from kubernetes.client.rest import ApiException

from common import check, connect, fresh_namespace, report

api = connect()
v1 = client.CoreV1Api(api)
ns = fresh_namespace(api, "py-errors")


def failure(fn):
    try:
        fn()
    except ApiException as e:
        body = e.body.decode() if isinstance(e.body, bytes) else e.body
        status = json.loads(body)
        check(list(status)[:4] == ["kind", "apiVersion", "metadata", "status"] and list(status)[-1] == "code",
              f"Status fields in metav1.Status order: {list(status)}")
        check(body.endswith("}\n"), "a Status body ends with a newline, as Go's json.Encoder writes it")
        check(status["code"] == e.status, f"the Status code matches the HTTP status: {status['code']} vs {e.status}")
        return {"http": [e.status, e.reason], "reason": status["reason"], "message": status["message"], "details": status.get("details")}
    raise AssertionError("the call was expected to fail")


cm = lambda name, **kw: client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name), **kw)  # noqa: E731
v1.create_namespaced_config_map(ns, cm("exists"))
result = {
    "notFound": failure(lambda: v1.read_namespaced_config_map("missing", ns)),
    "alreadyExists": failure(lambda: v1.create_namespaced_config_map(ns, cm("exists"))),
    "invalid": failure(lambda: v1.create_namespaced_config_map(ns, cm("Not_Valid", data={"bad key!": "x"}))),
    "badSelector": failure(lambda: v1.list_namespaced_config_map(ns, label_selector="a in (")),
    # The typed API only sends booleans the client formats itself; a raw call sends what a user typed.
    "badBoolean": failure(lambda: api.call_api(f"/api/v1/namespaces/{ns}/configmaps", "GET", query_params=[("watch", "yes")],
                                               auth_settings=["BearerToken"], response_type="object")),
}
report(result)
