"""What each kind of paper states, read from the record on the paper's date: the body that
issues it, the body whose place dates it, and the facts its template prints (a snapshot kept in
the paper, never read again from the record). One function per kind; `STATEMENTS` in
domain/services/papers.py maps each kind to its function.

PAPER-STEP: a paper records a step that happened on or before its date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from domain.admission import AdmissionCase
from domain.errors import RuleViolation
from domain.organization import Organization
from domain.paper import PaperKind
from domain.person import Person
from domain.services.organizations import Organizations


@dataclass(frozen=True)
class Statement:
    issuer_id: UUID  # the body that issues and numbers the paper
    place_org_id: UUID  # the body whose place the paper is dated at
    facts: dict[str, Any]


StatementOf = Callable[[Organizations, UUID, date], Statement]


def step_happened(kind: PaperKind, step_on: date | None, on: date) -> date:
    """PAPER-STEP: the step this paper records has happened by the paper's date."""
    if step_on is None or on < step_on:
        raise RuleViolation(
            "PAPER-STEP",
            "Bước mà giấy tờ này ghi nhận chưa diễn ra vào ngày ban hành",
            "The step this paper records has not happened by its date",
            kind=str(kind),
        )
    return step_on


def bodies(app: Organizations, issuer_id: UUID, on: date) -> dict[str, Any]:
    """The issuing body and the body above it, as named on the paper's date."""
    issuer = app.load(Organization, issuer_id)
    superior = issuer.parent_on(on)
    return {
        "issuer_name": issuer.name,
        "superior_name": app.load(Organization, superior).name if superior else "",
    }


def admission_facts(
    app: Organizations, case: AdmissionCase, issuer_id: UUID, step_on: date, on: date
) -> Statement:
    """What an admission case's papers state: the applicant, the units, the votes so far."""
    person = app.load(Person, case.person_id).data
    grassroots = app.grassroots_of(case.cell_id, on)
    facts: dict[str, Any] = {
        "applicant_name": person.full_name,
        "applicant_birth_date": person.birth_date.isoformat(),
        "cell_name": app.load(Organization, case.cell_id).name,
        "grassroots_name": grassroots.name,
        **bodies(app, issuer_id, on),
        "step_on": step_on.isoformat(),
    }
    ballot = case.cell_ballots[-1] if case.cell_ballots else None
    if ballot is not None:
        facts |= {
            "cell_vote_on": ballot.held_on.isoformat(),
            "cell_on_roll": ballot.denominator,
            "cell_votes_for": ballot.votes_for,
            "cell_votes_against": ballot.votes_against,
        }
    if case.committee_ballot is not None:
        facts |= {
            "committee_vote_on": case.committee_ballot.held_on.isoformat(),
            "committee_votes_for": case.committee_ballot.votes_for,
            "committee_size": case.committee_ballot.on_roll,
        }
    if case.decision is not None and case.decision[0]:  # typed for a decision issued outside
        facts["decision_recorded_number"] = case.decision[0]
    return Statement(issuer_id, grassroots.id, facts)


def cell_resolution(app: Organizations, case_id: UUID, on: date) -> Statement:
    """The cell's resolution proposing admission: after its vote, issued by the cell."""
    case = app.load(AdmissionCase, case_id)
    step_on = step_happened(PaperKind.cell_resolution, case.cell_resolution_on, on)
    return admission_facts(app, case, case.cell_id, step_on, on)


def admission_decision(app: Organizations, case_id: UUID, on: date) -> Statement:
    """The decision to admit: issued by the committee that decided, once it decided."""
    case = app.load(AdmissionCase, case_id)
    decided = case.decision
    step_on = step_happened(PaperKind.admission_decision, decided[1] if decided else None, on)
    assert decided is not None  # step_happened refused otherwise
    return admission_facts(app, case, decided[2], step_on, on)
