"""Activities: the only way a workflow touches the record. Each is idempotent (the workflow
passes the command key); a domain refusal becomes a non-retryable `ApplicationError` carrying
the rule id, and a concurrency conflict is retried."""

from __future__ import annotations

import random
import time as time_module
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, TypeVar
from uuid import UUID, uuid5

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain import policy
from domain.admission import STEPS, AdmissionCase, CommentSource
from domain.application import NAMESPACE, Context, Dangvien, OpenDeadline
from domain.errors import ConcurrencyConflict, DomainError
from domain.member import Exemption, Member, Motion, Status
from domain.organization import Organization
from domain.record import Recorded
from domain.transfer import STEPS as TRANSFER_STEP_STAGES
from domain.transfer import Hop, Transfer, TransferStage, accepted_steps
from domain.values import (
    Actor,
    HoldKind,
    IntroducerKind,
    Introduction,
    Relationship,
    Relative,
    Role,
    TransferKind,
    TransferReason,
)
from workflows.messages import (
    ActorRef,
    AdmissionStart,
    DeadlineView,
    DissolveRequest,
    EscalateRequest,
    MoveRequest,
    Notification,
    Plan,
    PlanRequest,
    ResidenceRequest,
    Rung,
    Step,
    StepRequest,
    TransferStart,
    View,
)

VIETNAM = timezone(timedelta(hours=7), "ICT")
log = structlog.get_logger("dangvien.activities")
Notify = Callable[[Notification], None]
Handler = Callable[[Dangvien, Context, UUID, Step], Any]
F = TypeVar("F", bound=Callable[..., Any])


def defn(name: str) -> Callable[[F], F]:
    """`activity.defn` without Temporal's cancellation of a threaded activity, which raises
    inside its thread wherever it is (a worker shutting down, a timed-out attempt): inside
    the store's transaction, that would hand a connection back to the pool still in a
    transaction. Activities are short and idempotent: a cancelled one runs to its end."""
    return activity.defn(name=name, no_thread_cancel_exception=True)


def local_start_of(day: date) -> datetime:
    """A rung fires at the start of its day in Vietnam (07:00 UTC+7 → 00:00 UTC)."""
    return datetime.combine(day, time(0), VIETNAM).astimezone(UTC)


def _ctx(actor: ActorRef, key: str) -> Context:
    return Context(Actor(actor.user_id, Role(actor.role), actor.org_id), key)


def _day(args: dict[str, Any], name: str) -> date:
    return date.fromisoformat(str(args[name]))


def _uuid(args: dict[str, Any], name: str) -> UUID:
    return UUID(str(args[name]))


def _introduction(a: dict[str, Any]) -> Introduction:
    return Introduction(
        kind=IntroducerKind(a["kind"]),
        letter_on=_day(a, "letter_on"),
        member_id=_uuid(a, "member_id") if a.get("member_id") else None,
        together_since=_day(a, "together_since") if a.get("together_since") else None,
        same_grassroots=bool(a.get("same_grassroots", True)),
    )


def _relative(a: dict[str, Any]) -> Relative:
    return Relative(
        key=str(a["key"]),
        relationship=Relationship(a["relationship"]),
        full_name=str(a["full_name"]),
        lives_or_works_at=str(a.get("lives_or_works_at", "")),
        is_party_member=bool(a.get("is_party_member", False)),
    )


