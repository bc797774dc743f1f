"""Registration (Đăng ký): organizations, hamlets, the hamlets a cell serves, members from their
paper dossiers — the same service calls and rules as the import (infra/importing/commands.py),
for the organization department of the committee above and administrators.

Each command is direct (no process runs a registration), checked before anything is written:
the role (403 ACCESS-ROLE), the organization the path names (outside the user's subtree or
unknown: 404 NOT-FOUND), what the body names (a parent, a cell, a merge target: outside or
unknown, 403 ACCESS-SCOPE) and the effective date not after today (DATE-ORDER). The domain
checks the rest (ORG-TREE, ORG-DISSOLVE, PRB-EFFECTIVE, CASE-UNIQUE…); a refusal writes
nothing. `Idempotency-Key` makes a repeat a no-op that answers what the first call answered.

A new organization is inside the user's subtree for the next command once the projector has
placed it in the read model's tree (a second or so with `dangvien up`).

Merging cell B into cell A is B's dissolution with every member moved to A and `merged_into`
A (`POST /api/orgs/{B}/dissolution`, a process: docs/api.md); here an organization is
dissolved only when it holds no member and nothing sits under it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import partial
from typing import Annotated, Any, TypeVar
from uuid import UUID

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import BaseModel, Field, StrictBool
from starlette.concurrency import run_in_threadpool

from domain import policy
from domain.errors import RuleViolation
from domain.member import Member
from domain.organization import Organization
from domain.person import PersonalData
from domain.values import CellSetting, OrgKind
from infra.api.access import REGISTER_MEMBER, REGISTER_ORG
from infra.api.auth import REFUSALS, CurrentUser, Svc
from infra.api.commands import (
    IdempotencyKey,
    command_key,
    context,
    first_answer,
    named_org,
    new_id,
    org_command,
    within_reach,
)
from infra.api.errors import scope_refused
from infra.api.schemas import Day, Name, PersonIn, Strict
from infra.api.services import Services
from infra.users import User
from projections.projector import live_version
from projections.tables import tables

M = TypeVar("M", bound=BaseModel)
router = APIRouter(
    prefix="/api",
    tags=["registration"],
    responses={**REFUSALS, 422: {"description": "Invalid body, or a rule refused it (rule_id)"}},
)

HamletKey = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9-]*$")]


# --- bodies -------------------------------------------------------------------------------------


class OrgIn(Strict):
    """A new organization under `parent_id`, founded on `on` (ORG-TREE: the kinds of §6)."""

    parent_id: UUID
    kind: OrgKind
    name: Name
    on: Day
    setting: CellSetting | None = None  # where a cell works (a hamlet's cell: its 213 links)
    may_admit: StrictBool = False  # a grassroots committee authorised to admit
    exempt_area: StrictBool = False  # mountain, border, island or ethnic area (ADM-EDU)


class RenameIn(Strict):
    name: Name
    on: Day


class ReparentIn(Strict):
    parent_id: UUID
    on: Day


class DissolveOrgIn(Strict):
    on: Day
    merged_into: UUID | None = None  # the organization that takes over its work, if any


class HamletIn(Strict):
    """A hamlet or residential group of a commune; the same key again renames it."""

    name: Name
    on: Day
    # by default derived from the name ("thon-phu-dong"; "thon-phu-dong-2" when another
    # hamlet has that key)
    key: HamletKey | None = None


class ServedHamletsIn(Strict):
    """The hamlets a cell serves from `on` (several for a combined cell; none: it serves none)."""

    keys: Annotated[list[HamletKey], Field(max_length=50)]
    on: Day


class MemberIn(Strict):
    """A member admitted before dangvien, from the paper dossier: the decision, the ceremony
    (the membership starts), and full membership once recognized (exactly the end of the
    12 months of probation, PRB-EFFECTIVE)."""

    cell_id: UUID
    person: PersonIn
    decided_on: Day
    joined_on: Day
    full_from: Day | None = None


class OrgFactsOut(BaseModel):
    """An organization as the record holds it after the command."""

    id: UUID
    kind: OrgKind
    name: str
    parent_id: UUID | None
    setting: CellSetting | None
    registered_on: date
    dissolved_on: date | None
    merged_into: UUID | None
    hamlets: dict[str, str]  # a commune's: key → name
    serves_commune_id: UUID | None  # a cell's: the commune whose hamlets it serves
    serves: list[str]


class MemberRegisteredOut(BaseModel):
    member_id: UUID
    person_id: UUID
    cell_id: UUID
    status: str
    probation_ends: date
    full_from: date | None


# --- checks shared by every command --------------------------------------------------------------


def effective(s: Services, on: date, field: str = "on") -> None:
    """The day has come (DATE-ORDER). A registration may state a day older than the first
    rule set encoded (a cell founded in 1956): its events are labelled as such, as the
    import's are (policy.version_at)."""
    policy.check_not_after_today(on, s.today(), field)


