"""Pure JSON shaping of jobs and of long-running operations' status documents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.arm.names import TYPES, VaultScope

if TYPE_CHECKING:
    from store.models import JobView

STATE_DESCRIPTIONS = {"Succeeded": "Completed"}
"""stateDescription where it differs from the state."""
ALLOWED_ACTIONS = {
    "NotStarted": ["Cancel"],
    "InProgress": ["Cancel"],
    "Failed": ["Restart"],
    "Cancelled": ["Restart"],
}
"""What `cancel` and `restart` (the service's cancel and retry) accept in each state."""
OPERATION_STATUS = {
    "NotStarted": "InProgress",
    "InProgress": "InProgress",
    "Cancelling": "InProgress",
    "Succeeded": "Succeeded",
    "Failed": "Failed",
    "Cancelled": "Canceled",
}
"""An update operation's status by its job's state (ARM spells it Canceled)."""
COMPONENT_SCENARIO = "UpdateApplianceComponent"


def _task(job: JobView, position: int) -> dict:
    task = job.tasks[position]
    return {
        "taskId": f"{job.id}-{position}",
        "name": f"Task{position}",
        "friendlyName": task.name,
        "state": task.state,
        "stateDescription": STATE_DESCRIPTIONS.get(task.state, task.state),
        "startTime": task.start_time,
        "endTime": task.end_time,
        "allowedActions": [],
        "taskType": "JobTaskDetails",
        "customDetails": {"instanceType": "JobTaskDetails"},
        "errors": [],
    }


def _errors(job: JobView) -> list[dict]:
    failed = next((n for n, t in enumerate(job.tasks) if t.state == "Failed"), None)
    return [
        {
            "serviceErrorDetails": {
                "code": e.code,
                "message": e.message,
                "possibleCauses": e.possible_causes,
                "recommendedAction": e.recommended_action,
                "activityId": job.id,
            },
            "errorLevel": "Error",
            "creationTime": job.end_time,
            "taskId": None if failed is None else f"{job.id}-{failed}",
        }
        for e in job.errors
    ]


def _affected(job: JobView) -> dict[str, str]:
    pairs = {
        "ApplianceName" if job.component else "ProtectedItemName": job.item,
        "Component": job.component,
        "FromVersion": job.from_version,
        "ToVersion": job.to_version,
        "InitiatedBy": job.initiated_by,
        "CreatedTime": job.created_time,
        "RetryOf": job.retry_of,
        "WaitingReason": job.waiting_reason,
    }
    return {k: v for k, v in pairs.items() if v is not None}


def job(view: JobView, scope: VaultScope) -> dict:
    """A Job: the agent's or a component's update, its tasks and errors; what it allows now."""
    component = view.component is not None
    props: dict[str, Any] = {
        "activityId": view.id,
        "scenarioName": view.scenario,
        "friendlyName": view.name,
        "state": view.state,
        "stateDescription": STATE_DESCRIPTIONS.get(view.state, view.state),
        "tasks": [_task(view, n) for n in range(len(view.tasks))],
        "errors": _errors(view),
        "startTime": view.start_time or view.created_time,
        "endTime": view.end_time,
        "allowedActions": ALLOWED_ACTIONS.get(view.state, []),
        "targetObjectId": scope.appliance_id(view.item) if component else scope.item_id(view.item),
        "targetObjectName": view.item,
        "targetInstanceType": "Appliance" if component else "ProtectionEntity",
        "customDetails": {
            "instanceType": "AsrJobDetails",
            "affectedObjectDetails": _affected(view),
        },
    }
    return {"id": scope.job_id(view.id), "name": view.id, "type": TYPES["job"], "properties": props}


def operation_status(
    scope: VaultScope,
    operation: str,
    status: str,
    view: JobView,
    failure: tuple[str, str] | None = None,
) -> dict:
    """The Azure-AsyncOperation document: `status` (InProgress, Succeeded, Failed, Canceled) and,
    when it failed, ARM's error. Times are the job's."""
    body: dict[str, Any] = {
        "id": f"{scope.prefix}/replicationOperationStatus/{operation}",
        "name": operation,
        "status": status,
        "startTime": view.start_time or view.created_time,
    }
    if status != "InProgress":
        body["endTime"] = view.end_time
    if failure is not None:
        body["error"] = {"code": failure[0], "message": failure[1]}
    return body


def job_failure(view: JobView) -> tuple[str, str]:
    """The error a failed or cancelled job's operation reports: its first error's code and
    message."""
    if view.errors:
        return view.errors[0].code, view.errors[0].message
    if view.state == "Cancelled":
        return "OperationCanceled", f"Job {view.id} ({view.name}) was cancelled."
    return "JobFailed", f"Job {view.id} ({view.name}) ended {view.state}."
