"""OpenAPI links: from a response that names a request to the operations on that request."""

from typing import Any

REQUEST_PATH = "/api/v1/requests/{request_id}"

# (link name, path under the request, method, who may follow it)
_OPERATIONS = (
    ("GetStatus", "", "get", "the sender or the centre reads the status"),
    ("Withdraw", "/withdrawal", "post", "the sender withdraws it"),
    ("ProveService", "/proof-of-service", "post", "the sender records that the applicant has the decision"),
    ("Appoint", "/appointment", "post", "the centre appoints a lawyer"),
    ("Decide", "/decision", "post", "the centre decides an application"),
    ("Replace", "/replacement", "post", "the centre replaces the lawyer"),
    ("Terminate", "/termination", "post", "the centre ends the aid (LAL 48)"),
    ("RecordObjection", "/objection", "post", "the centre records the bureau's decision (LAL 49)"),
    ("RequestMaterials", "/materials-request", "post", "the centre asks once for missing materials (LAL 43)"),
    ("SupplyMaterials", "/materials", "post", "the sender supplies the missing materials"),
)


def operation_ref(path: str, method: str) -> str:
    """A JSON pointer to an operation of this document (RFC 6901 escapes `~` and `/`)."""
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


def request_links() -> dict[str, dict[str, Any]]:
    """Links from a body whose `id` is a gateway id to every operation on that request."""
    return {
        name: {
            "operationRef": operation_ref(REQUEST_PATH + suffix, method),
            "parameters": {"request_id": "$response.body#/id"},
            "description": description,
        }
        for name, suffix, method, description in _OPERATIONS
    }


def linked_responses(*statuses: int) -> dict[str, Any]:
    """`@blp.doc(**linked_responses(202, 200))`: these responses link to the request's operations."""
    return {"responses": {status: {"links": request_links()} for status in statuses}}
