"""The member register: members found by name (accent- and case-insensitive, through the
blind index of the read model), by citizen ID (through the keyed person id), by unit and
status, counted per unit; and the names of a roll. Everything is bounded to the user's
subtree: a member outside it is simply not found.

A search is a POST: a name or a citizen ID is personal data, kept out of addresses, proxies'
logs and browsers' histories. Names are read from the record (the Person aggregate), for the
page of results only, and only for the roles that may see personal data."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from uuid import UUID

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import BaseModel, Field

from domain import names
from domain.application import Dangvien
from domain.person import Person
from domain.stages import Standing, Status
from infra.api.access import may_see_personal_data
from infra.api.auth import REFUSALS, CurrentUser, Svc
from infra.api.errors import ApiError, not_found, role_refused
from infra.api.schemas import ProbationerOut, RollMemberOut, RollOut, Strict
from infra.api.services import Services
from infra.users import User
from projections.queries import ReadModel
from projections.register import PAGE, Register, Search
from projections.tables import tables
from projections.versions import ReadModelOutdated, live_version

router = APIRouter(prefix="/api", tags=["register"], responses=REFUSALS)

CITIZEN_ID = r"^[0-9]{9}([0-9]{3})?$"  # CCCD (12 digits) or CMND (9)
MAX_PAGE = 10_000
SEARCH_PEOPLE = "search_people"  # by name or citizen ID: personal data (not for auditors)


class MemberSearchIn(Strict):
    """What to look for; every filter given must hold. A name matches by whole words, without
    accents or capitals ("nguyen van a" finds "Nguyễn Văn A")."""

    q: Annotated[str, Field(max_length=200, pattern=r"^[^\x00]*$")] | None = None
    citizen_id: Annotated[str, Field(pattern=CITIZEN_ID)] | None = None
    org_id: UUID | None = None  # a unit and its subtree (default: the user's)
    status: Standing | None = None
    page: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 1


class UnitCountOut(BaseModel):
    org_id: UUID
    name: str
    members: int


class MemberFoundOut(BaseModel):
    member_id: UUID
    person_id: UUID
    name: str | None  # for the roles that may see personal data
    cell_id: UUID
    cell_name: str
    status: str
    joined_on: date
    full_from: date | None
    struck_off_on: date | None


class MemberSearchOut(BaseModel):
    org_id: UUID | None  # the unit searched (None: the whole tree)
    total: int
    here: int  # on the unit's own roll (a cell searched)
    units: list[UnitCountOut]  # the units directly below, with what was found in each
    page: int
    pages: int
    page_size: int
    members: list[MemberFoundOut]


def register(s: Services) -> Register:
    """The register's queries, or a refusal while the read model is rebuilt for them."""
    try:
        return Register(s.engine)
    except ReadModelOutdated:
        raise ApiError(
            "READ-REBUILDING",
            "Dữ liệu tra cứu đang được dựng lại cho phiên bản mới; hãy thử lại sau ít phút",
            "The read model is being rebuilt for this version; try again in a few minutes",
        ) from None


def query_tokens(app: Dangvien, q: str) -> frozenset[int]:
    words = names.tokens(q)
    if not words or len(words) > names.MAX_TOKENS:
        raise ApiError(
            "SEARCH-NAME",
            f"Nhập từ 1 đến {names.MAX_TOKENS} chữ của họ tên",
            f"Type 1 to {names.MAX_TOKENS} words of the name",
            field="q",
        )
    return app.name_index(q)


def person_names(app: Dangvien, person_ids: Iterable[UUID]) -> dict[UUID, str]:
    """Names from the record itself (the read model keeps none)."""
    return {p: app.load(Person, p).data.full_name for p in set(person_ids)}


