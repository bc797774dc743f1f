"""What the committees' papers state (issue 16, docs/documents.md): the grassroots committee's
resolution proposing an admission, and the decision recognising a probationer as a full member.
Like domain/services/paper_statements.py, one function per kind, read from the record on the
paper's date; PAPER-STEP refuses a paper before the step it records."""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from typing import Any
from uuid import UUID

from domain.admission import AdmissionCase
from domain.errors import DomainError
from domain.member import Member, Motion
from domain.organization import Organization
from domain.paper import Paper, PaperKind
from domain.person import Person
from domain.services.organizations import Organizations
from domain.services.paper_statements import Statement, admission_facts, bodies, step_happened


def live_paper(app: Organizations, subject_id: UUID, kind: PaperKind) -> Paper | None:
    """The paper of this kind issued about the record and not superseded, if any."""
    from domain.services.papers import Papers  # the service that holds this one's table

    assert isinstance(app, Papers)
    live = [p for p in app.papers_of(subject_id) if p.kind is kind and p.superseded_by is None]
    return live[-1] if live else None


def grassroots_resolution(app: Organizations, case_id: UUID, on: date) -> Statement:
    """The grassroots committee's resolution proposing the admission: once its vote passed
    (a failed vote is reported up in full, but proposes nothing), issued by the grassroots
    committee above the cell on the day it voted. It names the cell's resolution by its
    number when that paper was issued from dangvien."""
    case = app.load(AdmissionCase, case_id)
    voted = case.committee_resolution_on if case.committee_passed else None
    step_on = step_happened(PaperKind.grassroots_resolution, voted, on)
    issuer = app.grassroots_of(case.cell_id, step_on)
    stated = admission_facts(app, case, issuer.id, step_on, on)
    # The committee the resolution goes to: the one competent to decide (none known on that
    # day: the template names the body above).
    with suppress(DomainError):
        stated.facts["deciding_name"] = app.competent_committee(case.cell_id, on).name
    cell_paper = live_paper(app, case_id, PaperKind.cell_resolution)
    if cell_paper is not None and cell_paper.issued_on <= on:
        stated.facts["cell_resolution_symbol"] = cell_paper.symbol
        stated.facts["cell_resolution_on"] = cell_paper.issued_on.isoformat()
    return stated


def recognition_decision(app: Organizations, member_id: UUID, on: date) -> Statement:
    """The decision recognising full membership: issued by the committee that recognised (the
    competent committee of that day), once it did; full membership counts from the end of
    the twelve months (PRB-EFFECTIVE), whenever it was decided."""
    member = app.load(Member, member_id)
    step_on = step_happened(PaperKind.recognition_decision, member.recognized_on, on)
    assert member.recognized_by is not None and member.full_from is not None
    person = app.load(Person, member.person_id).data
    grassroots = app.grassroots_of(member.cell_id, on)
    facts: dict[str, Any] = {
        "member_name": person.full_name,
        "member_birth_date": person.birth_date.isoformat(),
        "cell_name": app.load(Organization, member.cell_id).name,
        "grassroots_name": grassroots.name,
        **bodies(app, member.recognized_by, on),
        "step_on": step_on.isoformat(),
        "admitted_on": member.decided_on.isoformat(),  # the admission decision: party age
        "joined_on": member.ceremony_on.isoformat(),  # the ceremony: probation's start
        "full_from": member.full_from.isoformat(),
    }
    passed = [b for motion, b, ok in member.review_ballots if ok and motion is Motion.recognize]
    if passed:  # none when the upper committee decided after three failed votes
        ballot = passed[-1]
        facts |= {
            "review_vote_on": ballot.held_on.isoformat(),
            "review_on_roll": ballot.denominator,
            "review_votes_for": ballot.votes_for,
            "review_votes_against": ballot.votes_against,
        }
    return Statement(member.recognized_by, grassroots.id, facts)
