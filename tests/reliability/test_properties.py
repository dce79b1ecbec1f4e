"""Property tests (hypothesis, bounded): version ordering, status derivation, and random sequences
of
operator commands, simulated events and clock advances on a small world, which must never create
two active jobs for a machine nor leave a job unfinished once the clock is past its end."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from reliability_kit import load_world, structural_violations, worlds

from store import operations
from store.clock import parse_iso
from store.db import open_db
from store.engine import sim_actions
from store.engine.status import AgentFacts, agent_blockers, update_status
from store.errors import StoreError
from store.versions import (
    Version,
    VersionError,
    minor_gap,
    reboot_required_for,
    version_key,
    within_support,
)
from store.vocabulary import BlockReason, Component, UpdateStatus

PART = st.integers(min_value=0, max_value=999_999_999)
PARTS = st.tuples(PART, PART, PART, PART)


def text_of(parts: tuple[int, ...]) -> str:
    return ".".join(str(p) for p in parts)


# -- versions --------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(PARTS, PARTS)
def test_version_order_is_the_numeric_order_of_the_parts(a: tuple, b: tuple) -> None:
    va, vb = Version.parse(text_of(a)), Version.parse(text_of(b))
    assert va.parts == a and str(va) == text_of(a)
    assert (va < vb) == (a < b) and (va == vb) == (a == b) and (va > vb) == (a > b)
    assert (version_key(text_of(a)) < version_key(text_of(b))) == (a < b), (
        "the SQLite key keeps the order"
    )
    assert (version_key(text_of(a)) == version_key(text_of(b))) == (a == b)


@settings(max_examples=200, deadline=None)
@given(st.lists(PARTS, min_size=2, max_size=20))
def test_sorting_by_key_sorts_by_version(versions: list[tuple]) -> None:
    texts = [text_of(v) for v in versions]
    assert sorted(texts, key=version_key) == sorted(texts, key=Version.parse)
    assert [Version.parse(t).parts for t in sorted(texts, key=version_key)] == sorted(versions)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
@example("9.66.7643")
@example("9.66.7643.1.1")
@example("9.66.-1.1")
@example("9.66.1234567890.1")
@example("")
@example("....")
def test_parse_rejects_anything_else_with_version_error_only(text: str) -> None:
    try:
        v = Version.parse(text)
    except VersionError:
        return
    assert len(v.parts) == 4 and all(0 <= p <= 999_999_999 for p in v.parts)


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(["\u00b2", "\u00b9", "\u2460", "\u00bd"]))
def test_parse_rejects_unicode_digit_lookalikes_with_version_error(digit: str) -> None:
    with pytest.raises(VersionError):
        Version.parse(f"9.66.{digit}.1")


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 30), st.integers(0, 30))
def test_support_window_and_reboot_rule(minor_a: int, minor_b: int) -> None:
    newer, older = f"9.{60 + max(minor_a, minor_b)}.1.1", f"9.{60 + min(minor_a, minor_b)}.1.1"
    gap = minor_gap(newer, older)
    assert gap == abs(minor_a - minor_b)
    assert within_support(older, newer) == (gap <= 4)
    assert reboot_required_for(newer, older) == (gap > 4)


# -- status derivation
# ----------------------------------------------------------------------------------

MINOR = st.integers(55, 70)
BLOCKER = {"reason": "AgentNoHeartbeat", "message": "m", "recommended_action": "a"}


@settings(max_examples=400, deadline=None)
@given(MINOR, st.one_of(st.none(), MINOR), st.booleans(), st.booleans(), st.booleans())
def test_update_status_precedence(
    version: int, latest: int | None, blocked: bool, active: bool, failed: bool
) -> None:
    v, lv = f"9.{version}.1.1", None if latest is None else f"9.{latest}.1.1"
    status = update_status(
        v, lv, [BLOCKER] if blocked else [], active_job=active, last_job_failed=failed
    )
    behind = lv is not None and version < latest
    if active:
        assert status is UpdateStatus.UPDATING, "an active job shows Updating, whatever else holds"
    elif not behind:
        assert status is UpdateStatus.UP_TO_DATE, (
            "on (or past) the latest: up to date, never blocked or failed"
        )
    elif failed:
        assert status is UpdateStatus.FAILED, (
            "the last job failed: the item links to it (before blockers)"
        )
    elif blocked:
        assert status is UpdateStatus.BLOCKED
    else:
        assert status is UpdateStatus.UPDATE_AVAILABLE


@settings(max_examples=400, deadline=None)
@given(MINOR, MINOR, MINOR, st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_agent_blockers_follow_the_rules(
    version: int,
    latest: int,
    at_reboot: int,
    pending: bool,
    heartbeat: bool,
    azure: bool,
    stale_appliance: bool,
) -> None:
    facts = AgentFacts(
        agent_version=f"9.{version}.1.1",
        latest=f"9.{latest}.1.1",
        version_at_reboot=f"9.{at_reboot}.1.1",
        pending_reboot=pending,
        agent_heartbeat=heartbeat,
        appliance="appl",
        appliance_azure_connected=azure,
        latest_requires={"process-server": "9.66.7614.1"},
        appliance_components={"process-server": "9.65.1.1" if stale_appliance else "9.66.7614.1"},
    )
    reasons = [b.reason for b in agent_blockers(facts)]
    if version >= latest:
        assert reasons == [], "nothing blocks a machine that is already current"
        return
    assert (BlockReason.REBOOT_REQUIRED.value in reasons) == (pending or latest - at_reboot > 4)
    assert (BlockReason.MISSING_UPGRADE_PATH.value in reasons) == (latest - version > 4)
    assert (BlockReason.AGENT_NO_HEARTBEAT.value in reasons) == (not heartbeat)
    assert (BlockReason.PROCESS_SERVER_NO_HEARTBEAT.value in reasons) == (not azure)
    assert (BlockReason.RCM_PROXY_NO_HEARTBEAT.value in reasons) == (not azure)
    assert (BlockReason.INCOMPATIBLE_APPLIANCE.value in reasons) == stale_appliance
    assert len(reasons) == len(set(reasons)), "each reason once"
    if pending or latest - at_reboot > 4:
        assert reasons[0] == BlockReason.REBOOT_REQUIRED.value, (
            "the portal lists RebootRequired first"
        )


# -- random operator sessions
# --------------------------------------------------------------------------

MACHINES = ["m0", "m1", "m2", "m3", "m4"]
APPLIANCES = ["appl-a", "appl-b"]
CODES = ["95524", "95265", "78174", "806", "20501"]
SLUGS = [c.value for c in Component]
STEP_MINUTES = [1, 4, 11, 30, 95, 360, 1440]
MARGIN = timedelta(minutes=1)


def session_world() -> dict:
    items = [
        worlds.machine("m0", appliance="appl-a"),
        worlds.machine("m1", appliance="appl-a"),
        worlds.machine("m2", appliance="appl-a", version_at_reboot=worlds.OLD),
        worlds.machine("m3", appliance="appl-b"),
        worlds.machine("m4", appliance="appl-b", version=worlds.OLD),
    ]
    appliances = [
        worlds.appliance("appl-a"),
        {**worlds.appliance("appl-b"), "components": dict(worlds.OLD_COMPONENTS)},
    ]
    return worlds.world(
        items=items,
        appliances=appliances,
        start="2026-12-17T04:20:00Z",
        vaults=[
            {"name": "vault-east", "time_zone": "America/New_York", "max_concurrent_updates": 2}
        ],
    )


class OperatorSession(RuleBasedStateMachine):
    """An operator and a misbehaving fleet, at random; the invariants hold after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="asr-prop-"))
        self.db = None
        self.releases = 0
        self.steps: list[str] = []

    @initialize()
    def load(self) -> None:
        path = load_world(self.folder / "session.db", session_world())
        self.db = open_db(path)

    def teardown(self) -> None:
        try:
            if self.db is not None:
                # Quiet time: nothing new is asked; every job must end, the nightly runs' too.
                self._do("final advance", operations.clock_advance, self.db, timedelta(days=3))
                now = self._now()
                stuck = self.db.conn.execute(
                    "SELECT id, state, created_time FROM jobs WHERE state IN ('NotStarted',"
                    " 'InProgress', 'Cancelling') AND created_time <= ?",
                    ((now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),),
                ).fetchall()
                assert not stuck, f"jobs never finished: {stuck}\nsteps: {self.steps}"
                self.always()
        finally:
            if self.db is not None:
                self.db.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    # -- helpers --------------------------------------------------------------------------------
    def _do(self, what: str, fn, *args) -> None:
        self.steps.append(what)
        try:
            fn(*args)
        except StoreError:
            pass  # a refusal or bad input is a legitimate answer; anything else is a bug

    def _now(self):
        return parse_iso(self.db.conn.execute("SELECT now FROM clock WHERE id = 1").fetchone()[0])

    def _job_ids(self) -> list[str]:
        return [j for (j,) in self.db.conn.execute("SELECT id FROM jobs ORDER BY seq")]

    # -- operator commands ----------------------------------------------------------------------
    @rule(names=st.lists(st.sampled_from(MACHINES), min_size=1, max_size=3))
    def update(self, names: list[str]) -> None:
        self._do(f"update {names}", operations.update, self.db, names)

    @rule()
    def update_all(self) -> None:
        self._do("update --all-eligible", operations.update_all_eligible, self.db, None)

    @precondition(lambda self: self.db is not None and self._job_ids())
    @rule(pick=st.integers(0, 1000))
    def retry(self, pick: int) -> None:
        ids = self._job_ids()
        self._do(f"retry #{pick % len(ids)}", operations.retry, self.db, ids[pick % len(ids)])

    @precondition(lambda self: self.db is not None and self._job_ids())
    @rule(pick=st.integers(0, 1000))
    def cancel(self, pick: int) -> None:
        ids = self._job_ids()
        self._do(f"cancel #{pick % len(ids)}", operations.cancel, self.db, ids[pick % len(ids)])

    @rule(on=st.booleans())
    def toggle(self, on: bool) -> None:
        self._do(f"auto-update {on}", operations.set_auto_update, self.db, 1, on)

    @rule(appliance=st.sampled_from(APPLIANCES), slug=st.sampled_from(SLUGS))
    def component_update(self, appliance: str, slug: str) -> None:
        self._do(
            f"appliance update {appliance} {slug}",
            operations.update_component,
            self.db,
            appliance,
            slug,
        )

    @rule(appliance=st.sampled_from(APPLIANCES), off=st.booleans())
    def registry(self, appliance: str, off: bool) -> None:
        if off:
            self._do(
                f"registry set {appliance}",
                operations.registry_set,
                self.db,
                appliance,
                "AutoUpdate",
                0,
            )
        else:
            self._do(
                f"registry delete {appliance}",
                operations.registry_delete,
                self.db,
                appliance,
                "AutoUpdate",
            )

    # -- the simulated fleet ----------------------------------------------------------------------
    @rule(name=st.sampled_from(MACHINES))
    def pending_reboot(self, name: str) -> None:
        self._do(f"sim pending-reboot {name}", sim_actions.pending_reboot, self.db, name)

    @rule(name=st.sampled_from(MACHINES))
    def reboot(self, name: str) -> None:
        self._do(f"sim reboot {name}", sim_actions.reboot, self.db, name)

    @rule(name=st.sampled_from(MACHINES + APPLIANCES), connected=st.booleans())
    def connectivity(self, name: str, connected: bool) -> None:
        self._do(
            f"sim {'connect' if connected else 'disconnect'} {name}",
            sim_actions.set_connected,
            self.db,
            name,
            connected,
        )

    @rule(name=st.sampled_from(MACHINES), code=st.sampled_from(CODES))
    def fail(self, name: str, code: str) -> None:
        self._do(f"sim fail {name} {code}", sim_actions.fail_next, self.db, name, code)

    @rule(name=st.sampled_from(MACHINES))
    def reinstall(self, name: str) -> None:
        self._do(f"sim reinstall {name}", sim_actions.reinstall, self.db, name)

    @precondition(lambda self: self.releases < 2)
    @rule()
    def release(self) -> None:
        self.releases += 1
        self._do(
            "sim release agent",
            sim_actions.release,
            self.db,
            "agent",
            f"9.67.{7700 + self.releases}.1",
        )

    @rule(minutes=st.sampled_from(STEP_MINUTES))
    def advance(self, minutes: int) -> None:
        self._do(
            f"clock advance {minutes}m",
            operations.clock_advance,
            self.db,
            timedelta(minutes=minutes),
        )

    @rule(seconds=st.integers(1, 900))
    def tick(self, seconds: int) -> None:
        """Short, odd advances: a job's task ends fall anywhere inside them."""
        self._do(
            f"clock advance {seconds}s",
            operations.clock_advance,
            self.db,
            timedelta(seconds=seconds),
        )

    # -- what must always hold
    # ----------------------------------------------------------------------
    @invariant()
    def always(self) -> None:
        if self.db is None:
            return
        conn = self.db.conn
        found = structural_violations(conn)
        assert not found, f"{found}\nsteps: {self.steps}"
        now = self._now()
        for job_id, state, start, total in conn.execute(
            "SELECT j.id, j.state, j.start_time, (SELECT sum(duration_s) FROM tasks t WHERE"
            " t.job_seq = j.seq) FROM jobs j WHERE j.start_time IS NOT NULL AND j.state IN"
            " ('InProgress', 'Cancelling')"
        ):
            end = parse_iso(start) + timedelta(seconds=total)
            assert now < end + MARGIN, (
                f"job {job_id} is {state} at {now}, its tasks end at {end}\n{self.steps}"
            )
        latest = conn.execute(
            "SELECT version FROM releases WHERE component = 'agent' AND channel = 'ga' ORDER BY"
            " version_key DESC LIMIT 1"
        ).fetchone()
        for name, version, blockers, active, failed, status in conn.execute(
            "SELECT name, agent_version, blockers, active_job_id, last_job_failed, status FROM"
            " items"
        ):
            expected = update_status(
                version,
                latest[0] if latest else None,
                json.loads(blockers),
                active_job=active is not None,
                last_job_failed=bool(failed),
            )
            assert status == expected.slug, (
                f"{name}: stored {status}, facts say {expected.slug}\n{self.steps}"
            )


SESSION_EXAMPLES = 30

TestOperatorSessions = OperatorSession.TestCase
TestOperatorSessions.settings = settings(
    max_examples=SESSION_EXAMPLES,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)
