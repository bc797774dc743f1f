"""The demo's breakdowns after issue 18 item 5 (docs/privacy.md): every unit's figures on the
API and the quota page are those its admitted people's data gives (the flags the rows held
before, tests/breakdowns_reference.py), read from the running `dangvien up`'s own store."""

from __future__ import annotations

import re
import time
from datetime import date
from uuid import UUID

import httpx

from infra.api.services import vietnam_today
from infra.bootstrap import build_app
from infra.settings import Settings
from projections.database import open_engine
from projections.projector import Projector
from projections.views.people import BREAKDOWNS
from tests.breakdowns_reference import admitted_people, breakdowns_from_the_record
from tests.e2e.web_support import Stack

OFFICER = "bantochuc.tanan"  # the commune's organization department: the whole demo below it
ROWS = re.compile(r'data-testid="breakdowns">\s*<tbody>(.*?)</tbody>', re.S)
CELLS = re.compile(r"<td>(\d+)</td>")


def test_every_demo_units_breakdowns_are_those_of_its_admitted_peoples_data(stack: Stack) -> None:
    settings = Settings(data_dir=stack.data_dir, log_level="WARNING")
    app = build_app(settings)
    engine = open_engine(settings.readmodel_database)
    http = httpx.Client(base_url=stack.base, timeout=60)
    try:
        login = {"username": OFFICER, "password": stack.users[OFFICER]}
        assert http.post("/api/auth/login", json=login).status_code == 200
        projector = Projector(app, engine)  # reads where `dangvien up`'s projector stands
        deadline = time.monotonic() + 60
        while projector.lag() > 0:
            assert time.monotonic() < deadline, "the demo's projector is behind"
            time.sleep(0.2)
        today: date = vietnam_today()
        units = [UUID(o["id"]) for o in http.get("/api/orgs").json()]
        counted = 0
        for unit in units:
            for year in (today.year - 1, today.year):
                quota = http.get(f"/api/orgs/{unit}/quota", params={"year": year})
                assert quota.status_code == 200, quota.text
                expected = breakdowns_from_the_record(app, engine, unit, year, today)
                assert quota.json()["breakdowns"] == expected, (unit, year)
                counted += len(admitted_people(engine, unit, year, today))
            page = http.get("/quota", params={"org": str(unit)})
            shown = [int(n) for n in CELLS.findall(ROWS.search(page.text).group(1))]  # type: ignore[union-attr]
            expected = breakdowns_from_the_record(app, engine, unit, today.year, today)
            assert shown == [expected[b] for b in BREAKDOWNS], unit
        assert counted > 0  # the demo admits people: the figures compared are not all empty
    finally:
        http.close()
        app.close()
        engine.dispose()