def body_org(s: Services, user: User, org_id: UUID) -> None:
    """An organization the body names: inside the user's subtree, else ACCESS-SCOPE."""
    if not s.scope.inside(user, org_id):
        raise scope_refused()


def below_own(user: User, org_id: UUID) -> None:
    """The committee above moves or dissolves its units, never itself (ACCESS-SCOPE)."""
    if user.org_id == org_id:
        raise scope_refused()


def facts(s: Services, org_id: UUID) -> OrgFactsOut:
    org = s.app.load(Organization, org_id)
    commune, keys = org.serves or (None, ())
    return OrgFactsOut(
        id=org.id,
        kind=org.kind,
        name=org.name,
        parent_id=org.parent_id,
        setting=org.setting,
        registered_on=org.registered_on,
        dissolved_on=org.dissolved_on,
        merged_into=org.merged_into,
        hamlets=dict(org.hamlets),
        serves_commune_id=commune,
        serves=list(keys),
    )


def hamlet_key(name: str) -> str:
    """A hamlet's key from its name: unaccented, lower case, words joined by hyphens."""
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_only = folded.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:60] or "thon"


def free_key(hamlets: dict[str, str], name: str) -> str:
    """The key of a new hamlet: its name's, or with a number when another hamlet has it
    ("Thôn Đông" and "Thôn Đồng" are two hamlets); the key of a hamlet of that very name
    (registering it again changes nothing)."""
    base = hamlet_key(name)
    for key in [base, *(f"{base}-{n}" for n in range(2, 100))]:
        if hamlets.get(key, name) == name:
            return key
    raise RuleViolation(
        "ORG-TREE", "Quá nhiều thôn trùng tên", "Too many hamlets of that name", field="name"
    )


def commune_above(s: Services, cell_id: UUID, on: date) -> UUID:
    """The nearest commune committee above a cell: the hamlets it may serve are that
    commune's (as the import finds it without a commune column)."""
    for ancestor in s.app.ancestors(cell_id, on):
        if s.app.kind(ancestor) is OrgKind.commune_committee:
            return ancestor
    raise RuleViolation(
        "ORG-TREE",
        "Không có đảng ủy xã, phường nào ở trên chi bộ này để có thôn, tổ dân phố",
        "No commune committee sits above this cell to hold hamlets",
        field="keys",
    )


def live_units(s: Services, org_id: UUID) -> int:
    """The organizations under it that are not dissolved (the read model's tree)."""
    orgs = tables(live_version(s.engine)).orgs
    with s.engine.connect() as conn:
        found = conn.execute(
            sa.select(sa.func.count())
            .select_from(orgs)
            .where(orgs.c.parent_id == org_id, orgs.c.dissolved_on.is_(None))
        ).scalar()
    return int(found or 0)


def holds_members(org_id: UUID, dissolution: str) -> RuleViolation:
    """ORG-DISSOLVE with members still on the roll: the dissolution process moves them."""
    return RuleViolation(
        "ORG-DISSOLVE",
        "Chi bộ còn đảng viên: dùng quy trình giải thể chi bộ, chuyển từng đảng viên sang "
        "chi bộ mới (sáp nhập: chuyển tất cả sang chi bộ nhận)",
        "The cell still holds members: use the dissolution of the cell, which moves each "
        "member to a new cell (a merger: all of them to the cell that takes over)",
        field="on",
        dissolution=dissolution.format(org_id),
    )


# --- organizations -------------------------------------------------------------------------------


