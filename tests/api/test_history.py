"""The history as a person reads it, on the real stack: a record on a date on either basis in
the API and the web (before the record's first event: an answer, never a refusal), and the
record's page telling each event as a sentence with who acted."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from tests.api.conftest import PASSWORD, TODAY, Stack, applicant

OPENED, CERTIFIED = date(2030, 2, 20), date(2030, 2, 25)  # both recorded later, on TODAY
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


async def a_case_recorded_late(stack: Stack) -> str:
    """A case opened on 20/02, its certificate of 25/02, both recorded on 04/03."""
    opened = await stack.http.post(
        "/api/cases",
        json={
            "cell_id": str(stack.world.cell),
            "on": OPENED.isoformat(),
            "person": applicant(full_name="Đỗ Thị Hạnh"),
        },
        headers=stack.as_("secretary"),
    )
    assert opened.status_code == 201, opened.text
    case: str = opened.json()["subject_id"]
    certificate = await stack.http.post(
        f"/api/cases/{case}/steps",
        json={
            "kind": "record_certificate",
            "on": CERTIFIED.isoformat(),
            "args": {"number": "7/GCN"},
        },
        headers=stack.as_("secretary"),
    )
    assert certificate.status_code == 200, certificate.text
    return case


async def as_of(stack: Stack, case: str, moment: str, **params: str) -> dict[str, Any]:
    response = await stack.http.get(
        f"/api/cases/{case}/as-of",
        params={"moment": moment, **params},
        headers=stack.as_("auditor"),
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def test_a_case_on_a_date_is_read_by_effective_date_or_by_what_the_record_knew(
    stack: Stack,
) -> None:
    case = await a_case_recorded_late(stack)
    history = (
        await stack.http.get(f"/api/cases/{case}/history", headers=stack.as_("auditor"))
    ).json()
    first = datetime.fromisoformat(history[0]["recorded_at"])
    assert history[0]["sentence"] == "Mở hồ sơ kết nạp cho người này tại Chi bộ thôn Đông"
    assert history[0]["who"] == "secretary — Bí thư chi bộ, Chi bộ thôn Đông"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", history[0]["recorded"])
    told = (
        await stack.http.get(
            f"/api/cases/{case}/history", params={"lang": "en"}, headers=stack.as_("secretary")
        )
    ).json()
    assert told[1]["sentence"] == (
        "Political-awareness course certificate no. 7/GCN recorded, issued on 25/02/2030"
    )
    assert told[0]["sentence"] == "Admission case opened for Đỗ Thị Hạnh in Chi bộ thôn Đông"

    # What was true on a day: the certificate counts from 25/02, though recorded on 04/03.
    before = await as_of(stack, case, "2030-02-24T12:00:00", basis="effective")
    assert (before["exists"], before["stage"], before["basis"]) == (True, "course", "effective")
    certified = await as_of(stack, case, "2030-02-25", basis="effective")
    assert certified["stage"] == "application" and certified["version"] == before["version"] + 1
    not_yet = await as_of(stack, case, "2030-02-19T23:59:00", basis="effective")
    assert not_yet == {
        "id": case,
        "moment": not_yet["moment"],
        "basis": "effective",
        "exists": False,
        "version": 0,
        "stage": None,
        "closed": None,
        "message": "Vào ngày đó hồ sơ này chưa tồn tại",
    }
    english = await as_of(stack, case, "2030-02-19", basis="effective", lang="en")
    assert english["message"] == "On that day this record did not exist yet"

    # What the record knew at a moment (the default): nothing before its first event was
    # recorded, everything once it was — whatever the acts' own dates.
    unknown = await as_of(stack, case, (first - timedelta(seconds=1)).isoformat())
    assert (unknown["basis"], unknown["exists"], unknown["stage"]) == ("recorded", False, None)
    assert unknown["message"] == "Sổ sự kiện chưa ghi nhận gì về hồ sơ này vào thời điểm đó"
    known = await as_of(stack, case, datetime.now().astimezone().isoformat())
    assert (known["exists"], known["stage"], known["version"]) == (True, "application", 2)
    refused = await stack.http.get(
        f"/api/cases/{case}/as-of",
        params={"moment": "2030-02-25", "basis": "someday"},
        headers=stack.as_("auditor"),
    )
    assert refused.status_code == 422 and refused.json()["rule_id"] == "REQUEST-INVALID"


@asynccontextmanager
async def logged_in(stack: Stack, name: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser of its own with the user's session."""
    async with stack.fresh() as browser:
        login = await browser.post("/api/auth/login", json={"username": name, "password": PASSWORD})
        assert login.status_code == 200, login.text
        yield browser


async def test_the_audit_page_reads_a_case_on_a_date_either_way_and_says_when_it_did_not_exist(
    stack: Stack,
) -> None:
    case = await a_case_recorded_late(stack)
    async with logged_in(stack, "secretary") as browser:
        page = await browser.get(
            "/audit", params={"case_id": case, "on": "19/02/2030", "basis": "effective"}
        )
        assert page.status_code == 200
        assert "Vào ngày đó hồ sơ này chưa tồn tại." in page.text
        assert "Sự kiện đầu tiên của hồ sơ có hiệu lực ngày 20/02/2030" in page.text

        page = await browser.get(
            "/audit", params={"case_id": case, "on": "25/02/2030", "basis": "effective"}
        )
        assert page.status_code == 200
        assert "Hồ sơ như đã đúng vào ngày 25/02/2030: 2 sự kiện có hiệu lực" in page.text
        assert "Đơn xin vào Đảng" in page.text  # the stage it stood at
        assert "số 7/GCN, cấp ngày 25/02/2030" in page.text  # among the events counted

        # What the record knew: by then (real time) everything was recorded; years before,
        # nothing was.
        page = await browser.get(
            "/audit", params={"case_id": case, "on": "24/02/2030", "basis": "recorded"}
        )
        assert page.status_code == 200
        assert "Hồ sơ như sổ sự kiện đã biết cuối ngày 24/02/2030 (giờ Việt Nam)" in page.text
        assert "Đơn xin vào Đảng" in page.text
        page = await browser.get(
            "/audit", params={"case_id": case, "on": "01/01/2020", "basis": "recorded"}
        )
        assert page.status_code == 200
        assert "Đến cuối ngày đó sổ sự kiện chưa ghi nhận gì về hồ sơ này." in page.text


async def test_the_case_page_tells_each_event_as_a_sentence_with_who_acted_in_vietnam_time(
    stack: Stack,
) -> None:
    case = await a_case_recorded_late(stack)
    async with logged_in(stack, "secretary") as browser:
        page = (await browser.get(f"/cases/{case}")).text
    timeline = page[page.index('data-testid="timeline"') :]
    assert "Mở hồ sơ kết nạp cho Đỗ Thị Hạnh tại Chi bộ thôn Đông" in timeline
    assert "secretary — Bí thư chi bộ, Chi bộ thôn Đông" in timeline
    assert "Ghi nhận lúc (giờ Việt Nam)" in timeline
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", timeline)
    assert not UUID_TEXT.search(timeline)
    assert 'name="basis" value="effective"' in page  # "as of" offered on the record's page

    async with logged_in(stack, "auditor") as browser:
        audited = (await browser.get(f"/cases/{case}")).text
    timeline = audited[audited.index('data-testid="timeline"') :]
    assert "Mở hồ sơ kết nạp cho người này tại Chi bộ thôn Đông" in timeline
    assert "Đỗ Thị Hạnh" not in audited
    assert TODAY.year == 2030  # the dates above are this test server's
