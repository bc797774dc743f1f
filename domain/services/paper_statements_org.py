"""What the papers about an organization state (issue 16): the decision dissolving a cell,
with its list of moves, and a unit's yearly quota report. One function per kind, listed in
`STATEMENTS` (domain/services/papers.py) like the others (docs/documents.md).

A dissolution decision is issued by the body that decides a cell's dissolution: for a cell
(chi bộ), its grassroots committee — an intermediate committee (đảng bộ bộ phận) does not
establish or dissolve cells; for any other unit, the committee directly above it on the day.
Its moves are the internal transfers the dissolution made (`dissolution_transfer_id`).

A quota report is about a unit's year (`quota_subject_id`): its target and what was achieved,
as counts only. The counts are the read model's (the quota page's own), given to the record
through the `year_figures` port wired at the edge (infra/api/services.py): the domain states
them, it does not compute them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from uuid import UUID, uuid5

from domain.errors import RuleViolation
from domain.member import Member
from domain.organization import Organization
from domain.paper import Paper, PaperKind, quota_subject_id
from domain.person import Person
from domain.services.organizations import Organizations
from domain.services.paper_statements import Statement, bodies, step_happened
from domain.services.store import NAMESPACE
from domain.transfer import Transfer
from domain.values import OrgKind

QUARTERS = ("decided", "admitted", "recognized")  # what a report counts by quarter


def dissolution_transfer_id(cell_id: UUID, member_id: UUID) -> UUID:
    """The internal transfer that moved a member out of a dissolved cell (deterministic: a
    rerun of the dissolution moves nobody twice, and its decision finds each move)."""
    return uuid5(NAMESPACE, f"dissolve/{cell_id}/{member_id}")


@dataclass(frozen=True)
class YearFigures:
    """A unit's year as counted up to a day: its target, the admissions decided, the
    ceremonies held (the members admitted), the recognitions; each by quarter, and the
    ceremonies' breakdowns (women, ethnic minorities…). Counts only, never a person."""

    target: int
    decided: int
    admitted: int
    recognized: int
    quarters: dict[str, list[int]]  # QUARTERS → four counts, January–March first
    breakdowns: dict[str, int]


class YearFiguresOf(Protocol):
    """The counts of a unit's year up to a day; LookupError for a unit not known yet."""

    def __call__(self, org_id: UUID, year: int, on: date) -> YearFigures: ...


class UnitYears(Organizations):
    """A unit's year as the subject of its quota report: its id is a one-way hash of the unit
    and the year, so the record remembers which unit and year an id names (from the call that
    made it, or from a report already issued about it)."""

    year_figures: YearFiguresOf | None = None  # wired at the edge (infra/api/services.py)

    def unit_year(self, org_id: UUID, year: int) -> UUID:
        """The subject id of the unit's year."""
        subject_id = quota_subject_id(NAMESPACE, org_id, year)
        self.__dict__.setdefault("_unit_years", {})[subject_id] = (org_id, year)
        return subject_id

    def unit_year_of(self, subject_id: UUID) -> tuple[UUID, int]:
        known: dict[UUID, tuple[UUID, int]] = self.__dict__.get("_unit_years", {})
        if subject_id in known:
            return known[subject_id]
        for paper in self.papers_of(subject_id):
            org_id, year = UUID(paper.facts["unit_id"]), int(paper.facts["report_year"])
            if quota_subject_id(NAMESPACE, org_id, year) == subject_id:
                return org_id, year
        raise RuleViolation(
            "PAPER-STEP",
            "Không rõ đơn vị và năm của báo cáo này",
            "The unit and year of this report are not known",
        )

    def papers_of(self, subject_id: UUID) -> list[Paper]:
        raise NotImplementedError  # domain/services/papers.py


