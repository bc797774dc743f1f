"""The admin command line on a real data directory (SQLite event store and read model):
`dangvien import …`, `users …`, `case history`, `report stalled`."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID, uuid4, uuid5

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from domain.application import NAMESPACE, Context, Dangvien
from domain.errors import RuleViolation
from domain.values import Actor, Relationship, Relative, Role
from infra.bootstrap import build_app
from infra.entrypoints.cli import app as cli
from infra.importing import org_id_for
from infra.logins import LoginGuard
from infra.settings import Settings
from infra.users import UserStore
from projections.projector import Projector
from tests.builders import person_data

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def runner(data_dir: Path) -> CliRunner:
    return CliRunner(env={"DANGVIEN_DATA_DIR": str(data_dir), "COLUMNS": "250"})


@pytest.fixture
def record(data_dir: Path) -> Iterator[Dangvien]:
    app = build_app(Settings(data_dir=data_dir))
    try:
        yield app
    finally:
        app.close()


def invoke(runner: CliRunner, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(cli, list(args), input=stdin)


def imported(runner: CliRunner) -> None:
    for kind in ("orgs", "members", "targets"):
        result = invoke(runner, "import", kind, str(SAMPLES / f"{kind}.csv"), "--on", "2026-06-15")
        assert result.exit_code == 0, result.output


# --- import ------------------------------------------------------------------------------------


def test_import_rejects_a_bad_file_with_a_table_of_rows_and_exit_code_2(
    runner: CliRunner, record: Dangvien, tmp_path: Path
) -> None:
    bad = tmp_path / "orgs.csv"
    bad.write_text(
        "Mã,Tên,Loại,Mã cấp trên,Ngày thành lập\n"
        "TU,Tỉnh ủy Sơn Lâm,Tỉnh ủy,,01/01/1960\n"
        "CB1,Chi bộ Một,Chi bộ,TU,01/01/1975\n"
        "X1,Đảng ủy xã Một,Đảng ủy xã,TU,1975\n",
        encoding="utf-8",
    )
    result = invoke(runner, "import", "orgs", str(bad))
    assert result.exit_code == 2, result.output
    assert "Các dòng bị từ chối" in result.output
    assert re.search(r"│ 3 +│ Loại, Mã cấp trên, Ngày thành lập │ ORG-TREE", result.output)
    assert re.search(
        r"│ 4 +│ Ngày thành lập +│ IMPORT-FORMAT +│ '1975' không phải ngày", result.output
    )
    assert "Từ chối cả tệp: 2 dòng có lỗi; không ghi gì." in result.output
    english = invoke(runner, "import", "orgs", str(bad), "--lang", "en")
    assert english.exit_code == 2
    assert "'1975' is not a date" in english.output and "nothing was written" in english.output
    assert not record.recorder.max_notification_id()


def test_import_a_good_file_once_then_again_as_already_present(
    runner: CliRunner, record: Dangvien
) -> None:
    orgs = str(SAMPLES / "orgs.csv")
    dry = invoke(runner, "import", "orgs", orgs, "--dry-run", "--lang", "en")
    assert dry.exit_code == 0, dry.output
    assert "Dry run: every row is valid, nothing was written." in dry.output
    assert not record.recorder.max_notification_id()

    first = invoke(runner, "import", "orgs", orgs)
    assert first.exit_code == 0, first.output
    assert re.search(r"│ +9 │ +9 │ +0 │ +0 │ +14 │", first.output)  # rows, new, …, events
    assert "Đã ghi 14 sự kiện trong một giao dịch." in first.output
    assert record.recorder.max_notification_id() == 14

    again = invoke(runner, "import", "orgs", orgs, "--lang", "en")
    assert again.exit_code == 0, again.output
    assert re.search(r"│ +9 │ +0 │ +0 │ +9 │ +0 │", again.output)
    assert "Nothing new: the record already holds every row of the file." in again.output
    assert record.recorder.max_notification_id() == 14

    members = invoke(runner, "import", "members", str(SAMPLES / "members.csv"), "--user", "hoa")
    assert members.exit_code == 0, members.output
    assert record.history(org_id_for("TU-SL"))[0].actor.user_id == "admin"
    person = record.person_id_for("038070001234")
    assert record.history(person)[0].actor.user_id == "hoa"  # who ran the import


# --- users -------------------------------------------------------------------------------------


def test_users_create_reset_and_list(runner: CliRunner, data_dir: Path) -> None:
    imported(runner)
    created = invoke(
        runner, "users", "create", "hoa.nt", "--role", "department_officer", "--org", "X-AB"
    )
    assert created.exit_code == 0, created.output
    password = re.search(r"Mật khẩu \(chỉ hiện một lần\): (\S+)", created.output)
    assert password is not None
    store = UserStore(sa.create_engine(Settings(data_dir=data_dir).readmodel_database))
    user = store.authenticate("hoa.nt", password[1])
    assert user is not None and user.org_id == org_id_for("X-AB")

    from_stdin = invoke(
        runner, "users", "create", "lan", "--role", "cell_secretary", "--org", "CB-TAY",
        "--name", "Ngô Thị Lan", "--password-stdin", stdin="mat-khau-rat-dai\n",
    )  # fmt: skip
    assert from_stdin.exit_code == 0, from_stdin.output
    assert "mat-khau-rat-dai" not in from_stdin.output
    assert store.authenticate("lan", "mat-khau-rat-dai") is not None

    reset = invoke(runner, "users", "reset-password", "hoa.nt", "--lang", "en")
    assert reset.exit_code == 0, reset.output
    new_password = re.search(r"Password \(shown once\): (\S+)", reset.output)
    assert new_password is not None and new_password[1] != password[1]
    assert store.authenticate("hoa.nt", password[1]) is None
    assert store.authenticate("hoa.nt", new_password[1]) is not None

    listing = invoke(runner, "users", "list")
    assert listing.exit_code == 0, listing.output
    assert re.search(r"hoa\.nt +│ department_officer │ Đảng ủy xã An Bình", listing.output)
    assert re.search(r"lan +│ cell_secretary +│ Chi bộ thôn Tây +│ Ngô Thị Lan", listing.output)


def test_users_tokens_are_listed_and_revoked_and_a_lockout_lifted_from_the_command_line(
    runner: CliRunner, data_dir: Path
) -> None:
    imported(runner)
    invoke(runner, "users", "create", "thu", "--role", "auditor", "--org", "X-AB")
    store = UserStore(sa.create_engine(Settings(data_dir=data_dir).readmodel_database))
    kept, revoked = store.issue_token("thu"), store.issue_token("thu")

    listing = invoke(runner, "users", "tokens", "thu", "--lang", "en")
    assert listing.exit_code == 0, listing.output
    assert store.token_id(kept) in listing.output and store.token_id(revoked) in listing.output
    assert kept not in listing.output and revoked not in listing.output

    done = invoke(runner, "users", "revoke-token", "thu", store.token_id(revoked))
    assert done.exit_code == 0, done.output
    assert store.user_for_token(revoked) is None
    assert store.user_for_token(kept) is not None
    again = invoke(runner, "users", "revoke-token", "thu", store.token_id(revoked))
    assert again.exit_code == 2
    assert "Không tìm thấy phiên hoặc mã truy cập" in again.output

    guard = LoginGuard(store, lockout=2)
    for _ in range(2):
        with contextlib.suppress(RuleViolation):
            asyncio.run(guard.check("thu", "sai-mat-khau", "192.0.2.1"))
    assert guard.state("thu")[1] is not None  # locked
    lifted = invoke(runner, "users", "unlock", "thu")
    assert lifted.exit_code == 0, lifted.output
    assert "Đã mở khóa thu" in lifted.output
    assert guard.state("thu") == (0, None)
    actions = [(e.action, e.actor.split(":")[0]) for e in store.events("thu")]
    assert actions == [("token_revoked", "cli"), ("locked", "system"), ("unlocked", "cli")]


def test_users_refusals_name_their_rule(runner: CliRunner) -> None:
    imported(runner)
    unknown_org = invoke(runner, "users", "create", "x", "--role", "auditor", "--org", "NOPE")
    assert unknown_org.exit_code == 2 and "NOT-FOUND" in unknown_org.output
    short = invoke(
        runner, "users", "create", "y", "--role", "auditor", "--org", "X-AB",
        "--password-stdin", "--lang", "en", stdin="short\n",
    )  # fmt: skip
    assert short.exit_code == 2
    assert "[USER-PASSWORD] A password needs at least 10 characters" in short.output
    no_one = invoke(runner, "users", "reset-password", "nobody")
    assert no_one.exit_code == 2 and "NOT-FOUND" in no_one.output


# --- case history --------------------------------------------------------------------------------


def test_case_history_tells_each_event_as_a_sentence_with_who_when_and_the_rule_set(
    runner: CliRunner, record: Dangvien
) -> None:
    imported(runner)
    cell = org_id_for("CB-DONG")
    created = invoke(
        runner,
        "users",
        "create",
        "bt.dong",
        "--role",
        "cell_secretary",
        "--org",
        "CB-DONG",
        "--name",
        "Nguyễn Văn B",
    )
    assert created.exit_code == 0, created.output
    secretary = Actor("bt.dong", Role.cell_secretary, cell)  # the username, as an import records

    def ctx() -> Context:
        return Context(secretary, f"cmd-{uuid4()}")

    person = record.register_person(ctx(), person_data(), date(2026, 6, 1))
    case_id = record.open_case(
        ctx(), case_id=uuid4(), person_id=person, cell_id=cell, on=date(2026, 6, 1)
    )
    record.record_certificate(ctx(), case_id, "CN-123/2026", date(2026, 6, 5))
    record.submit_application(ctx(), case_id, date(2026, 6, 8))
    record.declare_background(
        ctx(),
        case_id,
        [Relative("r1", Relationship.father, "Nguyễn Văn Ba", "xã An Bình")],
        date(2026, 6, 9),
    )

    result = invoke(runner, "case", "history", str(case_id))
    assert result.exit_code == 0, result.output
    assert f"Lịch sử hồ sơ {case_id}" in result.output
    for sentence in (
        "Mở hồ sơ kết nạp cho người này tại Chi bộ thôn Đông",
        "Ghi giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng số CN-123/2026, cấp ngày",
        "Nhận đơn xin vào Đảng",
        "Nhận lý lịch người xin vào Đảng, khai 1 người thân cần thẩm tra",
    ):
        assert sentence in result.output
    # Effective date, what happened, who (name, role, unit), recorded in Vietnam time.
    assert re.search(
        r"│ 2 +│ 05/06/2026 │ Giấy chứng nhận học lớp nhận thức +│ Nguyễn Văn B — Bí thư chi bộ, "
        r"Chi bộ thôn Đông │ \d\d/\d\d/20\d\d \d\d:\d\d +│ 294-QĐ/TW",
        result.output,
    )
    assert "Ghi nhận lúc (giờ Việt Nam)" in result.output
    # No code: no class or field names, no reprs, no ids.
    for code in ("AdmissionCase.", "cell_secretary", "Ballot(", "relatives=", "True", "{"):
        assert code not in result.output
    assert "Nguyễn Văn Ba" not in result.output and "Nguyễn Thị Hoa" not in result.output
    revealed = invoke(runner, "case", "history", str(case_id), "--personal", "--lang", "en")
    assert revealed.exit_code == 0 and "Nguyễn Văn Ba" in revealed.output
    assert "Admission case opened for Nguyễn Thị Hoa in Chi bộ thôn Đông" in revealed.output
    assert "issued on 05/06/2026" in revealed.output
    assert "Nguyễn Văn B — Cell secretary, Chi bộ thôn Đông" in revealed.output

    unknown = invoke(runner, "case", "history", str(UUID(int=7)))
    assert unknown.exit_code == 2 and "NOT-FOUND" in unknown.output


# --- stalled report -------------------------------------------------------------------------------


def test_report_stalled_lists_the_overdue_probation_worst_first(
    runner: CliRunner, record: Dangvien, data_dir: Path
) -> None:
    imported(runner)
    none_yet = invoke(runner, "report", "stalled", "--org", "X-AB", "--date", "2026-06-15")
    assert none_yet.exit_code == 2 and "dangvien projector" in none_yet.output

    engine = sa.create_engine(Settings(data_dir=data_dir).readmodel_database)
    Projector(record, engine).run_until_caught_up()
    member_id = uuid5(NAMESPACE, f"member/{record.person_id_for('038099008901')}")
    result = invoke(runner, "report", "stalled", "--org", "X-AB", "--date", "15/06/2026")
    assert result.exit_code == 0, result.output
    assert "Hồ sơ chậm, quá hạn đến 15/06/2026 — Đảng ủy xã An Bình" in result.output
    # Ngô Thị Lan's probation ended on 10/03/2026: the review (PRB-REVIEW) was due 30 WD later.
    assert re.search(
        rf"│ member │ {member_id} │ Chi bộ giáo viên │ probationary │ PRB-REVIEW 21/04/2026 │"
        r" quá hạn 36 ",
        result.output,
    )
    assert "1 hồ sơ" in result.output
    english = invoke(
        runner, "report", "stalled", "--org", str(org_id_for("CB-DONG")), "--lang", "en"
    )
    assert english.exit_code == 0 and "0 stalled" in english.output
    unknown = invoke(runner, "report", "stalled", "--org", "NOPE")
    assert unknown.exit_code == 2 and "NOT-FOUND" in unknown.output


def test_a_command_s_output_is_its_table_and_its_log_lines_go_to_standard_error(
    data_dir: Path, record: Dangvien
) -> None:
    runner = CliRunner(
        env={"DANGVIEN_DATA_DIR": str(data_dir), "COLUMNS": "250", "DANGVIEN_LOG_LEVEL": "INFO"}
    )
    orgs = str(SAMPLES / "orgs.csv")
    result = invoke(runner, "import", "orgs", orgs, "--on", "2026-06-15", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "import.done" in result.stderr
    assert "import.done" not in result.stdout
    assert "Import of orgs.csv" in result.stdout and "events written" in result.stdout


def test_an_administrator_sets_a_users_e_mail_and_digest_and_a_bad_address_names_its_rule(
    runner: CliRunner, data_dir: Path
) -> None:
    imported(runner)
    invoke(runner, "users", "create", "mai", "--role", "cell_secretary", "--org", "CB-TAY")
    store = UserStore(sa.create_engine(Settings(data_dir=data_dir).readmodel_database))
    done = invoke(runner, "users", "set-email", "mai", "mai@donvi.vn", "--digest")
    assert done.exit_code == 0, done.output
    assert "mai: đã đặt thư điện tử" in done.output and "mai@donvi.vn" not in done.output
    assert store.contact("mai").email == "mai@donvi.vn" and store.contact("mai").digest

    bad = invoke(runner, "users", "set-email", "mai", "mai-at-donvi", "--lang", "en")
    assert bad.exit_code == 2 and "[USER-EMAIL] Not a valid e-mail address" in bad.output
    assert store.contact("mai").email == "mai@donvi.vn"

    cleared = invoke(runner, "users", "set-email", "mai", "", "--single")
    assert cleared.exit_code == 0 and "đã xóa thư điện tử" in cleared.output
    assert store.contact("mai").email is None and not store.contact("mai").digest
    nobody = invoke(runner, "users", "set-email", "nobody", "a@donvi.vn")
    assert nobody.exit_code == 2 and "NOT-FOUND" in nobody.output
