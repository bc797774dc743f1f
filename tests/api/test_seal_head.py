"""The seal's head as the department is shown it (docs/security.md, "Tamper evidence"): by
`GET /api/audit/seal` and on the web's audit page (Kiểm tra), with when the last seal was made
and how many events were recorded since (the next daily seal covers them)."""

from __future__ import annotations

from datetime import datetime

from domain.calendar import VIETNAM
from infra.bootstrap import audit_key
from infra.chain import audit
from infra.chain.ledger import open_ledger
from infra.chain.proofs import AuditKeys
from tests.api.conftest import PASSWORD, Stack


def seal_now(stack: Stack) -> None:
    ledger = open_ledger(stack.settings)
    try:
        assert audit.seal(ledger, AuditKeys(audit_key(stack.settings))).report.problem is None
    finally:
        ledger.close()


async def test_the_department_sees_when_the_record_was_last_sealed_and_what_is_not_sealed_yet(
    stack: Stack,
) -> None:
    seal_now(stack)
    head = (await stack.http.get("/api/audit/seal", headers=stack.as_("department"))).json()
    assert head["sealed"] and head["unsealed"] == 0
    assert head["last_position"] == stack.written()

    await stack.open_case("secretary", stack.world.cell)
    later = (await stack.http.get("/api/audit/seal", headers=stack.as_("auditor"))).json()
    assert later["tree_size"] == head["tree_size"]
    assert later["unsealed"] == stack.written() - head["last_position"] > 0

    async with stack.fresh() as browser:
        await browser.post("/api/auth/login", json={"username": "auditor", "password": PASSWORD})
        page = (await browser.get("/audit")).text
    at = datetime.fromisoformat(head["sealed_at"]).astimezone(VIETNAM)
    assert f"lúc {at:%d/%m/%Y %H:%M}" in page  # Vietnam time, as people read it
    assert f"Chưa niêm phong: {later['unsealed']} sự kiện" in page