ADMISSION_STEPS: dict[str, Handler] = {
    "record_certificate": lambda app, c, i, s: app.record_certificate(
        c, i, str(s.args["number"]), s.on
    ),
    "submit_application": lambda app, c, i, s: app.submit_application(c, i, s.on),
    "declare_background": lambda app, c, i, s: app.declare_background(
        c, i, [_relative(r) for r in s.args.get("relatives", [])], s.on
    ),
    "assign_introducer": lambda app, c, i, s: app.assign_introducer(
        c, i, int(s.args["slot"]), _introduction(s.args)
    ),
    "request_verification": lambda app, c, i, s: app.request_verification(
        c, i, str(s.args["subject"]), str(s.args["sent_to"]), s.on
    ),
    "record_verification_result": lambda app, c, i, s: app.record_verification_result(
        c,
        i,
        str(s.args["subject"]),
        bool(s.args["satisfactory"]),
        str(s.args.get("note", "")),
        s.on,
    ),
    "exempt_family_side": lambda app, c, i, s: app.exempt_family_side(
        c, i, str(s.args["member_relative_key"]), s.on
    ),
    "certify_background": lambda app, c, i, s: app.certify_background(c, i, s.on),
    "record_comment": lambda app, c, i, s: app.record_comment(
        c, i, CommentSource(s.args["source"]), s.on
    ),
    "summarize_comments": lambda app, c, i, s: app.summarize_comments(c, i, s.on),
    "record_cell_vote": lambda app, c, i, s: app.record_cell_vote(
        c,
        i,
        held_on=s.on,
        votes_for=int(s.args["votes_for"]),
        votes_against=int(s.args["votes_against"]),
        excused_voting=int(s.args.get("excused_voting", 0)),
        provincial_consent_over_60=bool(s.args.get("provincial_consent_over_60", False)),
        unit_has_youth_union=bool(s.args.get("unit_has_youth_union", True)),
    ),
    "record_intermediate_appraisal": lambda app, c, i, s: app.record_intermediate_appraisal(
        c, i, s.on
    ),
    "record_committee_vote": lambda app, c, i, s: app.record_committee_vote(
        c,
        i,
        held_on=s.on,
        committee_size=int(s.args["committee_size"]),
        votes_for=int(s.args["votes_for"]),
        votes_against=int(s.args["votes_against"]),
    ),
    "extend_decision_deadline": lambda app, c, i, s: app.extend_decision_deadline(
        c, i, int(s.args["extra_wd"]), str(s.args.get("reason", "")), s.on
    ),
    "decide": lambda app, c, i, s: app.decide_admission(
        c, i, number=str(s.args["number"]), decided_by=_uuid(s.args, "decided_by"), on=s.on
    ),
    "refuse": lambda app, c, i, s: app.refuse_admission(
        c,
        i,
        decided_by=_uuid(s.args, "decided_by"),
        reason=str(s.args.get("reason", "")),
        on=s.on,
    ),
    "receive_decision": lambda app, c, i, s: app.receive_decision(c, i, s.on),
    "approve_ceremony_delay": lambda app, c, i, s: app.approve_ceremony_delay(
        c, i, until=_day(s.args, "until"), approved_by=_uuid(s.args, "approved_by"), on=s.on
    ),
    "hold_ceremony": lambda app, c, i, s: app.hold_ceremony(
        c,
        i,
        s.on,
        _uuid(s.args, "helper_member_id") if s.args.get("helper_member_id") else None,
    ),
    "withdraw": lambda app, c, i, s: app.end_case(
        c, i, withdrawn=True, reason=str(s.args.get("reason", "")), on=s.on
    ),
    "stop": lambda app, c, i, s: app.end_case(
        c, i, withdrawn=False, reason=str(s.args.get("reason", "")), on=s.on
    ),
}
assert set(ADMISSION_STEPS) == set(STEPS), "every step of the process card has a handler"

MEMBER_STEPS: dict[str, Handler] = {
    "assign_helper": lambda app, c, i, s: app.assign_helper(
        c, i, _uuid(s.args, "helper_member_id"), s.on
    ),
    "complete_new_member_course": lambda app, c, i, s: app.complete_new_member_course(
        c, i, str(s.args["certificate_no"]), s.on
    ),
    "record_review_vote": lambda app, c, i, s: app.record_review_vote(
        c,
        i,
        motion=Motion(s.args["motion"]),
        held_on=s.on,
        votes_for=int(s.args["votes_for"]),
        votes_against=int(s.args["votes_against"]),
        excused_voting=int(s.args.get("excused_voting", 0)),
    ),
    "extend_recognition_deadline": lambda app, c, i, s: app.extend_recognition_deadline(
        c, i, int(s.args["extra_wd"]), str(s.args.get("reason", "")), s.on
    ),
    "recognize": lambda app, c, i, s: app.recognize(
        c,
        i,
        decided_by=_uuid(s.args, "decided_by"),
        on=s.on,
        by_upper_committee=bool(s.args.get("by_upper_committee", False)),
    ),
    "strike_off": lambda app, c, i, s: app.strike_off(
        c,
        i,
        decided_by=_uuid(s.args, "decided_by"),
        reason=str(s.args.get("reason", "")),
        on=s.on,
        by_upper_committee=bool(s.args.get("by_upper_committee", False)),
    ),
    "discipline": lambda app, c, i, s: app.discipline_member(
        c, i, str(s.args["penalty"]), str(s.args.get("reason", "")), s.on
    ),
    "place_hold": lambda app, c, i, s: app.place_hold(c, i, HoldKind(s.args["kind"]), s.on),
    "release_hold": lambda app, c, i, s: app.release_hold(c, i, HoldKind(s.args["kind"]), s.on),
    "exempt": lambda app, c, i, s: app.exempt_member(
        c, i, Exemption(s.on, _day(s.args, "ends_on"), str(s.args.get("reason", "")))
    ),
    "link_residence": lambda app, c, i, s: app.link_residence(
        c,
        i,
        _uuid(s.args, "residence_cell_id") if s.args.get("residence_cell_id") else None,
        s.on,
    ),
    "record_residence_comment": lambda app, c, i, s: app.record_residence_comment(
        c, i, int(s.args["year"]), bool(s.args.get("favourable", True)), s.on
    ),
}

