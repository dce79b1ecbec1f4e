"""Each ARM operation, run on a store worker thread: `updateMobilityService` is `update`, `restart`
is `retry`, `cancel` is `cancel`, the mapping's `enableAgentAutoUpgrade` is the vault's switch.
Long-running ones answer 202 with Azure-AsyncOperation and Location; their status follows the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from aiohttp import web

from store.errors import BadInput, Refused
from store.job_queries import JobQuery
from store.queries import ItemQuery
from store.vocabulary import ACTIVE_JOB_CODE, JobState
from tui.arm import jobs_shapes, routes, shapes
from tui.arm.names import PROVIDER, RESOURCE_GROUP, VaultScope, machine_name, resource_name
from tui.arm.server import ArmError, Backend, Settings, json_response, refusal_error

if TYPE_CHECKING:
    from store.models import JobView
    from store.service import Service, VaultInfo

PAGE = 1000
"""Items a collection page holds at most."""
FIRST_PAGE = 100
"""A listing's first page is smaller, so a script sees its first items soon: the SDK builds its
models a page at a time, ~0.25 s for 1,000 items (benchmarks/t_arm.py)."""
SCENARIOS = {s.lower(): s for s in ("UpdateMobilityService", "UpdateApplianceComponent")}
STATES = {s.value.lower(): s.value for s in JobState} | {"canceled": "Cancelled"}


@dataclass
class Call:
    """One request, checked: its route's names, api-version and JSON body."""

    request: web.Request
    backend: Backend
    settings: Settings
    params: dict[str, str]
    api_version: str
    body: Any

    def link(self, path: str, **query: str | None) -> str:
        """An absolute URL on this server (pollers follow them as given)."""
        pairs = {
            "api-version": self.api_version,
            **{k: v for k, v in query.items() if v is not None},
        }
        text = urlencode(pairs, quote_via=quote, safe="$")
        return f"{self.request.scheme}://{self.request.host}{path}?{text}"


def _not_found(what: str) -> ArmError:
    return ArmError(404, "ResourceNotFound", f"{what} was not found.")


def _vault(svc: Service, call: Call) -> tuple[VaultInfo, VaultScope, VaultScope]:
    """The vault the path names (exactly, else case-insensitively), its ids and its URL paths."""
    name = call.params["vault"]
    vaults = svc.vaults()
    found = [v for v in vaults if v.name == name] or [
        v for v in vaults if v.name.casefold() == name.casefold()
    ]
    if len(found) != 1:
        raise _not_found(
            f"The Resource '{PROVIDER}/vaults/{name[:90]}' under resource group '{RESOURCE_GROUP}'"
        )
    vault = found[0]
    return vault, VaultScope(vault.name), VaultScope(vault.name, url=True)


def _check(call: Call, scope: VaultScope, *kinds: str) -> None:
    """The fabric, container or mapping the path names is the vault's own."""
    for kind in kinds:
        given = call.params[kind]
        if given.casefold() != getattr(scope, kind).casefold():
            raise _not_found(f"The {kind} '{given[:90]}' of vault '{scope.vault[:90]}'")


def _machine(call: Call) -> str:
    name = machine_name(call.params["item"])
    if name is None:
        raise _not_found(f"The protected item '{call.params['item'][:90]}'")
    return name


def _job(svc: Service, vault: VaultInfo, job_id: str) -> JobView:
    try:
        view = svc.job(job_id)
    except BadInput:
        view = None
    if view is None or view.vault != vault.name:
        raise _not_found(f"The job '{job_id[:90]}' of vault '{vault.name[:90]}'")
    return view


def _page(call: Call, value: list[dict], token: str | None, **query: str | None) -> web.Response:
    body: dict[str, Any] = {"value": value}
    if token is not None:
        body["nextLink"] = call.link(call.request.rel_url.raw_path, **query, skipToken=token)
    return json_response(body)


def _accepted(call: Call, url: VaultScope, operation: str, location: str) -> web.Response:
    return json_response(
        None,
        202,
        {
            "Azure-AsyncOperation": call.link(
                f"{url.prefix}/replicationOperationStatus/{operation}"
            ),
            "Location": call.link(location),
            "Retry-After": str(call.settings.retry_after),
        },
    )


