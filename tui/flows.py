"""The operator's procedures across screens: open a machine, update, retry, follow a job and
back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from store.errors import StoreError
from tui.render import safe_text, short_job_id

# The dialogs load when a flow first opens one: none is on the first frame.
if TYPE_CHECKING:
    from store.models import JobView
    from tui.modals.item_actions import ItemAction
    from tui.modals.job_detail import JobAction


class OperatorFlows:
    """Mixed into ConsoleApp: every flow reports its outcome with a notification, never a
    traceback."""

    def report_error(self, exc: StoreError) -> None:
        self.notify(safe_text(str(exc)), severity="error", timeout=8)

    # -- machines -------------------------------------------------------------------------------
    def open_item(self, name: str) -> None:
        """Enter on a machine: the dialog its status calls for."""
        from tui.modals.item_actions import ItemActionModal

        try:
            item = self.service.item(name)
            job = self.service.job(item.last_job_id) if item.last_job_id else None
        except StoreError as exc:
            self.report_error(exc)
            return
        next_check = self.local_time_text(item.next_check_at) if item.next_check_at else ""

        def chosen(action: ItemAction | None) -> None:
            if action is None:
                return
            if action.kind == "update":
                self.update_machines([item.name])
            elif action.kind == "retry" and action.job_id:
                self.retry_job(action.job_id)
            elif action.kind == "open-job" and action.job_id:
                self.open_job(action.job_id)

        self.push_screen(ItemActionModal(item, job, next_check, self.vault.time_zone), chosen)

    def update_machines(self, names: list[str], *, confirm_hidden: int = 0) -> None:
        """Create one job per machine; several machines (or hidden marks) ask first."""
        if not names:
            self.notify("No machine to update.", severity="warning")
            return
        if len(names) == 1 and not confirm_hidden:
            self._create_updates(names)
            return
        from tui.modals.confirm import ConfirmModal

        message = Text(
            f"Update the Mobility agent on {len(names):,} machines? One Site Recovery job "
            "is created per machine; no reboot is needed."
        )
        if confirm_hidden:
            message.append(
                f"\n\n{confirm_hidden:,} of the marked machines are hidden by the current filter.",
                style="bold",
            )
        self.push_screen(
            ConfirmModal("Update Mobility agents", message, ok_label=f"Update {len(names):,}"),
            lambda ok: self._create_updates(names) if ok else None,
        )

    def _create_updates(self, names: list[str]) -> None:
        try:
            outcome = self.service.update(names)
        except StoreError as exc:
            self.report_error(exc)
            return
        self.after_change()
        created, refused = len(outcome.created), outcome.refused
        if created:
            what = outcome.created[0].item if created == 1 else f"{created:,} machines"
            self.notify(
                f"Created {created:,} update job{'s' if created > 1 else ''} for {safe_text(what)}."
                " Press j for Site Recovery jobs.",
                title="Update Mobility Service",
                timeout=6,
            )
        for r in refused[:5]:
            self.notify(
                f"{safe_text(r.name)}: {safe_text(r.reasons[0])}", severity="warning", timeout=8
            )
        if len(refused) > 5:
            self.notify(f"…and {len(refused) - 5:,} more refused.", severity="warning", timeout=8)

    def create_rollout(self) -> None:
        """A staged rollout over every eligible machine of the vault (its form first)."""
        from tui.rollout_flows import open_rollout_form

        open_rollout_form(self, None)

    # -- the clock ------------------------------------------------------------------------------
    def toggle_pause(self) -> None:
        """Pause engine time, or let it run again."""
        try:
            self.service.clock_pause(not self.service.clock().paused)
        except StoreError as exc:
            self.report_error(exc)
            return
        self.after_change()
        self.notify(
            "Engine time paused." if self.service.clock().paused else "Engine time runs.", timeout=3
        )

    # -- jobs -----------------------------------------------------------------------------------
    def open_job(self, job_id: str) -> None:
        from tui.modals.job_detail import JobDetailModal

        try:
            job = self.service.job(job_id)
        except StoreError as exc:
            self.report_error(exc)
            return

        def chosen(action: JobAction | None) -> None:
            if action is None:
                return
            if action.kind == "retry":
                self.retry_job(action.job_id)
            elif action.kind == "cancel":
                self.cancel_job(job)
            elif action.kind == "open-job":
                self.open_job(action.job_id)
            elif action.kind == "goto-item" and action.target:
                self.goto_target(job)

        self.push_screen(JobDetailModal(job, self.job_duration(job), self.vault.time_zone), chosen)

    def retry_job(self, job_id: str) -> None:
        try:
            job = self.service.retry(job_id)
        except StoreError as exc:
            self.report_error(exc)
            return
        self.after_change()
        self.notify(
            f"Retry started for {safe_text(job.item)} (job {short_job_id(job.id)}).",
            title="Retry",
            timeout=6,
        )

    def cancel_job(self, job: JobView) -> None:
        def confirmed(ok: bool | None) -> None:
            if not ok:
                return
            try:
                done = self.service.cancel(job.id)
            except StoreError as exc:
                self.report_error(exc)
                return
            self.after_change()
            self.notify(f"Job for {safe_text(done.item)} is {done.state}.", timeout=5)

        from tui.modals.confirm import ConfirmModal

        message = Text("Cancel the update job for ")
        message.append(safe_text(job.item), style="bold")
        message.append("? A running job stops at its next task boundary.")
        self.push_screen(
            ConfirmModal("Cancel job", message, ok_label="Cancel job", cancel_label="Keep job"),
            confirmed,
        )

    def goto_target(self, job: JobView) -> None:
        """From a job to its machine (the items screen) or its appliance (the appliances screen)."""
        if job.component is not None:
            self.show_appliance(job.item)
        else:
            self.show_item(job.item)

    def update_ids(self, ids: list[int]) -> None:
        """The bulk dialog's OK: one job per chosen machine, created off the UI thread, then say how
        many."""
        if self.read_only:
            self.notify(
                "read-only: this would change the fleet; restart without --read-only",
                severity="error",
            )
            return
        self.notify(f"Creating {len(ids):,} update jobs…", timeout=3)
        self.run_worker(
            lambda: self._create_selected(ids), thread=True, group="bulk", exit_on_error=False
        )

    def _create_selected(self, ids: list[int]) -> None:
        # A thread worker: its own connection (a sqlite3 connection stays on the thread that opened
        # it).
        from store.service import Service

        svc = Service.open(self.db_path, create=False)
        try:
            try:
                created, refused = svc.update_ids(ids, defer_checkpoint=True)
            except StoreError as exc:
                self.call_from_thread(self.report_error, exc)
                return
            self.call_from_thread(self._bulk_done, created, refused)
            svc.checkpoint()  # after the operator has the answer, still off the event loop
        finally:
            svc.close()

    def _bulk_done(self, created: int, refused: int) -> None:
        self.after_change()
        self.notify(
            f"Created {created:,} Site Recovery jobs, one per machine. Press j to follow them.",
            title="Update Mobility agent",
            timeout=8,
        )
        if refused:
            self.notify(
                f"{refused:,} machines were not updated: their state changed since they were"
                " chosen.",
                severity="warning",
                timeout=8,
            )
