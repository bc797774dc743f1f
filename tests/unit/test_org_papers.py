"""The papers about an organization on the read models' scenario (tests/readmodel_scenario.py,
its table of cases): a unit's quota report states the year's counts the quota page shows, by
quarter, with the breakdowns and no name; a cell dissolved without members has a decision
with an empty list of moves. Every expected number is worked out by hand from the scenario's
table (as in tests/unit/test_read_models.py), none computed by the code under test."""

from __future__ import annotations

import io
from datetime import date
from uuid import uuid4

import pytest
from docx import Document

from domain.application import Dangvien
from domain.errors import RuleViolation
from domain.paper import Paper, PaperKind
from infra.papers.render import render_docx
from projections.maintenance import memory_engine
from projections.projector import Projector
from projections.seal import GroupSeal
from projections.year_figures import year_figures
from tests.builders import ctx
from tests.readmodel_scenario import TODAY, Scenario, build_scenario

CODE = "7KQM-2XRA-9DHT"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    app = Dangvien(env={"PERSISTENCE_MODULE": "eventsourcing.popo", "DANGVIEN_ID_KEY": "test"})
    found = build_scenario(app)
    engine = memory_engine()
    Projector(app, engine).run_until_caught_up()
    app.year_figures = year_figures(engine, GroupSeal.of(app))  # as infra/api/services.py wires it
    return found


def tables_of(docx: bytes) -> list[list[list[str]]]:
    return [
        [[c.text.strip() for c in row.cells] for row in table.rows]
        for table in Document(io.BytesIO(docx)).tables
    ]


def test_the_commune_s_report_states_its_year_by_quarter_with_its_breakdowns_and_no_name(
    scenario: Scenario,
) -> None:
    app, commune = scenario.app, scenario.world.commune
    subject_id = app.unit_year(commune, 2026)
    paper_id = app.issue_paper(
        ctx(), paper_id=uuid4(), subject_id=subject_id, kind=PaperKind.quota_report, on=TODAY
    )
    paper = app.load(Paper, paper_id)
    assert (paper.org_id, paper.symbol) == (commune, "1-BC/ĐU")
    f = paper.facts
    assert (f["report_year"], f["counted_until"]) == (2026, "2026-06-15")
    assert f["target"] == 8  # set on the commune
    # Decided in 2026 by 15 June: A, B, D, L on 2026-01-20 (Q1), I on 2026-05-20 (Q2).
    assert (f["decided"], f["quarters"]["decided"]) == (5, [4, 1, 0, 0])
    # Ceremonies: A, B, D, L on 2026-02-03 (Q1).
    assert (f["admitted"], f["quarters"]["admitted"]) == (4, [4, 0, 0, 0])
    # Recognized: C, full from 2026-03-03 (Q1).
    assert (f["recognized"], f["quarters"]["recognized"]) == (1, [1, 0, 0, 0])
    assert f["breakdowns"] == {  # of A, B, D, L
        "female": 2,  # A, D
        "ethnic_minority": 2,  # A Tày, L Mường
        "religious": 1,  # B
        "youth_union": 1,  # B
        "private_sector_worker": 1,  # B
        "student": 1,  # A
    }
    assert not [k for k in f if k.startswith(("applicant_", "member_"))]  # counts only

    docx = render_docx(paper, CODE, f"https://example.vn/verify/{CODE}")
    text = " ".join("".join(Document(io.BytesIO(docx)).element.body.itertext()).split())
    assert "Kết quả công tác kết nạp đảng viên năm 2026" in text
    assert "chỉ tiêu kết nạp đảng viên của" in text and "Tính đến ngày 15/06/2026" in text
    assert "đạt 50% chỉ tiêu" in text  # 4 of 8
    assert "T/M BAN THƯỜNG VỤ" in text
    assert "Nguyễn" not in text
    quarters, breakdowns = (t for t in tables_of(docx) if t[0][0] in ("Quý", "Thành phần"))
    assert quarters == [
        ["Quý", "Quyết định kết nạp", "Lễ kết nạp", "Công nhận chính thức"],
        ["Quý I", "4", "4", "1"],
        ["Quý II", "1", "0", "0"],
        ["Quý III", "0", "0", "0"],
        ["Quý IV", "0", "0", "0"],
    ]
    assert breakdowns[1:3] == [["Nữ", "2"], ["Người dân tộc thiểu số", "2"]]


def test_a_report_is_not_issued_before_its_year_and_a_correction_restates_it(
    scenario: Scenario,
) -> None:
    app, grassroots = scenario.app, scenario.world.grassroots
    early = app.unit_year(grassroots, 2027)
    with pytest.raises(RuleViolation) as refused:
        app.issue_paper(
            ctx(), paper_id=uuid4(), subject_id=early, kind=PaperKind.quota_report, on=TODAY
        )
    assert refused.value.rule_id == "PAPER-STEP"

    subject_id = app.unit_year(grassroots, 2026)
    first = app.issue_paper(
        ctx(), paper_id=uuid4(), subject_id=subject_id, kind=PaperKind.quota_report, on=TODAY
    )
    # 7% of 17 start-of-year members, rounded up: 2; A, B, D admitted (L is elsewhere).
    assert {k: app.load(Paper, first).facts[k] for k in ("target", "admitted")} == {
        "target": 2,
        "admitted": 3,
    }
    with pytest.raises(RuleViolation) as twice:
        app.issue_paper(
            ctx(), paper_id=uuid4(), subject_id=subject_id, kind=PaperKind.quota_report, on=TODAY
        )
    assert twice.value.rule_id == "PAPER-ONCE"
    # A correction made at the year's end, by a process that never named the unit's year:
    # the report it supersedes says which unit and year it is about.
    app.__dict__.pop("_unit_years")
    later = date(2027, 1, 8)
    second = app.supersede_paper(
        ctx(), paper_id=first, new_paper_id=uuid4(), on=later, reason="Số liệu cả năm"
    )
    restated = app.load(Paper, second)
    assert (restated.replaces, restated.facts["counted_until"]) == (first, "2026-12-31")
    assert restated.symbol.startswith("1-BC/")  # the register of 2027


def test_a_cell_dissolved_without_members_has_a_decision_with_no_moves(
    scenario: Scenario,
) -> None:
    app, old = scenario.app, scenario.cells["old"]  # dissolved on 2024-01-02, no member
    with pytest.raises(RuleViolation) as early:
        app.paper_statement(old, PaperKind.dissolution_decision, date(2024, 1, 1))
    assert early.value.rule_id == "PAPER-STEP"
    paper_id = app.issue_paper(
        ctx(),
        paper_id=uuid4(),
        subject_id=old,
        kind=PaperKind.dissolution_decision,
        on=date(2024, 1, 3),
    )
    paper = app.load(Paper, paper_id)
    assert paper.org_id == scenario.world.grassroots  # its grassroots committee decides
    assert (paper.facts["moves_count"], paper.facts["member_moves"]) == (0, [])
    docx = render_docx(paper, CODE, f"https://example.vn/verify/{CODE}")
    moves = next(t for t in tables_of(docx) if t[0][0] == "TT")
    assert moves == [["TT", "Họ và tên đảng viên", "Chuyển đến chi bộ", "Ngày chuyển"]]