def _member(app: Organizations, member_id: UUID) -> dict[str, Any]:
    """A moved member as the decision names them: the name, and the person and version of
    their record it was read from (ADR 0002: a paper will read the name as of that version
    rather than keep a copy)."""
    person = app.load(Person, app.load(Member, member_id).person_id)
    return {
        "member_name": person.data.full_name,
        "member_person": str(person.id),
        "member_person_version": person.version,
    }


def dissolution_decision(app: Organizations, cell_id: UUID, on: date) -> Statement:
    """The decision dissolving a cell: once it is dissolved (PAPER-STEP), issued by the body
    that decides it, with each member the dissolution moved, the cell they went to and the
    day the transfer was accepted."""
    cell = app.load(Organization, cell_id)
    step_on = step_happened(PaperKind.dissolution_decision, cell.dissolved_on, on)
    if cell.kind is OrgKind.cell:
        issuer_id: UUID | None = app.grassroots_of(cell_id, step_on).id
    else:
        issuer_id = cell.parent_on(step_on)
    if issuer_id is None:
        raise RuleViolation(
            "ORG-TREE",
            "Tổ chức này không có cấp ủy cấp trên để quyết định giải thể",
            "This organization has no committee above it to decide its dissolution",
        )
    moves = []
    for member_id in cell.roll:
        transfer_id = dissolution_transfer_id(cell_id, member_id)
        if not app.exists(transfer_id):
            continue  # left the cell otherwise (their own transfer, striking off…)
        transfer = app.load(Transfer, transfer_id)
        to_cell = transfer.to_cell_id or transfer.destination_org_id
        moves.append(
            {
                **_member(app, member_id),
                "to_cell_name": app.load(Organization, to_cell).name,
                "moved_on": (transfer.accepted_on or transfer.started_on).isoformat(),
            }
        )
    moves.sort(key=lambda m: (m["to_cell_name"], m["member_name"]))
    facts: dict[str, Any] = {
        "cell_name": cell.name,
        "dissolved_on": step_on.isoformat(),
        **bodies(app, issuer_id, step_on),
        "moves_count": len(moves),
        "member_moves": moves,
    }
    if cell.merged_into is not None:
        facts["merged_into_name"] = app.load(Organization, cell.merged_into).name
    return Statement(issuer_id, _place_of(app, issuer_id, step_on), facts)


def _place_of(app: Organizations, org_id: UUID, on: date) -> UUID:
    """The body whose place dates a paper: the grassroots organization, or the body itself
    above that level."""
    try:
        return app.grassroots_of(org_id, on).id
    except RuleViolation:
        return org_id


def quota_report(app: Organizations, subject_id: UUID, on: date) -> Statement:
    """A unit's year: its target and its counts up to the report's date, issued by the unit;
    the year must have begun (PAPER-STEP)."""
    if not isinstance(app, UnitYears) or app.year_figures is None:
        raise RuntimeError("quota figures are not wired (infra/api/services.py)")
    org_id, year = app.unit_year_of(subject_id)
    step_happened(PaperKind.quota_report, date(year, 1, 1), on)
    until = min(on, date(year, 12, 31))
    try:
        figures = app.year_figures(org_id, year, until)
    except LookupError:
        raise RuleViolation(
            "PAPER-STEP",
            "Đơn vị chưa có số liệu của năm này",
            "The unit has no figures for this year yet",
        ) from None
    unit = app.load(Organization, org_id)
    facts: dict[str, Any] = {
        "unit_id": str(org_id),
        "unit_name": unit.name,
        "unit_kind": str(unit.kind),
        "report_year": year,
        "counted_until": until.isoformat(),
        **bodies(app, org_id, until),
        "target": figures.target,
        "decided": figures.decided,
        "admitted": figures.admitted,
        "recognized": figures.recognized,
        "quarters": {k: list(figures.quarters.get(k, [0, 0, 0, 0])) for k in QUARTERS},
        "breakdowns": dict(figures.breakdowns),
    }
    return Statement(org_id, _place_of(app, org_id, until), facts)
