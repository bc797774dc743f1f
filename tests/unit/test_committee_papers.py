"""The committees' papers in the record (issue 16, docs/documents.md): the grassroots committee's
resolution only after a passing vote; the recognition decision only after a recognition, by the
committee that recognised, stating the cell's vote or, after a deadlock, none; a decision
decided without a number keeps none on record and its paper carries the register's."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from domain.admission import AdmissionCase
from domain.member import Member
from domain.organization import Organization
from domain.paper import Paper, PaperKind
from infra.papers.render import context
from tests.builders import World, ctx
from tests.unit.test_admission import refused
from tests.unit.test_members_and_transfers import FAILED_VOTES, UPPER_DECISION, _deadlock
from tests.unit.test_papers import issue, voted_case


def test_a_failed_committee_vote_is_reported_up_but_proposes_nothing_on_paper(
    world: World,
) -> None:
    case = voted_case(world)
    with refused(world.app, "PAPER-STEP"):
        issue(case, PaperKind.grassroots_resolution, date(2025, 12, 15))
    case.committee_vote(votes_for=3)  # 3 of 9: short of the majority
    with refused(world.app, "PAPER-STEP"):
        issue(case, PaperKind.grassroots_resolution, date(2025, 12, 15))


def test_the_grassroots_resolution_is_numbered_in_the_committees_resolutions_book(
    world: World,
) -> None:
    case = voted_case(world)
    case.committee_vote()
    with refused(world.app, "PAPER-STEP"):  # not dated before the vote
        issue(case, PaperKind.grassroots_resolution, date(2025, 12, 14))
    paper = issue(case, PaperKind.grassroots_resolution, date(2025, 12, 15))
    assert (paper.org_id, paper.symbol) == (world.grassroots, "1-NQ/ĐU")
    # addressed to the committee competent to decide the admission
    assert paper.facts["deciding_name"] == world.app.load(Organization, world.commune).name
    tags = context(paper, "CODE", "https://x/verify/CODE")
    assert tags["cell_resolution_ref"] == "nghị quyết của Chi bộ thôn Đông ngày 05/12/2025"
    assert (tags["committee_for"], tags["committee_size"], tags["committee_percent"]) == (7, 9, 78)


def test_a_decision_without_a_number_is_recorded_without_one_and_its_paper_states_none(
    world: World,
) -> None:
    case = voted_case(world)
    case.committee_vote()
    world.app.decide_admission(
        ctx(), case.case_id, number=None, decided_by=world.commune, on=date(2026, 1, 20)
    )
    assert world.app.load(AdmissionCase, case.case_id).decision == (
        None,
        date(2026, 1, 20),
        world.commune,
    )
    decided = world.app.history(case.case_id)[-1]
    assert decided.name == "AdmissionCase.AdmissionDecided" and decided.facts["number"] is None
    paper = issue(case, PaperKind.admission_decision, date(2026, 1, 21))
    assert paper.symbol == "1-QĐ/ĐU" and "decision_recorded_number" not in paper.facts


def test_a_recognition_after_a_deadlock_is_the_upper_committees_paper_without_a_cell_vote(
    world: World,
) -> None:
    probationer = _deadlock(world)
    with refused(world.app, "PAPER-STEP"):
        world.app.issue_paper(
            ctx(),
            paper_id=uuid4(),
            subject_id=probationer,
            kind=PaperKind.recognition_decision,
            on=UPPER_DECISION,
        )
    world.app.recognize(
        ctx(), probationer, decided_by=world.commune, on=UPPER_DECISION, by_upper_committee=True
    )
    member = world.app.load(Member, probationer)
    assert member.recognized_by == world.commune
    paper_id = world.app.issue_paper(
        ctx(),
        paper_id=uuid4(),
        subject_id=probationer,
        kind=PaperKind.recognition_decision,
        on=UPPER_DECISION,
    )
    paper = world.app.load(Paper, paper_id)
    assert (paper.org_id, paper.symbol) == (world.commune, "1-QĐ/ĐU")
    assert member.full_from is not None
    assert paper.facts["full_from"] == member.full_from.isoformat()  # PRB-EFFECTIVE
    assert "review_vote_on" not in paper.facts  # three failed votes, none passed
    tags = context(paper, "CODE", "https://x/verify/CODE")
    assert "ba lần chi bộ biểu quyết không đủ hai phần ba" in tags["review_ref"]
    assert FAILED_VOTES[-1] < UPPER_DECISION


def test_a_member_recognised_before_dangvien_has_no_recognition_decision_to_issue(
    world: World,
) -> None:
    full_member = world.members[world.cell][0]
    with refused(world.app, "PAPER-STEP"):
        world.app.issue_paper(
            ctx(),
            paper_id=uuid4(),
            subject_id=full_member,
            kind=PaperKind.recognition_decision,
            on=date(2026, 1, 5),
        )