TRANSFER_STEPS: dict[str, Handler] = {
    "forward_letter": lambda app, c, i, s: app.forward_letter(
        c,
        i,
        Hop(
            _uuid(s.args, "from_org_id"),
            _uuid(s.args, "to_org_id"),
            str(s.args.get("letter_no", "")),
            s.on,
        ),
    ),
    "present_letter": lambda app, c, i, s: app.present_letter(c, i, s.on),
    "accept_transfer": lambda app, c, i, s: app.accept_transfer(c, i, s.on),
    "end_temporary_transfer": lambda app, c, i, s: app.end_temporary_transfer(c, i, s.on),
    "record_portal_reference": lambda app, c, i, s: app.record_portal_reference(
        c, i, str(s.args["reference"]), s.on
    ),
    "cancel_transfer": lambda app, c, i, s: app.cancel_transfer(
        c, i, str(s.args.get("reason", "")), s.on
    ),
}

assert set(TRANSFER_STEPS) == set(TRANSFER_STEP_STAGES), "every transfer step has a handler"

HANDLERS: dict[str, dict[str, Handler]] = {
    "admission": ADMISSION_STEPS,
    "member": MEMBER_STEPS,
    "transfer": TRANSFER_STEPS,
}


def refusal(error: DomainError) -> ApplicationError:
    """A domain refusal as Temporal carries it: not retried, with the rule id and messages."""
    return ApplicationError(
        error.message("en"), error.as_dict(), type="RuleViolation", non_retryable=True
    )


