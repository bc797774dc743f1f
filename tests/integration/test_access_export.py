"""`dangvien audit export --person` proves everything the record holds about a person: their
own record, their case, and their access requests with the list of them (issue 18, item 4),
and the export verifies offline."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from uuid import uuid4

from typer.testing import CliRunner

from domain.access_request import RequestChannel, RequestedBy, log_id
from domain.application import NAMESPACE
from infra.bootstrap import build_app
from infra.entrypoints.cli import app as cli
from infra.settings import Settings
from tests.builders import build_world, ctx
from tests.unit.test_admission import open_case


def test_a_person_s_export_holds_their_case_and_access_requests_and_verifies(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    app = build_app(Settings(data_dir=data_dir))
    try:
        case = open_case(build_world(app))
        request = app.record_access_request(
            ctx(),
            request_id=uuid4(),
            person_id=case.person_id,
            requested_by=RequestedBy.data_subject,
            requester_name="Nguyễn Thị Hoa",
            requester_capacity="",
            channel=RequestChannel.email,
            received_on=date(2026, 3, 2),
            today=date(2026, 3, 4),
        )
    finally:
        app.close()
    runner = CliRunner(env={"DANGVIEN_DATA_DIR": str(data_dir), "COLUMNS": "250"})
    sealed = runner.invoke(cli, ["audit", "seal"])
    assert sealed.exit_code == 0, sealed.output
    out = tmp_path / "person.json"

    exported = runner.invoke(
        cli, ["audit", "export", "--person", str(case.person_id), "--out", str(out)]
    )

    assert exported.exit_code == 0, exported.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["aggregates"] == [
        str(case.person_id),
        str(case.case_id),
        str(request),
        str(log_id(NAMESPACE, case.person_id)),
    ]
    assert {e["originator_id"] for e in document["events"]} == set(document["aggregates"])
    assert runner.invoke(cli, ["audit", "verify-export", str(out)]).exit_code == 0