def register_org(s: Services, user: User, body: OrgIn, key: str | None) -> OrgFactsOut:
    actor = named_org(s, user, body.parent_id, REGISTER_ORG)
    effective(s, body.on)
    org_id = s.app.register_organization(
        context(actor, command_key(user, key)),
        kind=body.kind,
        name=body.name.strip(),
        parent_id=body.parent_id,
        established_on=body.on,
        setting=body.setting,
        may_admit=body.may_admit,
        exempt_area=body.exempt_area,
        org_id=new_id(user, key, "org"),
    )
    return facts(s, org_id)


def rename_org(
    s: Services, user: User, org_id: UUID, body: RenameIn, key: str | None
) -> OrgFactsOut:
    actor = org_command(s, user, org_id, REGISTER_ORG)
    effective(s, body.on)
    s.app.rename_organization(context(actor, command_key(user, key)), org_id, body.name, body.on)
    return facts(s, org_id)


def reparent_org(
    s: Services, user: User, org_id: UUID, body: ReparentIn, key: str | None
) -> OrgFactsOut:
    actor = org_command(s, user, org_id, REGISTER_ORG)
    below_own(user, org_id)
    body_org(s, user, body.parent_id)
    effective(s, body.on)
    s.app.reparent_organization(
        context(actor, command_key(user, key)), org_id, body.parent_id, body.on
    )
    return facts(s, org_id)


def dissolve_org(
    s: Services, user: User, org_id: UUID, body: DissolveOrgIn, key: str | None
) -> OrgFactsOut:
    actor = org_command(s, user, org_id, REGISTER_ORG)
    below_own(user, org_id)
    if body.merged_into is not None:
        body_org(s, user, body.merged_into)
        if body.merged_into == org_id:
            raise RuleViolation(
                "ORG-TREE",
                "Không sáp nhập một tổ chức vào chính nó",
                "An organization is not merged into itself",
                field="merged_into",
            )
    effective(s, body.on)
    policy.check_no_live_units(live_units(s, org_id))
    org = s.app.load(Organization, org_id)
    if org.members_on(body.on) or org.guests_on(body.on):
        raise holds_members(org_id, "/api/orgs/{}/dissolution")
    s.app.dissolve_organization(
        context(actor, command_key(user, key)), org_id, body.on, body.merged_into
    )
    return facts(s, org_id)


def register_hamlet(
    s: Services, user: User, org_id: UUID, body: HamletIn, key: str | None
) -> OrgFactsOut:
    actor = org_command(s, user, org_id, REGISTER_ORG)
    effective(s, body.on)
    name = body.name.strip()
    hamlets = s.app.load(Organization, org_id).hamlets
    s.app.register_hamlet(
        context(actor, command_key(user, key)),
        org_id,
        body.key or free_key(hamlets, name),
        name,
        body.on,
    )
    return facts(s, org_id)


def serve_hamlets(
    s: Services, user: User, org_id: UUID, body: ServedHamletsIn, key: str | None
) -> OrgFactsOut:
    actor = org_command(s, user, org_id, REGISTER_ORG)
    effective(s, body.on)
    commune = commune_above(s, org_id, body.on)
    s.app.serve_hamlets(
        context(actor, command_key(user, key)), org_id, commune, tuple(body.keys), body.on
    )
    return facts(s, org_id)


# --- members from their paper dossiers -----------------------------------------------------------


