"""The catalogued errors an update job can fail with (asr-facts section 7), and at which task."""

from __future__ import annotations

from store.models import JobError

# code -> (task position it fails at (0 prerequisites, 1 update, 2 register), message, causes,
# action)
CATALOG: dict[str, tuple[int, str, str, str]] = {
    "95524": (
        0,
        "The source machine has less than 100 MB of free disk space.",
        "The system drive of the protected machine is almost full.",
        "Free at least 100 MB of disk space on the source machine, then retry the update.",
    ),
    "95265": (
        1,
        "The Mobility service was updated but a reboot is pending for the filter driver.",
        "Filter driver changes load only after the machine restarts.",
        (
            "Restart the machine when convenient; it is mandatory only more than 4 versions past"
            " the last reboot."
        ),
    ),
    "78174": (
        0,
        "The source machine has no heartbeat with the replication appliance.",
        (
            "The machine is off, the svagents service is stopped, or the network to the appliance"
            " is down."
        ),
        "Check that the machine is running and the svagents service has started, then retry.",
    ),
    "806": (
        1,
        "The process server has no heartbeat.",
        "The process server services on the appliance are stopped or cannot reach Azure.",
        "Check the Process Server services and logs on the appliance, then retry.",
    ),
    "95117": (
        0,
        "The source machine is not reachable from the process server.",
        "The machine is down, or the network, DNS or ports (SSH 22 on Linux) block the connection.",
        "Check connectivity from the appliance to the machine, then retry.",
    ),
    "95517": (
        1,
        "Access denied while copying the Mobility service to the source machine.",
        "The account used lacks administrator rights on the machine.",
        "Use an account with administrator rights, then retry.",
    ),
    "20501": (
        2,
        "The Mobility agent could not register with the RCM proxy on the appliance.",
        "The proxy server certificate has expired or DNS resolution failed.",
        "Upgrade the proxy server, restart the RCM Proxy services, wait one hour, then retry.",
    ),
    "ClientCertificateIsInvalidOrExpired": (
        2,
        "The agent's client certificate is outside its validity window.",
        "The certificate expired before the agent was updated.",
        "Regenerate the configuration file, re-register the agent, then retry.",
    ),
}


def job_error(code: str) -> JobError:
    _task, message, causes, action = CATALOG[code]
    return JobError(code=code, message=message, possible_causes=causes, recommended_action=action)


def failing_task(code: str) -> int:
    return CATALOG[code][0]


def is_known(code: str) -> bool:
    return code in CATALOG