def _object(value: Any, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ArmError(400, "InvalidRequestContent", f"{where} must be a JSON object.")
    return value


# -- replicated items
# -------------------------------------------------------------------------------------


def list_items(svc: Service, call: Call) -> web.Response:
    vault, scope, _url = _vault(svc, call)
    if "fabric" in call.params:
        _check(call, scope, "fabric", "container")
    token = call.request.query.get("skipToken")
    after = None if token is None else machine_name(token)
    if token is not None and after is None:
        raise ArmError(400, "InvalidSkipToken", "The skipToken is not one this endpoint gave.")
    size = FIRST_PAGE if token is None else PAGE
    found = svc.item_records(vault.id, after=after, limit=size + 1)
    value = [shapes.protected_item(r, scope) for r in found[:size]]
    return _page(call, value, resource_name(found[size - 1].name) if len(found) > size else None)


def get_item(svc: Service, call: Call) -> web.Response:
    vault, scope, _url = _vault(svc, call)
    _check(call, scope, "fabric", "container")
    rec = svc.item_record(vault.id, _machine(call))
    if rec is None:
        raise _not_found(f"The protected item '{call.params['item'][:90]}'")
    return json_response(shapes.protected_item(rec, scope))


def update_mobility_service(svc: Service, call: Call) -> web.Response:
    """`update NAME`: one job (202), or the refusal: 409 while a job runs, else 400 with the first
    reason as the code (AlreadyOnLatestVersion, RebootRequired...) and every blocker in details."""
    props = _object(_object(call.body, "The body").get("properties"), "properties")
    if not isinstance(props.get("runAsAccountId", ""), str | None):
        raise ArmError(400, "InvalidRequestContent", "properties.runAsAccountId must be a string.")
    vault, scope, url = _vault(svc, call)
    _check(call, scope, "fabric", "container")
    name = _machine(call)
    if svc.item_record(vault.id, name) is None:
        raise _not_found(f"The protected item '{call.params['item'][:90]}'")
    outcome = svc.update([name])
    if outcome.refused:
        refusal = outcome.refused[0]
        details = [{"code": b.reason, "message": b.message} for b in refusal.blockers]
        message = (
            refusal.blockers[0].message
            if refusal.blockers
            else refusal.reasons[0].partition(": ")[2]
        )
        raise ArmError(
            409 if refusal.code == ACTIVE_JOB_CODE else 400, refusal.code, message, details=details
        )
    job = outcome.created[0]
    return _accepted(
        call, url, f"update.{job.id}", f"{url.item_id(name)}/operationresults/{job.id}"
    )


def item_operation_result(svc: Service, call: Call) -> web.Response:
    """Location of an update: 202 while its job runs, the updated item once it succeeded."""
    vault, scope, _url = _vault(svc, call)
    _check(call, scope, "fabric", "container")
    name = _machine(call)
    view = _job(svc, vault, call.params["job"])
    if view.item != name or view.component is not None:
        raise _not_found(f"The operation result '{call.params['job'][:90]}'")
    if JobState(view.state).active:
        return json_response(
            None,
            202,
            {
                "Location": call.link(call.request.rel_url.raw_path),
                "Retry-After": str(call.settings.retry_after),
            },
        )
    if view.state != JobState.SUCCEEDED.value:
        raise ArmError(400, *jobs_shapes.job_failure(view))
    return json_response(shapes.protected_item(svc.item_record(vault.id, name), scope))


# -- jobs
# --------------------------------------------------------------------------------------------------


def list_jobs(svc: Service, call: Call) -> web.Response:
    vault, scope, _url = _vault(svc, call)
    text = call.request.query.get("$filter")
    try:
        wanted = routes.job_filter(text)
    except routes.BadFilter as exc:
        raise ArmError(400, "InvalidFilter", str(exc)) from None
    state = wanted.get("state")
    if state is not None and state.lower() not in STATES:
        raise ArmError(
            400,
            "InvalidFilter",
            f"unknown job state {state[:40]!r}; use one of {', '.join(s.value for s in JobState)}",
        )
    q = JobQuery(
        vault_id=vault.id,
        state=STATES.get((state or "").lower()),
        scenario=SCENARIOS.get(wanted.get("scenario", "").lower(), wanted.get("scenario")),
    )
    if "target" in wanted:
        try:
            q = svc.jobs_of(q, wanted["target"])
        except BadInput:
            return _page(call, [], None)
    token = call.request.query.get("skipToken")
    if token is not None and not (token.isascii() and token.isdigit() and len(token) < 19):
        raise ArmError(400, "InvalidSkipToken", "The skipToken is not one this endpoint gave.")
    size = FIRST_PAGE if token is None else PAGE
    found = svc.job_page(q, limit=size + 1, after_seq=None if token is None else int(token))
    value = [jobs_shapes.job(view, scope) for _seq, view in found[:size]]
    return _page(
        call, value, str(found[size - 1][0]) if len(found) > size else None, **{"$filter": text}
    )


def get_job(svc: Service, call: Call) -> web.Response:
    vault, scope, _url = _vault(svc, call)
    return json_response(jobs_shapes.job(_job(svc, vault, call.params["job"]), scope))


def cancel_job(svc: Service, call: Call) -> web.Response:
    """`cancel JOB`: done once the job is Cancelling (it stops at its next task) or Cancelled."""
    vault, _scope, url = _vault(svc, call)
    view = _job(svc, vault, call.params["job"])
    svc.cancel(view.id)
    return _accepted(
        call, url, f"cancel.{view.id}", f"{url.job_id(view.id)}/operationresults/{view.id}"
    )


def restart_job(svc: Service, call: Call) -> web.Response:
    """`retry JOB`: a new job for the same machine or component, linked to this one."""
    vault, _scope, url = _vault(svc, call)
    view = _job(svc, vault, call.params["job"])
    try:
        new = svc.retry(view.id)
    except Refused as exc:
        raise refusal_error(exc) from None
    return _accepted(
        call, url, f"restart.{new.id}", f"{url.job_id(new.id)}/operationresults/{new.id}"
    )


def job_operation_result(svc: Service, call: Call) -> web.Response:
    """Location of a cancel or a restart: the job (the cancelled one, or the new one)."""
    vault, scope, _url = _vault(svc, call)
    if call.params["result"] != call.params["job"]:
        raise _not_found(f"The operation result '{call.params['result'][:90]}'")
    return json_response(jobs_shapes.job(_job(svc, vault, call.params["job"]), scope))


def operation_status(svc: Service, call: Call) -> web.Response:
    """Azure-AsyncOperation: an update follows its job; a cancel has succeeded once the job is
    Cancelling or Cancelled; a restart once its new job exists."""
    vault, scope, _url = _vault(svc, call)
    kind, _, job_id = call.params["operation"].partition(".")
    if kind not in ("update", "cancel", "restart"):
        raise _not_found(f"The operation '{call.params['operation'][:90]}'")
    view = _job(svc, vault, job_id)
    failure = None
    if kind == "update":
        status = jobs_shapes.OPERATION_STATUS[view.state]
    elif kind == "cancel":
        ended = view.state in (JobState.CANCELLING.value, JobState.CANCELLED.value)
        status = "Succeeded" if ended else "InProgress" if JobState(view.state).active else "Failed"
    else:
        status = "Succeeded"
    if status in ("Failed", "Canceled"):
        failure = jobs_shapes.job_failure(view)
    headers = {"Retry-After": str(call.settings.retry_after)} if status == "InProgress" else None
    return json_response(
        jobs_shapes.operation_status(scope, call.params["operation"], status, view, failure),
        headers=headers,
    )


# -- appliances, the fabric, its container and mapping
# ------------------------------------------------------


def list_appliances(svc: Service, call: Call) -> web.Response:
    vault, scope, _url = _vault(svc, call)
    return _page(
        call, [shapes.replication_appliance(v, scope) for v in svc.appliances(vault.id)], None
    )


def list_fabrics(svc: Service, call: Call) -> web.Response:
    vault, scope, _url = _vault(svc, call)
    return _page(call, [shapes.fabric(scope, svc.appliances(vault.id))], None)


def get_fabric(svc: Service, call: Call) -> web.Response:
    vault, scope, _url = _vault(svc, call)
    _check(call, scope, "fabric")
    return json_response(shapes.fabric(scope, svc.appliances(vault.id)))


def list_containers(svc: Service, call: Call) -> web.Response:
    vault, scope, _url = _vault(svc, call)
    if "fabric" in call.params:
        _check(call, scope, "fabric")
    return _page(
        call, [shapes.container(scope, svc.count_items(ItemQuery(vault_id=vault.id)))], None
    )


def get_container(svc: Service, call: Call) -> web.Response:
    vault, scope, _url = _vault(svc, call)
    _check(call, scope, "fabric", "container")
    return json_response(shapes.container(scope, svc.count_items(ItemQuery(vault_id=vault.id))))


def list_mappings(svc: Service, call: Call) -> web.Response:
    vault, scope, _url = _vault(svc, call)
    if "fabric" in call.params:
        _check(call, scope, "fabric", "container")
    return _page(call, [shapes.mapping(scope, vault.agent_auto_update)], None)


def get_mapping(svc: Service, call: Call) -> web.Response:
    vault, scope, _url = _vault(svc, call)
    _check(call, scope, "fabric", "container", "mapping")
    return json_response(shapes.mapping(scope, vault.agent_auto_update))


def update_mapping(svc: Service, call: Call) -> web.Response:
    """`auto-update on|off`: providerSpecificInput {instanceType: InMageRcm,
    enableAgentAutoUpgrade}."""
    props = _object(_object(call.body, "The body").get("properties"), "properties")
    given = _object(props.get("providerSpecificInput"), "properties.providerSpecificInput")
    if str(given.get("instanceType", "")).lower() != "inmagercm":
        raise ArmError(
            400,
            "InvalidParameter",
            "properties.providerSpecificInput.instanceType must be InMageRcm.",
        )
    flag = given.get("enableAgentAutoUpgrade")
    text = str(flag).lower() if isinstance(flag, str | bool) else ""
    if text not in ("true", "false"):
        raise ArmError(400, "InvalidParameter", 'enableAgentAutoUpgrade must be "true" or "false".')
    vault, scope, _url = _vault(svc, call)
    _check(call, scope, "fabric", "container", "mapping")
    svc.set_auto_update(vault.id, text == "true")
    return json_response(shapes.mapping(scope, text == "true"))


OPERATIONS = {
    name: globals()[name] for name in {op for _p, ms in routes.ROUTES for op in ms.values()}
}
"""Operation name (routes.ROUTES) -> its function."""