def register_member(
    s: Services, user: User, body: MemberIn, key: str | None
) -> MemberRegisteredOut:
    """The person (unless recorded: then the record inside the user's reach, unchanged —
    corrections are their own command) and the member, in one unit."""
    actor = named_org(s, user, body.cell_id, REGISTER_MEMBER)
    today = s.today()
    for name, day in (("decided_on", body.decided_on), ("joined_on", body.joined_on)):
        policy.check_not_after_today(day, today, name)
    if body.full_from is not None and body.full_from > today:
        raise RuleViolation(
            "PRB-EFFECTIVE",
            f"Ngày chính thức ({body.full_from:%d/%m/%Y}) chưa đến: để trống khi còn dự bị",
            f"Full membership ({body.full_from.isoformat()}) is not reached yet: leave it "
            "empty while on probation",
            field="full_from",
        )
    person_id = s.app.person_id_for(body.person.citizen_id)
    recorded = s.app.exists(person_id)
    if recorded:
        within_reach(s, user, person_id)
    cell = s.app.load(Organization, body.cell_id)
    if not cell.kind.holds_members:
        raise RuleViolation(
            "ORG-TREE",
            "Đảng viên sinh hoạt ở chi bộ: chọn một chi bộ",
            "Members keep their party activity in a cell: choose a cell",
            field="cell_id",
        )
    cell.check_exists(body.joined_on)
    if cell.dissolved_on is not None:  # a member keeps their activity in a cell that lives
        raise RuleViolation(
            "ORG-TREE",
            f"Chi bộ '{cell.name}' đã giải thể: chọn chi bộ đảng viên đang sinh hoạt",
            f"The cell '{cell.name}' is dissolved: choose the cell the member belongs to now",
            field="cell_id",
        )
    member_id = s.app.register_member(
        context(actor, command_key(user, key)),
        person_id=person_id,
        cell_id=body.cell_id,
        joined_on=body.joined_on,
        decided_on=body.decided_on,
        full_from=body.full_from,
        data=None if recorded else PersonalData(**body.person.model_dump()),
    )
    member = s.app.load(Member, member_id)
    return MemberRegisteredOut(
        member_id=member_id,
        person_id=person_id,
        cell_id=member.cell_id,
        status=str(member.status),
        probation_ends=member.probation_ends,
        full_from=member.full_from,
    )


# --- routes --------------------------------------------------------------------------------------


async def kept(
    s: Services, user: User, key: str | None, route: str, model: type[M], command: Any, *args: Any
) -> M:
    """The command off the event loop; with a key, the answer it gave the first time."""
    call = partial(command, s, user, *args, key)
    return await first_answer(s, user, key, route, model, lambda: run_in_threadpool(call))


@router.post("/orgs", status_code=201)
async def post_org(
    body: OrgIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> OrgFactsOut:
    """Register an organization under a parent of the user's subtree (ORG-TREE)."""
    return await kept(s, user, key, "orgs", OrgFactsOut, register_org, body)


@router.post("/orgs/{org_id}/name")
async def post_name(
    org_id: UUID, body: RenameIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> OrgFactsOut:
    """Rename an organization from a date (the history keeps the old name)."""
    return await kept(s, user, key, f"orgs/{org_id}/name", OrgFactsOut, rename_org, org_id, body)


@router.post("/orgs/{org_id}/parent")
async def post_parent(
    org_id: UUID, body: ReparentIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> OrgFactsOut:
    """Move an organization under another parent of the user's subtree from a date."""
    route = f"orgs/{org_id}/parent"
    return await kept(s, user, key, route, OrgFactsOut, reparent_org, org_id, body)


@router.post("/orgs/{org_id}/dissolve")
async def post_dissolve(
    org_id: UUID, body: DissolveOrgIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> OrgFactsOut:
    """Dissolve an organization that holds no member and has nothing under it; a cell with
    members: `POST /api/orgs/{org_id}/dissolution` (ORG-DISSOLVE says so)."""
    route = f"orgs/{org_id}/dissolve"
    return await kept(s, user, key, route, OrgFactsOut, dissolve_org, org_id, body)


@router.post("/orgs/{org_id}/hamlets", status_code=201)
async def post_hamlet(
    org_id: UUID, body: HamletIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> OrgFactsOut:
    """Register (or rename, with its key) a hamlet or residential group of a commune."""
    route = f"orgs/{org_id}/hamlets"
    return await kept(s, user, key, route, OrgFactsOut, register_hamlet, org_id, body)


@router.post("/orgs/{org_id}/served-hamlets")
async def post_served(
    org_id: UUID, body: ServedHamletsIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> OrgFactsOut:
    """Set the hamlets of its commune a cell serves from a date."""
    route = f"orgs/{org_id}/served-hamlets"
    return await kept(s, user, key, route, OrgFactsOut, serve_hamlets, org_id, body)


@router.post("/members", status_code=201)
async def post_member(
    body: MemberIn, user: CurrentUser, s: Svc, key: IdempotencyKey = None
) -> MemberRegisteredOut:
    """Register a member admitted before dangvien from the paper dossier, at a cell of the
    user's subtree; the 213 residence link is then the member's step `link_residence`."""
    return await kept(s, user, key, "members", MemberRegisteredOut, register_member, body)
