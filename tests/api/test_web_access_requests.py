"""The "Yêu cầu truy cập dữ liệu" section of a person's page (infra/web/access_requests.py):
the organization department records a request with the form, sees it listed with its state,
downloads the file to hand over; a refusal comes back beside its field with nothing written;
auditors and secretaries see the list, not the form, and auditors neither names nor files."""

from __future__ import annotations

import hashlib
import re

from tests.api.conftest import Stack
from tests.api.test_access_requests import NAME, post_request
from tests.api.test_papers import voted_case
from tests.api.test_web_starts import error_beside, post_form, session

FORM = {
    "requested_by": "representative",
    "requester_name": "Trần Văn Bảy",
    "requester_capacity": "Giấy ủy quyền số 12/UQ",
    "received_on": "02/03/2030",
    "channel": "post",
}


async def test_the_department_records_a_request_on_the_person_s_page_and_downloads_its_file(
    stack: Stack,
) -> None:
    case = voted_case(stack)
    page = f"/people/{case.person_id}"
    department = await session(stack, "department")
    shown = await department.get(page)
    assert 'data-testid="access-form"' in shown.text and "Chưa có yêu cầu nào" in shown.text

    sent = await post_form(department, f"{page}/access-requests", {**FORM, "key": "k1"}, page)

    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"{page}#access"
    listed = (await department.get(page)).text
    assert "Nhận ngày 02/03/2030" in listed
    assert "Người đại diện: Trần Văn Bảy (Giấy ủy quyền số 12/UQ)" in listed
    assert "Qua bưu điện" in listed and "Chưa trả lời" in listed
    link = re.search(r'href="(/api/access-requests/[0-9a-f-]+/file)"', listed)
    assert link, listed
    got = await department.get(link.group(1))
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    assert NAME not in got.headers["content-disposition"]
    answered = (await department.get(page)).text
    assert "Đã trả lời 1 lần, lần cuối ngày 04/03/2030" in answered
    (request,) = stack.app.access_requests_of(case.person_id)
    assert request.answers[0].sha256 == hashlib.sha256(got.content).hexdigest()
    await department.aclose()


async def test_a_refused_request_comes_back_beside_its_field_with_nothing_written(
    stack: Stack,
) -> None:
    case = voted_case(stack)
    page = f"/people/{case.person_id}"
    department = await session(stack, "department")
    before = stack.written()
    future = await post_form(
        department, f"{page}/access-requests", {**FORM, "received_on": "05/03/2030"}, page
    )
    assert future.status_code == 422
    assert "chưa đến" in error_beside(future.text, "access-received_on")
    unnamed = await post_form(
        department, f"{page}/access-requests", {**FORM, "requester_name": " "}, page
    )
    assert unnamed.status_code == 422  # the form's own check: a name is required
    assert error_beside(unnamed.text, "access-requester_name") == "Bắt buộc"
    no_capacity = await post_form(
        department, f"{page}/access-requests", {**FORM, "requester_capacity": ""}, page
    )
    assert "[PDP-REQUESTER]" in error_beside(no_capacity.text, "access-requester_capacity")
    assert stack.written() == before
    assert stack.app.access_requests_of(case.person_id) == []
    await department.aclose()


async def test_auditors_and_secretaries_see_the_list_without_the_form_auditors_without_names(
    stack: Stack,
) -> None:
    case = voted_case(stack)
    await post_request(stack, case.person_id)
    page = f"/people/{case.person_id}"
    for role, sees_name in (("auditor", False), ("secretary", True)):
        client = await session(stack, role)
        shown = (await client.get(page)).text
        assert 'data-testid="access-request"' in shown, role
        assert 'data-testid="access-form"' not in shown, role
        assert "/api/access-requests/" not in shown, role
        assert (f"Chính người có dữ liệu: {NAME}" in shown) is sees_name, role
        await client.aclose()
