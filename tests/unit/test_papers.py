"""Papers issued from the record (docs/documents.md): numbered from the issuing body's register
without gaps or doubles, superseded (never edited) by a correction, found by their code."""

from __future__ import annotations

import threading
from datetime import date
from uuid import uuid4

from domain.application import NAMESPACE
from domain.paper import Paper, PaperKind, Register, place_of, register_id
from domain.verification import normalize
from tests.builders import World, ctx
from tests.unit.test_admission import Case, open_case, refused

VOTED = date(2025, 12, 5)


def voted_case(world: World) -> Case:
    case = open_case(world)
    case.dossier()
    case.cell_vote(on=VOTED)
    return case


def issue(case: Case, kind: PaperKind = PaperKind.cell_resolution, on: date = VOTED) -> Paper:
    paper_id = case.app.issue_paper(
        ctx(), paper_id=uuid4(), subject_id=case.case_id, kind=kind, on=on
    )
    return case.app.load(Paper, paper_id)


def test_a_cell_resolution_states_the_recorded_vote_under_the_cells_first_number(
    world: World,
) -> None:
    case = voted_case(world)
    paper = issue(case)
    assert (paper.number, paper.symbol, paper.year) == (1, "1-NQ/CB", 2025)
    assert paper.org_id == world.cell
    assert paper.place == "An Bình"
    assert paper.signatory_title == "BÍ THƯ"
    assert paper.facts["applicant_name"] == "Nguyễn Thị Hoa"
    assert paper.facts["cell_name"] == "Chi bộ thôn Đông"
    assert paper.facts["superior_name"] == "Đảng bộ xã An Bình"
    assert (paper.facts["cell_votes_for"], paper.facts["cell_on_roll"]) == (6, 9)
    assert paper.facts["cell_vote_on"] == "2025-12-05"
    assert paper.issued_by.user_id == "user-administrator"
    assert case.app.papers_of(case.case_id) == [paper]


def test_the_admission_decision_is_numbered_in_the_deciding_committees_book(
    world: World,
) -> None:
    case = voted_case(world)
    case.committee_vote()
    case.decide(on=date(2026, 1, 20))
    paper = issue(case, PaperKind.admission_decision, date(2026, 1, 20))
    assert (paper.org_id, paper.symbol, paper.year) == (world.commune, "1-QĐ/ĐU", 2026)
    assert paper.facts["superior_name"] == "Tỉnh ủy"
    assert paper.facts["committee_votes_for"] == 7


def test_a_paper_before_the_step_it_records_is_refused_and_writes_nothing(world: World) -> None:
    case = open_case(world)
    case.dossier()
    with refused(case.app, "PAPER-STEP"):
        issue(case)
    case.cell_vote(on=VOTED)
    with refused(case.app, "PAPER-STEP"):
        issue(case, on=date(2025, 12, 4))
    with refused(case.app, "PAPER-STEP"):
        issue(case, PaperKind.admission_decision)


def test_issuing_again_with_the_same_key_is_one_paper_and_a_second_paper_is_refused(
    world: World,
) -> None:
    case = voted_case(world)
    paper_id, again = uuid4(), ctx()
    for _ in range(2):
        case.app.issue_paper(
            again,
            paper_id=paper_id,
            subject_id=case.case_id,
            kind=PaperKind.cell_resolution,
            on=VOTED,
        )
    assert [p.id for p in case.app.papers_of(case.case_id)] == [paper_id]
    with refused(case.app, "PAPER-ONCE"):
        issue(case)


def test_a_correction_supersedes_the_paper_with_a_new_number_and_keeps_the_old_one(
    world: World,
) -> None:
    case = voted_case(world)
    old = issue(case)
    new_id = case.app.supersede_paper(
        ctx(), paper_id=old.id, new_paper_id=uuid4(), on=date(2025, 12, 8), reason="Sai ngày sinh"
    )
    new, before = case.app.load(Paper, new_id), case.app.load(Paper, old.id)
    assert (new.number, new.replaces, new.superseded_by) == (2, old.id, None)
    assert (before.number, before.superseded_by, before.superseded_reason) == (
        1,
        new_id,
        "Sai ngày sinh",
    )
    assert [e.name for e in case.app.history(old.id)] == [
        "Paper.PaperIssued",
        "Paper.PaperSuperseded",
    ]
    with refused(case.app, "PAPER-SUPERSEDED"):
        case.app.supersede_paper(
            ctx(), paper_id=old.id, new_paper_id=uuid4(), on=date(2025, 12, 9), reason="x"
        )


def test_a_burst_of_concurrent_issues_gets_distinct_consecutive_numbers(world: World) -> None:
    cases = [voted_case(world) for _ in range(8)]
    numbers: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(cases))

    def run(case: Case) -> None:
        try:
            start.wait()
            numbers.append(issue(case).number)
        except BaseException as error:  # a thread's failure is the test's
            errors.append(error)

    threads = [threading.Thread(target=run, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 9))
    register = world.app.load(Register, register_id(NAMESPACE, world.cell, "NQ", 2025))
    assert sorted(register.taken) == list(range(1, 9))


def test_a_code_finds_its_paper_typed_any_way_and_a_forged_one_finds_nothing(
    world: World,
) -> None:
    case = voted_case(world)
    paper = issue(case)
    code = case.app.paper_code(paper.id)
    assert len(code) == 14 and code.count("-") == 2
    assert case.app.paper_by_code(code.lower().replace("-", " ")) == paper
    forged = ("0" if code[0] != "0" else "1") + code[1:]
    assert case.app.paper_by_code(forged) is None
    assert case.app.paper_by_code("not a code") is None
    assert normalize("o1l1-ABCD-EFGH") == "0111-ABCD-EFGH"


def test_the_place_of_a_paper_is_the_name_of_its_commune() -> None:
    assert place_of("Đảng ủy xã Tân An") == "Tân An"
    assert place_of("Đảng bộ phường Hòa Khánh") == "Hòa Khánh"
    assert place_of("Chi bộ thôn Phú Đông") == "Phú Đông"


def test_the_record_holds_no_code_in_clear(world: World) -> None:
    paper = issue(voted_case(world))
    code = world.app.paper_code(paper.id)
    stored = b"".join(
        bytes(n.state) for n in world.app.recorder.select_notifications(start=1, limit=10**6)
    )
    assert code.encode() not in stored and code.replace("-", "").encode() not in stored
