"""One table from each step to its handler, `(app, context, record id, step)`: the only
place a step becomes a call of the service layer. The workflow's activity and the API's direct
path (a full member's standing steps) both go through `handle`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from domain.application import Context, Dangvien
from domain.commands import Step
from domain.commands import admission as a
from domain.commands import probation as p
from domain.commands import transfers as t
from domain.member import Exemption
from domain.transfer import Hop
from domain.values import Introduction

S = TypeVar("S", bound=Step)
Handler = Callable[[Dangvien, Context, UUID, Any], object]
HANDLERS: dict[type[Step], Handler] = {}


def handles(step: type[S]) -> Callable[[Callable[[Dangvien, Context, UUID, S], object]], Handler]:
    """Register the handler of a step (mypy checks it takes that step)."""

    def register(handler: Callable[[Dangvien, Context, UUID, S], object]) -> Handler:
        HANDLERS[step] = handler
        return handler

    return register


def handle(app: Dangvien, ctx: Context, record_id: UUID, step: Step) -> None:
    """Run a step on its record (idempotent by the context's command key)."""
    HANDLERS[type(step)](app, ctx, record_id, step)


# --- admission ----------------------------------------------------------------------------------


@handles(a.RecordCertificate)
def _(app: Dangvien, c: Context, i: UUID, s: a.RecordCertificate) -> None:
    app.record_certificate(c, i, s.number, s.on)


@handles(a.SubmitApplication)
def _(app: Dangvien, c: Context, i: UUID, s: a.SubmitApplication) -> None:
    app.submit_application(c, i, s.on)


@handles(a.DeclareBackground)
def _(app: Dangvien, c: Context, i: UUID, s: a.DeclareBackground) -> None:
    app.declare_background(c, i, list(s.relatives), s.on)


@handles(a.AssignIntroducer)
def _(app: Dangvien, c: Context, i: UUID, s: a.AssignIntroducer) -> None:
    introduction = Introduction(
        kind=s.kind,
        letter_on=s.letter_on,
        member_id=s.member_id,
        together_since=s.together_since,
        same_grassroots=s.same_grassroots,
    )
    app.assign_introducer(c, i, s.slot, introduction)


@handles(a.RequestVerification)
def _(app: Dangvien, c: Context, i: UUID, s: a.RequestVerification) -> None:
    app.request_verification(c, i, s.subject, s.sent_to, s.on)


@handles(a.RecordVerificationResult)
def _(app: Dangvien, c: Context, i: UUID, s: a.RecordVerificationResult) -> None:
    app.record_verification_result(c, i, s.subject, s.satisfactory, s.note, s.on)


@handles(a.ExemptFamilySide)
def _(app: Dangvien, c: Context, i: UUID, s: a.ExemptFamilySide) -> None:
    app.exempt_family_side(c, i, s.member_relative_key, s.on)


@handles(a.CertifyBackground)
def _(app: Dangvien, c: Context, i: UUID, s: a.CertifyBackground) -> None:
    app.certify_background(c, i, s.on)


@handles(a.RecordComment)
def _(app: Dangvien, c: Context, i: UUID, s: a.RecordComment) -> None:
    app.record_comment(c, i, s.source, s.on)


@handles(a.SummarizeComments)
def _(app: Dangvien, c: Context, i: UUID, s: a.SummarizeComments) -> None:
    app.summarize_comments(c, i, s.on)


@handles(a.RecordCellVote)
def _(app: Dangvien, c: Context, i: UUID, s: a.RecordCellVote) -> None:
    app.record_cell_vote(
        c,
        i,
        held_on=s.on,
        votes_for=s.votes_for,
        votes_against=s.votes_against,
        excused_voting=s.excused_voting,
        provincial_consent_over_60=s.provincial_consent_over_60,
        unit_has_youth_union=s.unit_has_youth_union,
    )


@handles(a.RecordIntermediateAppraisal)
def _(app: Dangvien, c: Context, i: UUID, s: a.RecordIntermediateAppraisal) -> None:
    app.record_intermediate_appraisal(c, i, s.on)


@handles(a.RecordCommitteeVote)
def _(app: Dangvien, c: Context, i: UUID, s: a.RecordCommitteeVote) -> None:
    app.record_committee_vote(
        c,
        i,
        held_on=s.on,
        committee_size=s.committee_size,
        votes_for=s.votes_for,
        votes_against=s.votes_against,
    )


@handles(a.ExtendDecisionDeadline)
def _(app: Dangvien, c: Context, i: UUID, s: a.ExtendDecisionDeadline) -> None:
    app.extend_decision_deadline(c, i, s.extra_wd, s.reason, s.on)


@handles(a.Decide)
def _(app: Dangvien, c: Context, i: UUID, s: a.Decide) -> None:
    app.decide_admission(c, i, number=s.number, decided_by=s.decided_by, on=s.on)


@handles(a.Refuse)
def _(app: Dangvien, c: Context, i: UUID, s: a.Refuse) -> None:
    app.refuse_admission(c, i, decided_by=s.decided_by, reason=s.reason, on=s.on)


@handles(a.ReceiveDecision)
def _(app: Dangvien, c: Context, i: UUID, s: a.ReceiveDecision) -> None:
    app.receive_decision(c, i, s.on)


@handles(a.ApproveCeremonyDelay)
def _(app: Dangvien, c: Context, i: UUID, s: a.ApproveCeremonyDelay) -> None:
    app.approve_ceremony_delay(c, i, until=s.until, approved_by=s.approved_by, on=s.on)


@handles(a.HoldCeremony)
def _(app: Dangvien, c: Context, i: UUID, s: a.HoldCeremony) -> None:
    app.hold_ceremony(c, i, s.on, s.helper_member_id)


@handles(a.Withdraw)
def _(app: Dangvien, c: Context, i: UUID, s: a.Withdraw) -> None:
    app.end_case(c, i, withdrawn=True, reason=s.reason, on=s.on)


@handles(a.Stop)
def _(app: Dangvien, c: Context, i: UUID, s: a.Stop) -> None:
    app.end_case(c, i, withdrawn=False, reason=s.reason, on=s.on)


# --- members --------------------------------------------------------------------------------------


@handles(p.AssignHelper)
def _(app: Dangvien, c: Context, i: UUID, s: p.AssignHelper) -> None:
    app.assign_helper(c, i, s.helper_member_id, s.on)


@handles(p.CompleteNewMemberCourse)
def _(app: Dangvien, c: Context, i: UUID, s: p.CompleteNewMemberCourse) -> None:
    app.complete_new_member_course(c, i, s.certificate_no, s.on)


@handles(p.SubmitSelfReview)
def _(app: Dangvien, c: Context, i: UUID, s: p.SubmitSelfReview) -> None:
    app.member_step(c, i, s.on, lambda m, st: m.submit_self_review(st))


@handles(p.RecordHelperComments)
def _(app: Dangvien, c: Context, i: UUID, s: p.RecordHelperComments) -> None:
    app.member_step(c, i, s.on, lambda m, st: m.record_helper_comments(st))


@handles(p.RecordProbationComments)
def _(app: Dangvien, c: Context, i: UUID, s: p.RecordProbationComments) -> None:
    app.member_step(c, i, s.on, lambda m, st: m.record_comments(s.source, st))


@handles(p.ExemptComments)
def _(app: Dangvien, c: Context, i: UUID, s: p.ExemptComments) -> None:
    app.member_step(c, i, s.on, lambda m, st: m.exempt_comments(s.source, s.reason, st))


@handles(p.RecordReviewVote)
def _(app: Dangvien, c: Context, i: UUID, s: p.RecordReviewVote) -> None:
    app.record_review_vote(
        c,
        i,
        motion=s.motion,
        held_on=s.on,
        votes_for=s.votes_for,
        votes_against=s.votes_against,
        excused_voting=s.excused_voting,
    )


@handles(p.ExtendRecognitionDeadline)
def _(app: Dangvien, c: Context, i: UUID, s: p.ExtendRecognitionDeadline) -> None:
    app.extend_recognition_deadline(c, i, s.extra_wd, s.reason, s.on)


@handles(p.Recognize)
def _(app: Dangvien, c: Context, i: UUID, s: p.Recognize) -> None:
    app.recognize(c, i, decided_by=s.decided_by, on=s.on, by_upper_committee=s.by_upper_committee)


@handles(p.StrikeOff)
def _(app: Dangvien, c: Context, i: UUID, s: p.StrikeOff) -> None:
    app.strike_off(
        c,
        i,
        decided_by=s.decided_by,
        reason=s.reason,
        on=s.on,
        by_upper_committee=s.by_upper_committee,
    )


@handles(p.RecordDeparture)
def _(app: Dangvien, c: Context, i: UUID, s: p.RecordDeparture) -> None:
    app.record_departure(c, i, kind=s.kind, decided_by=s.decided_by, reason=s.reason, on=s.on)


@handles(p.RecordExpungement)
def _(app: Dangvien, c: Context, i: UUID, s: p.RecordExpungement) -> None:
    app.record_expungement(c, i, s.on)


@handles(p.Discipline)
def _(app: Dangvien, c: Context, i: UUID, s: p.Discipline) -> None:
    app.discipline_member(c, i, s.penalty, s.reason, s.on)


@handles(p.PlaceHold)
def _(app: Dangvien, c: Context, i: UUID, s: p.PlaceHold) -> None:
    app.place_hold(c, i, s.kind, s.on)


@handles(p.ReleaseHold)
def _(app: Dangvien, c: Context, i: UUID, s: p.ReleaseHold) -> None:
    app.release_hold(c, i, s.kind, s.on)


@handles(p.Exempt)
def _(app: Dangvien, c: Context, i: UUID, s: p.Exempt) -> None:
    app.exempt_member(c, i, Exemption(s.on, s.ends_on, s.reason))


@handles(p.LinkResidence)
def _(app: Dangvien, c: Context, i: UUID, s: p.LinkResidence) -> None:
    app.link_residence(c, i, s.residence_cell_id, s.on)


@handles(p.RecordResidenceComment)
def _(app: Dangvien, c: Context, i: UUID, s: p.RecordResidenceComment) -> None:
    app.record_residence_comment(c, i, s.year, s.favourable, s.on)


# --- transfers ------------------------------------------------------------------------------------


@handles(t.ForwardLetter)
def _(app: Dangvien, c: Context, i: UUID, s: t.ForwardLetter) -> None:
    app.forward_letter(c, i, Hop(s.from_org_id, s.to_org_id, s.letter_no, s.on))


@handles(t.PresentLetter)
def _(app: Dangvien, c: Context, i: UUID, s: t.PresentLetter) -> None:
    app.present_letter(c, i, s.on)


@handles(t.AcceptTransfer)
def _(app: Dangvien, c: Context, i: UUID, s: t.AcceptTransfer) -> None:
    app.accept_transfer(c, i, s.on)


@handles(t.EndTemporaryTransfer)
def _(app: Dangvien, c: Context, i: UUID, s: t.EndTemporaryTransfer) -> None:
    app.end_temporary_transfer(c, i, s.on)


@handles(t.RecordPortalReference)
def _(app: Dangvien, c: Context, i: UUID, s: t.RecordPortalReference) -> None:
    app.record_portal_reference(c, i, s.reference, s.on)


@handles(t.CancelTransfer)
def _(app: Dangvien, c: Context, i: UUID, s: t.CancelTransfer) -> None:
    app.cancel_transfer(c, i, s.reason, s.on)
