"""Steps that cannot be undone, in the web: a vote that may end a case, a decision, a refusal,
a recognition, a strike-off, a departure, an expungement, a discipline.

Two posts, no script: the first rehearses the step (`Store.rehearse`: every check of the
domain, nothing written), so a refusal shows beside its field at once, and tells what the step
would lead to with the numbers the domain computes (the roll of the meeting day, the ORG-MIN
minimum, the votes needed: `Dangvien.case_ballot`…); the second, carrying the digest of exactly
the values reviewed, takes the step. Values changed after the review are reviewed again.

The API takes a step in one call: confirming is its caller's part (docs/api.md)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from domain import policy
from domain.commands import Step
from domain.handlers import handle
from domain.member import Member, Status
from infra.api.commands import context
from infra.api.records import Located
from infra.api.schemas import StepIn
from infra.web.forms import IRREVERSIBLE
from infra.web.i18n import dmy, rule_title
from infra.web.session import Web

REVIEWED = IRREVERSIBLE  # the steps of forms.IRREVERSIBLE, each with its consequence below


@dataclass(frozen=True)
class Review:
    """What a step would lead to, as the confirmation shows it."""

    lines: list[str]
    rules: list[tuple[str, str]]  # (rule id, title)
    digest: str  # of the values reviewed: the confirmation takes exactly these


def digest(body: StepIn) -> str:
    """Of the step's kind, date and every fact (its args' own model: `StepIn` would dump
    them as a bare model)."""
    facts = f"{body.kind}|{body.on.isoformat()}|{body.args.model_dump_json()}"
    return hashlib.sha256(facts.encode()).hexdigest()[:32]


def confirmed(form: dict[str, str], body: StepIn) -> bool:
    """The post confirms the very values its review showed."""
    return form.get("confirmed") == digest(body)


def review(w: Web, found: Located, body: StepIn) -> Review:
    """Rehearse the step as the user (its refusal is raised, nothing is written), then say
    what it leads to."""
    step = body.step()
    app = w.s.app
    actor = w.s.scope.actor(w.user, found.orgs[0])
    ctx = context(actor, f"rehearsal/{uuid4()}")
    app.rehearse(lambda: handle(app, ctx, found.id, step))
    lines, rules = CONSEQUENCES[step.step_kind](w, found, step)
    return Review(lines, [(r, rule_title(w.lang, r)) for r in rules], digest(body))


Told = tuple[list[str], tuple[str, ...]]


def _ballot(w: Web, outlook: policy.BallotOutlook, cell: str) -> list[str]:
    """The numbers of a vote and its outcome (the domain's `BallotOutlook`)."""
    o = outlook
    if o.rule_id == "ADM-VOTE-COMMITTEE":
        lines = [w.t("review.committee", members=o.on_roll, needed=o.needed)]
    else:
        lines = [w.t("review.roll", full=o.on_roll, cell=cell, day=dmy(o.held_on))]
        if o.excusable:
            lines.append(
                w.t(
                    "review.excused", away=o.excusable, voting=o.excused_voting, count=o.denominator
                )
            )
        lines.append(w.t("review.needed", needed=o.needed, count=o.denominator, quorum=o.quorum))
    votes = {"votes_for": o.votes_for, "votes_against": o.votes_against}
    n, of = o.failed_votes + 1, o.deadlock_after
    lines.append(w.t(f"review.outcome.{o.outcome}", n=n, of=of, **votes))
    return lines


def _cell_vote(w: Web, found: Located, step: Any) -> Told:
    votes = (step.votes_for, step.votes_against)
    o = w.s.app.case_ballot(found.id, step.on, votes, step.excused_voting)
    return _ballot(w, o, w.orgs.name(found.record.cell_id)), o.rules


def _committee_vote(w: Web, found: Located, step: Any) -> Told:
    votes = (step.votes_for, step.votes_against)
    o = w.s.app.committee_ballot(found.id, step.on, step.committee_size, votes)
    return _ballot(w, o, ""), o.rules


def _review_vote(w: Web, found: Located, step: Any) -> Told:
    votes = (step.votes_for, step.votes_against)
    o = w.s.app.review_ballot(found.id, step.on, step.motion, votes, step.excused_voting)
    return _ballot(w, o, w.orgs.name(found.record.cell_id)), o.rules


def _decide(w: Web, found: Located, step: Any) -> Told:
    wd = policy.rules_at(step.on).ceremony_wd
    committee, day = w.orgs.name(step.decided_by), dmy(step.on)
    if step.number:  # a decision issued outside dangvien, under its own number
        text = w.t("review.decide", committee=committee, number=step.number, day=day, wd=wd)
    else:
        text = w.t("review.decide_unnumbered", committee=committee, day=day, wd=wd)
    return [text], ("ADM-DECIDE", "ADM-CEREMONY")


def _refuse(w: Web, found: Located, step: Any) -> Told:
    return [w.t("review.refuse", committee=w.orgs.name(step.decided_by))], ("ADM-DECIDE",)


def _ends(w: Web, found: Located, step: Step) -> Told:
    return [w.t(f"review.{step.step_kind}")], ()


def _decider(step: Any) -> str:
    return "PRB-DEADLOCK" if step.by_upper_committee else "PRB-DECIDE"


def _recognize(w: Web, found: Located, step: Any) -> Told:
    member: Member = found.record
    effective = dmy(policy.full_membership_effective(member.ceremony_on))
    text = w.t("review.recognize", committee=w.orgs.name(step.decided_by), effective=effective)
    return [text], (_decider(step), "PRB-EFFECTIVE")


def _strike_off(w: Web, found: Located, step: Any) -> Told:
    months = policy.rules_at(step.on).readmit_months
    committee, day = w.orgs.name(step.decided_by), dmy(step.on)
    text = w.t("review.strike_off", committee=committee, day=day, months=months)
    return [text], (_decider(step), "READMIT")


def _departure(w: Web, found: Located, step: Any) -> Told:
    months = policy.rules_at(step.on).readmit_months
    kind, committee = w.label("enum", step.kind), w.orgs.name(step.decided_by)
    text = w.t("review.record_departure", kind=kind, committee=committee, day=dmy(step.on))
    return [text, w.t("review.readmit", months=months)], ("READMIT",)


def _expungement(w: Web, found: Located, step: Any) -> Told:
    months = policy.rules_at(step.on).readmit_after_expungement_months
    return [w.t("review.record_expungement", day=dmy(step.on), months=months)], ("READMIT",)


def _discipline(w: Web, found: Located, step: Any) -> Told:
    member: Member = found.record
    penalty = w.label("penalty", step.penalty)
    lines = [w.t("review.discipline", penalty=penalty, day=dmy(step.on))]
    if member.status_on(step.on) is Status.probationary:
        lines.append(w.t("review.discipline_probation"))
        return lines, ("PRB-DISCIPLINE",)
    return lines, ()


CONSEQUENCES: dict[str, Callable[[Web, Located, Any], Told]] = {
    "record_cell_vote": _cell_vote,
    "record_committee_vote": _committee_vote,
    "decide": _decide,
    "refuse": _refuse,
    "withdraw": _ends,
    "stop": _ends,
    "record_review_vote": _review_vote,
    "recognize": _recognize,
    "strike_off": _strike_off,
    "record_departure": _departure,
    "record_expungement": _expungement,
    "discipline": _discipline,
}
assert set(CONSEQUENCES) == REVIEWED