@dataclass(frozen=True)
class Found:
    """A search as the API and the web answer it: the unit, the counts, the page."""

    org_id: UUID | None
    search: Search
    page: int
    names: dict[UUID, str]  # person → name, for the page (empty for auditors)

    @property
    def pages(self) -> int:
        return max(1, -(-self.search.total // PAGE))


def search_members(
    s: Services,
    user: User,
    *,
    q: str | None = None,
    citizen_id: str | None = None,
    org_id: UUID | None = None,
    status: str | None = None,
    page: int = 1,
) -> Found:
    """The search, inside the user's subtree (the unit asked for must be in it)."""
    if (q or citizen_id) and not may_see_personal_data(user):
        raise role_refused(SEARCH_PEOPLE)
    scope = s.scope
    if org_id is not None:
        if not scope.inside(user, org_id):
            raise not_found("organization")
        path = scope.path(org_id)
    else:
        path = scope.root_of(user)
    if path is None:  # the user's organization is not in the read model yet
        raise not_found("organization")
    tokens = query_tokens(s.app, q) if q and q.strip() else frozenset()
    person_id = None
    if citizen_id:
        if not re.match(CITIZEN_ID, citizen_id.strip()):
            raise ApiError(
                "SEARCH-CITIZEN-ID",
                "Số CCCD gồm 12 chữ số (CMND: 9)",
                "A citizen ID has 12 digits (an old ID card: 9)",
                field="citizen_id",
            )
        person_id = s.app.person_id_for(citizen_id.strip())
    found = register(s).search(
        path,
        tokens=tokens,
        person_id=person_id,
        status=status,
        limit=PAGE,
        offset=(page - 1) * PAGE,
    )
    shown = person_names(s.app, (m.person_id for m in found.members))
    return Found(org_id, found, page, shown if may_see_personal_data(user) else {})


def org_names(s: Services, org_ids: Iterable[UUID]) -> dict[UUID, str]:
    wanted = set(org_ids)
    if not wanted:
        return {}
    orgs = tables(live_version(s.engine)).orgs
    with s.engine.connect() as conn:
        rows = conn.execute(sa.select(orgs.c.id, orgs.c.name).where(orgs.c.id.in_(wanted)))
        return {i: str(n) for i, n in rows}


@router.post("/members/search")
def members_search(body: MemberSearchIn, user: CurrentUser, s: Svc) -> MemberSearchOut:
    """Members of the user's subtree (or of a unit of it) by name, citizen ID, status; the
    count in each unit directly below; a page of 50 in tree order. Names only for the roles
    that may see personal data; auditors may list by unit and status, not search people."""
    found = search_members(
        s,
        user,
        q=body.q,
        citizen_id=body.citizen_id,
        org_id=body.org_id,
        status=str(body.status) if body.status else None,
        page=body.page,
    )
    result = found.search
    named = org_names(s, [*result.units, *(m.cell_id for m in result.members)])
    return MemberSearchOut(
        org_id=found.org_id,
        total=result.total,
        here=result.here,
        units=[
            UnitCountOut(org_id=o, name=named[o], members=n)
            for o, n in sorted(result.units.items(), key=lambda u: named[u[0]])
        ],
        page=found.page,
        pages=found.pages,
        page_size=PAGE,
        members=[
            MemberFoundOut(
                member_id=m.member_id,
                person_id=m.person_id,
                name=found.names.get(m.person_id),
                cell_id=m.cell_id,
                cell_name=named[m.cell_id],
                status=m.status,
                joined_on=m.joined_on,
                full_from=m.full_from,
                struck_off_on=m.struck_off_on,
            )
            for m in result.members
        ],
    )


def roll_out(s: Services, user: User, org_id: UUID, today: date, on: date | None) -> RollOut:
    """A cell's roll today (full, probationary, away, guests, residence links), or on the
    day `on` (who was on it that day); with names for the roles that may see them."""
    model = Register(s.engine)
    away: list[UUID] | None
    guests: list[UUID] | None
    links: list[UUID] | None
    if on is None:
        now = ReadModel(s.engine).roll(org_id, today)
        listed = model.listed([*now.full, *(m for m, _ in now.probationary)], today)
        full, probationary = now.full, now.probationary
        away, guests, links = now.away, now.guests, now.residence_links
    else:
        listed = register(s).roll_on(org_id, on)
        full = [m.member_id for m in listed if m.status is Status.full]
        probationary = [
            (m.member_id, m.probation_ends) for m in listed if m.status is not Status.full
        ]
        away = guests = links = None
    shown = (
        person_names(s.app, (m.person_id for m in listed)) if may_see_personal_data(user) else {}
    )
    return RollOut(
        cell_id=org_id,
        on=on,
        full=full,
        probationary=[ProbationerOut(member_id=m, probation_ends=d) for m, d in probationary],
        away=away,
        guests=guests,
        residence_links=links,
        members=[
            RollMemberOut(
                member_id=m.member_id,
                name=shown.get(m.person_id),
                status=str(m.status),
                joined_on=m.joined_on,
                probation_ends=m.probation_ends,
                full_from=m.full_from,
            )
            for m in listed
        ],
    )