class Activities:
    """The activities of one worker, over the application and a notifier."""

    def __init__(self, app: Dangvien, notify: Notify) -> None:
        self.app = app
        self.notify = notify

    def _guard(self, work: Callable[[], Any], **ids: object) -> Any:
        """Run a command; log it by ids only (never personal data), refusals included."""
        info = activity.info()
        bound = log.bind(workflow_id=info.workflow_id, activity=info.activity_type, **ids)
        try:
            result = self._retrying(work)
        except DomainError as error:
            bound.info("refused", rule_id=error.rule_id)
            raise refusal(error) from error
        bound.info("done")
        return result

    @staticmethod
    def _retrying(work: Callable[[], Any], attempts: int = 20) -> Any:
        """Concurrent writers of one aggregate (the moves of a dissolution all write the old
        cell) retry here at once, with jitter: commands are idempotent, and Temporal's own
        retry would wait seconds."""
        for attempt in range(attempts):
            try:
                return work()
            except ConcurrencyConflict:
                if attempt == attempts - 1:
                    raise
                time_module.sleep(random.uniform(0, 0.03))  # noqa: S311 — jitter, not secrecy
        raise AssertionError("unreachable")

    # --- views ---

    def view_of(self, subject_id: UUID, today: date) -> View:
        agg: Any = self.app.repository.get(subject_id)
        deadline = self.app.open_deadline(subject_id, today)
        dview = DeadlineView(**vars(deadline)) if isinstance(deadline, OpenDeadline) else None
        level = agg.escalation_level((dview.rule_id, dview.start, dview.due) if dview else None)
        if isinstance(agg, AdmissionCase):
            stage = agg.stage
            return View(
                "admission",
                subject_id,
                str(stage),
                stage.is_closed,
                agg.cell_id,
                member_id=getattr(agg, "member_id", None),
                deadline=dview,
                escalation_level=level,
                awaiting=sorted(k for k, stages in STEPS.items() if stage in stages),
            )
        if isinstance(agg, Member):
            status = agg.status
            return View(
                "member",
                subject_id,
                "deadlock" if agg.deadlocked and status is Status.probationary else str(status),
                status is not Status.probationary,
                agg.cell_id,
                member_id=subject_id,
                deadline=dview,
                escalation_level=level,
                failed_votes=agg.failed_votes,
                awaiting=sorted(MEMBER_STEPS) if status is Status.probationary else [],
            )
        assert isinstance(agg, Transfer)
        tstage = agg.stage
        return View(
            "transfer",
            subject_id,
            str(tstage),
            tstage in (TransferStage.completed, TransferStage.cancelled),
            agg.from_cell_id,
            member_id=agg.member_id,
            deadline=dview,
            escalation_level=level,
            awaiting=accepted_steps(tstage),
        )

    @defn("view")
    def view(self, request: PlanRequest) -> View:
        return self.view_of(request.subject_id, request.today)

    # --- commands ---

    @defn("open_case")
    def open_case(self, start: AdmissionStart) -> View:
        ctx = _ctx(start.actor, f"open/{start.case_id}")
        self._guard(
            lambda: self.app.open_case(
                ctx,
                case_id=start.case_id,
                person_id=start.person_id,
                cell_id=start.cell_id,
                on=start.on,
                helper_member_id=start.helper_member_id,
            )
        )
        return self.view_of(start.case_id, start.on)

    @defn("start_transfer")
    def start_transfer(self, start: TransferStart) -> View:
        ctx = _ctx(start.actor, f"start/{start.transfer_id}")
        self._guard(
            lambda: self.app.start_transfer(
                ctx,
                transfer_id=start.transfer_id,
                member_id=start.member_id,
                kind=TransferKind(start.kind),
                reason=TransferReason(start.reason),
                destination_org_id=start.destination_org_id,
                trigger_on=start.trigger_on,
                on=start.on,
                returns_on=start.returns_on,
                portal_reference=start.portal_reference,
            )
        )
        return self.view_of(start.transfer_id, start.on)

    @defn("apply_step")
    def apply_step(self, request: StepRequest) -> View:
        step = request.step
        handler = HANDLERS[request.subject].get(step.kind)
        if handler is None:
            raise ApplicationError(
                f"Unknown step {step.kind}", type="UnknownStep", non_retryable=True
            )
        ctx = _ctx(step.actor, step.command_key)
        self._guard(
            lambda: handler(self.app, ctx, request.subject_id, step),
            subject_id=str(request.subject_id),
            step=step.kind,
            command_key=step.command_key,
        )
        return self.view_of(request.subject_id, step.on)

    # --- deadlines ---

    @defn("plan")
    def plan(self, request: PlanRequest) -> Plan:
        """The deadline in force and the rungs still to come, as absolute instants."""
        deadline = self.app.open_deadline(request.subject_id, request.today)
        steps = self.app.escalation_plan(request.subject_id, request.today)
        return Plan(
            DeadlineView(**vars(deadline)) if deadline else None,
            [
                Rung(
                    s.rule_id, int(s.level), s.fires_on, local_start_of(s.fires_on), s.target, s.due
                )
                for s in steps
            ],
        )

    @defn("escalate")
    def escalate(self, request: EscalateRequest) -> bool:
        """Fire a planned rung if it still stands. A step or a transfer since the plan may
        have moved the deadline or the unit that answers for it: then nothing fires and the
        workflow plans again. Returns whether the rung was recorded now."""
        rung = request.rung
        wanted = (rung.rule_id, rung.level, rung.due)
        planned = self.app.escalation_plan(request.subject_id, request.today)
        current = next((s for s in planned if (s.rule_id, s.level, s.due) == wanted), None)
        if current is None:
            self._renotify(request.subject_id, rung, request.today)  # recorded, maybe unsent
            return False
        return self._tell(request.subject_id, current, request.today, request.command_key)

    def _renotify(self, subject_id: UUID, rung: Rung, today: date) -> None:
        """After a crash between recording a rung and notifying it: notify (once, by key)."""
        subject = self.app.load(Recorded, subject_id)
        for rule_id, level, target, due in subject.escalations:
            if (rule_id, level, due) == (rung.rule_id, rung.level, rung.due):
                step = policy.EscalationStep(rule_id, policy.Level(level), today, target, due)
                self._notify(subject_id, step, today)

    def _tell(self, subject_id: UUID, step: policy.EscalationStep, today: date, key: str) -> bool:
        """Record the rung on the aggregate (once per rule, level and due date) and notify
        the organization told."""
        system = Context(Actor("dangvien", Role.system, step.target), key)
        recorded = self._guard(
            lambda: self.app.escalate(system, subject_id, step, today),
            subject_id=str(subject_id),
            rule_id=step.rule_id,
            level=int(step.level),
        )
        subject = self.app.load(Recorded, subject_id)
        if subject.has_escalated(step.rule_id, step.level, step.due):
            self._notify(subject_id, step, today)
        return bool(recorded)

    def _notify(self, subject_id: UUID, step: policy.EscalationStep, today: date) -> None:
        overdue = max(policy.working_days_overdue(step.due, today), 0)
        rule = policy.RULES.get(step.rule_id)
        title_vi = rule.title_vi if rule else step.rule_id
        title_en = rule.title_en if rule else step.rule_id
        self.notify(
            Notification(
                key=f"{subject_id}/{step.rule_id}/{int(step.level)}/{step.due.isoformat()}",
                org_id=step.target,
                subject_id=subject_id,
                rule_id=step.rule_id,
                level=int(step.level),
                due=step.due,
                created_at=datetime.now(UTC),
                message_vi=f"[{step.rule_id}] {title_vi}: hạn {step.due:%d/%m/%Y}"
                + (f", quá hạn {overdue} ngày làm việc" if overdue else ""),
                message_en=f"[{step.rule_id}] {title_en}: due {step.due.isoformat()}"
                + (f", {overdue} working days overdue" if overdue else ""),
            )
        )

    # --- cell dissolution ---

    @defn("preview_dissolution")
    def preview_dissolution(self, request: PlanRequest) -> list[dict[str, Any]]:
        """Where each member of the cell would go: the residence cell of their 213 link, when
        it is another cell of the same grassroots organization; otherwise the officer chooses."""
        cell = self.app.load(Organization, request.subject_id)
        grassroots = self.app.grassroots_of(cell.id, request.today).id
        preview = []
        for member_id in sorted(cell.members_on(request.today)):
            member = self.app.load(Member, member_id)
            suggested = member.residence_cell_id
            if suggested and self.app.grassroots_of(suggested, request.today).id != grassroots:
                suggested = None
            preview.append(
                {"member_id": str(member_id), "to_cell_id": str(suggested) if suggested else None}
            )
        return preview

    @defn("move_member")
    def move_member(self, request: MoveRequest) -> bool:
        """One member of a dissolved cell moves by an internal transfer, start to acceptance;
        every command key derives from (cell, member), so a rerun moves nobody twice."""
        cell_id, move, on = request.cell_id, request.move, request.on
        transfer_id = uuid5(NAMESPACE, f"dissolve/{cell_id}/{move.member_id}")
        ctx = _ctx(request.actor, f"dissolve/{cell_id}/{move.member_id}")
        app = self.app
        member = app.load(Member, move.member_id)
        if member.cell_id == move.to_cell_id:
            return False  # moved already (by an earlier attempt)

        def run() -> None:
            app.start_transfer(
                ctx.derived("start"),
                transfer_id=transfer_id,
                member_id=move.member_id,
                kind=TransferKind.internal,
                reason=TransferReason.reorganisation,
                destination_org_id=move.to_cell_id,
                trigger_on=on,
                on=on,
            )
            transfer = app.load(Transfer, transfer_id)
            if transfer.stage is TransferStage.in_transit:
                app.forward_letter(
                    ctx.derived("letter"),
                    transfer_id,
                    Hop(cell_id, move.to_cell_id, f"GT-{str(cell_id)[:8]}", on),
                )
            app.present_letter(ctx.derived("present"), transfer_id, on)
            app.accept_transfer(ctx.derived("accept"), transfer_id, on)

        self._guard(run)
        return True

    @defn("dissolve_cell")
    def dissolve_cell(self, request: DissolveRequest) -> None:
        ctx = _ctx(request.actor, f"dissolve/{request.cell_id}")
        self._guard(
            lambda: self.app.dissolve_organization(
                ctx, request.cell_id, request.on, request.merged_into
            )
        )

    # --- residence comments (213-QĐ/TW) ---

    @defn("residence_round")
    def residence_round(self, request: ResidenceRequest) -> list[UUID]:
        """The members linked to a residence cell who have no comment for the year yet; each
        is told to its residence cell on opening (level 0), to the cell above when late (1)."""
        waiting = [
            m
            for m in self.app.members_with_residence_link()
            if request.year not in m.residence_comments
        ]
        for member in waiting:
            assert member.residence_cell_id is not None
            level = policy.Level.unit_above if request.late else policy.Level.reminder
            cell = self.app.load(Organization, member.residence_cell_id)
            target = (cell.parent_on(request.today) if request.late else None) or cell.id
            step = policy.EscalationStep("RES-COMMENT", level, request.today, target, request.due)
            key = f"residence/{request.year}/{member.id}/{int(level)}/{request.due}"
            self._tell(member.id, step, request.today, key)
        return [m.id for m in waiting]
