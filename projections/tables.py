"""Read-model tables (SQLAlchemy). A version prefixes every table (`rm1_cases`), so a rebuild
writes `rm2_*` beside the live version, is compared, then switched to."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

PROJECTION = "readmodel"
QUERY_ONLY = "query_only"  # an index's `info`: see query_index
# A materialized path `/root/…/id/`, compared byte by byte (SQLite does; PostgreSQL's default
# collation need not), so that a subtree is one index range (`under`).
PATH = sa.String(2000).with_variant(sa.String(2000, collation="C"), "postgresql")

control = sa.MetaData()

tracking = sa.Table(
    "projection_tracking",
    control,
    sa.Column("name", sa.String(60), primary_key=True),  # e.g. "readmodel_v1"
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

live = sa.Table(
    "projection_live",
    control,
    sa.Column("projection", sa.String(60), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)

# The shape each version was built with (projections.versions.SHAPE): a version built by an
# older projection is rebuilt, not read as if it held what it never wrote.
shapes = sa.Table(
    "projection_shapes",
    control,
    sa.Column("name", sa.String(60), primary_key=True),  # e.g. "readmodel_v1"
    sa.Column("shape", sa.Integer, nullable=False),
)

failures = sa.Table(
    "projection_failures",
    control,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(60), nullable=False),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("topic", sa.String(200), nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Tables:
    """The tables of one version of the read model."""

    version: int
    metadata: sa.MetaData
    orgs: sa.Table
    targets: sa.Table
    hamlets: sa.Table
    cases: sa.Table
    case_stages: sa.Table
    members: sa.Table
    transfers: sa.Table
    stage_outcomes: sa.Table
    memberships: sa.Table
    name_tokens: sa.Table
    member_tokens: sa.Table
    person_groups: sa.Table
    admitted_groups: sa.Table

    @property
    def name(self) -> str:
        return f"{PROJECTION}_v{self.version}"

    @property
    def all(self) -> tuple[sa.Table, ...]:
        return (
            self.orgs,
            self.targets,
            self.hamlets,
            self.cases,
            self.case_stages,
            self.members,
            self.transfers,
            self.stage_outcomes,
            self.memberships,
            self.name_tokens,
            self.member_tokens,
            self.person_groups,
            self.admitted_groups,
        )

    @property
    def query_indexes(self) -> list[sa.Index]:
        """The indexes only the queries read (`query_index`), which a rebuild builds once
        its rows are written."""
        return [i for t in self.all for i in sorted(t.indexes, key=str) if i.info.get(QUERY_ONLY)]


@functools.cache  # the same definitions every time: building them takes tens of milliseconds
def tables(version: int) -> Tables:
    md = sa.MetaData()
    p = f"rm{version}_"
    uuid = sa.Uuid
    orgs = sa.Table(
        p + "orgs",
        md,
        sa.Column("id", uuid, primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("setting", sa.String(30)),
        sa.Column("parent_id", uuid),
        sa.Column("path", PATH, nullable=False),  # /root/…/id/
        sa.Column("grassroots_id", uuid),
        sa.Column("registered_on", sa.Date, nullable=False),
        sa.Column("dissolved_on", sa.Date),
        sa.Column("may_admit", sa.Boolean, nullable=False),
    )
    targets = sa.Table(
        p + "targets",
        md,
        sa.Column("org_id", uuid, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("admissions", sa.Integer, nullable=False),
        sa.Column("count", sa.Integer),
        sa.Column("rate_percent", sa.Float),
        sa.Column("start_of_year_members", sa.Integer),
    )
    hamlets = sa.Table(
        p + "hamlets",
        md,
        sa.Column("commune_id", uuid, primary_key=True),
        sa.Column("key", sa.String(60), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("cell_ids", sa.JSON, nullable=False),  # the cells serving it
    )
    cases = sa.Table(
        p + "cases",
        md,
        sa.Column("id", uuid, primary_key=True),
        sa.Column("person_id", uuid, nullable=False, index=True),
        sa.Column("cell_id", uuid, nullable=False, index=True),
        sa.Column("grassroots_id", uuid, nullable=False, index=True),
        sa.Column("path", PATH, nullable=False),  # the cell's path
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("stage", sa.String(30), nullable=False),
        sa.Column("stage_since", sa.Date, nullable=False),
        sa.Column("closed", sa.Boolean, nullable=False),
        sa.Column("outcome_on", sa.Date),
        sa.Column("ceremony_on", sa.Date),
        sa.Column("decided_on", sa.Date),
        sa.Column("member_id", uuid),
        sa.Column("deadline_rule", sa.String(30)),
        sa.Column("deadline_due", sa.Date),
        sa.Column("responsible_id", uuid),  # who holds the case now (domain.admission.HOLDERS)
        sa.Column("escalation_level", sa.Integer, nullable=False),
        # The dossier's document lapsing first while it is open (policy.VALIDITY_RULES): a
        # warning near its end, not the stage's deadline (deadline_rule, deadline_due).
        sa.Column("validity_rule", sa.String(30)),
        sa.Column("validity_due", sa.Date),
    )
    # A person's breakdown groups (docs/rulebook.md §7: women, ethnic minorities, religious
    # followers…), sealed: AES-SIV bound to the person's id, never a flag in clear (issue 18,
    # docs/privacy.md). Kept for the people with a case: what the counts below counted them
    # as, so a correction can move them, and the stage board's filter by group.
    person_groups = sa.Table(
        p + "person_groups",
        md,
        sa.Column("person_id", uuid, primary_key=True),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
    )
    # The quota's breakdowns: how many of a cell's ceremonies of a year count in each group,
    # kept as ceremonies are projected and people corrected; only groups with someone in them.
    admitted_groups = sa.Table(
        p + "admitted_groups",
        md,
        sa.Column("cell_id", uuid, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("breakdown", sa.String(30), primary_key=True),
        sa.Column("admitted", sa.Integer, nullable=False),
    )
    case_stages = sa.Table(
        p + "case_stages",
        md,
        sa.Column("case_id", uuid, primary_key=True),
        sa.Column("stage", sa.String(30), primary_key=True),
        sa.Column("entered_on", sa.Date, nullable=False),
        sa.Column("left_on", sa.Date),
    )
    members = sa.Table(
        p + "members",
        md,
        sa.Column("id", uuid, primary_key=True),
        sa.Column("person_id", uuid, nullable=False),
        sa.Column("cell_id", uuid, nullable=False),
        sa.Column("path", PATH, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("joined_on", sa.Date, nullable=False),
        sa.Column("probation_ends", sa.Date, nullable=False),
        sa.Column("full_from", sa.Date),
        sa.Column("recognized_on", sa.Date),
        sa.Column("struck_off_on", sa.Date),
        sa.Column("residence_cell_id", uuid),
        sa.Column("host_cell_id", uuid),  # temporarily transferred to
        sa.Column("exempt_until", sa.Date),
        sa.Column("deadline_rule", sa.String(30)),
        sa.Column("deadline_due", sa.Date),
        sa.Column("escalation_level", sa.Integer, nullable=False),
        sa.Column("failed_votes", sa.Integer, nullable=False),
    )
    transfers = sa.Table(
        p + "transfers",
        md,
        sa.Column("id", uuid, primary_key=True),
        sa.Column("member_id", uuid, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("from_cell_id", uuid, nullable=False),
        sa.Column("from_path", PATH, nullable=False),
        sa.Column("to_cell_id", uuid),
        sa.Column("to_path", PATH),
        sa.Column("started_on", sa.Date, nullable=False),
        sa.Column("letter_on", sa.Date),
        sa.Column("presented_on", sa.Date),
        sa.Column("accepted_on", sa.Date),
        sa.Column("deadline_rule", sa.String(30)),
        sa.Column("deadline_due", sa.Date),
        sa.Column("escalation_level", sa.Integer, nullable=False),
        # Where the transfer goes (its receiving side sees it from the start), how far its
        # letter went (hops forwarded, the organization holding it now), and its end.
        sa.Column("destination_id", uuid),
        sa.Column("destination_path", PATH),
        sa.Column("hops", sa.Integer, nullable=False, server_default="0"),
        sa.Column("letter_at_id", uuid),
        sa.Column("returns_on", sa.Date),
        sa.Column("finished_on", sa.Date),
    )
    # The forecast's history: how many closed cases passed through each stage, by the days
    # from entering it to their ceremony (-1: never admitted). Kept as each case closes, so
    # a quota reads a few hundred rows, not every stage of every case.
    stage_outcomes = sa.Table(
        p + "stage_outcomes",
        md,
        sa.Column("stage", sa.String(30), primary_key=True),
        sa.Column("days_to_ceremony", sa.Integer, primary_key=True),
        sa.Column("cases", sa.Integer, nullable=False),
    )
    # Each stay of a member on a cell's roll, from its effective date until the next one's
    # (excluded; None while it lasts): the roll of a cell on any past day.
    memberships = sa.Table(
        p + "memberships",
        md,
        sa.Column("member_id", uuid, primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),  # 0: the ceremony's cell
        sa.Column("cell_id", uuid, nullable=False),
        sa.Column("path", PATH, nullable=False),  # the cell's path (today's tree)
        sa.Column("from_on", sa.Date, nullable=False),
        sa.Column("until_on", sa.Date),
    )
    # The blind index of names: a person's whole name tokens, folded and keyed-hashed
    # (domain/names.py); neither names nor the key are here.
    name_tokens = sa.Table(
        p + "name_tokens",
        md,
        sa.Column("token", sa.BigInteger, primary_key=True),
        sa.Column("person_id", uuid, primary_key=True),
    )
    sa.Index(f"ix_{p}name_tokens_person", name_tokens.c.person_id)  # corrections replace them
    # The same tokens per member, beside the member's path and status (projections/views/
    # member_tokens.py): a name search reads one index range per token (a subtree's members
    # holding it, in tree order), counts them per cell and pages them without leaving it.
    member_tokens = sa.Table(
        p + "member_tokens",
        md,
        sa.Column("member_id", uuid, primary_key=True),
        sa.Column("token", sa.BigInteger, primary_key=True),
        sa.Column("path", PATH, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sqlite_with_rowid=False,
    )
    query_index(
        member_tokens.c.token,
        member_tokens.c.path,
        member_tokens.c.member_id,
        member_tokens.c.status,
        name=f"ix_{p}member_tokens_token",
    )
    query_index(memberships.c.cell_id, memberships.c.from_on, name=f"ix_{p}memberships_cell")
    # A name search reads its people's members from this index alone (a common word: 10,000)
    query_index(members.c.person_id, members.c.path, members.c.id, name=f"ix_{p}members_person")
    for column in (
        orgs.c.path,
        cases.c.path,
        members.c.path,
        transfers.c.from_path,
        memberships.c.path,
    ):
        path_index(column)
    path_index(transfers.c.to_path)
    path_index(transfers.c.destination_path)
    # The open cases only (a few thousand of a province's history), with what the pipeline and
    # the forecast group them by: served from the index alone.
    still_open = cases.c.closed.is_(False)
    query_index(
        cases.c.path,
        cases.c.stage,
        cases.c.stage_since,
        name=f"ix_{p}cases_open",
        sqlite_where=still_open,
        postgresql_where=still_open,
    )
    query_index(members.c.status, members.c.path, name=f"ix_{p}members_status")
    for column in (
        cases.c.stage,
        cases.c.outcome_on,
        cases.c.ceremony_on,
        cases.c.deadline_due,
        members.c.cell_id,
        members.c.full_from,
        members.c.struck_off_on,
        members.c.residence_cell_id,
        members.c.host_cell_id,
        members.c.deadline_due,
    ):
        query_index(column)
    return Tables(
        version,
        md,
        orgs,
        targets,
        hamlets,
        cases,
        case_stages,
        members,
        transfers,
        stage_outcomes,
        memberships,
        name_tokens,
        member_tokens,
        person_groups,
        admitted_groups,
    )


def query_index(*columns: sa.Column[Any], name: str = "", **options: Any) -> sa.Index:
    """An index only the queries read. The projector's own statements find rows by their
    key, a case's person, cell and grassroots organization, and paths; a rebuild leaves the
    other indexes out until its rows are written, then builds each in one sort instead of
    entry by entry as rows are rewritten batch after batch."""
    name = name or f"ix_{columns[0].table.name}_{columns[0].name}"
    return sa.Index(name, *columns, info={QUERY_ONLY: True}, **options)


def path_index(column: sa.Column[str]) -> sa.Index:
    """The index that serves subtree conditions (`under`)."""
    return sa.Index(f"ix_{column.table.name}_{column.name}", column)


def under(column: sa.ColumnElement[str], path: str) -> sa.ColumnElement[bool]:
    """Rows under the organization of `path` (`/…/id/` is a prefix of theirs), as a range
    the path's index serves."""
    return sa.and_(column >= path, column < subtree_end(path))


def subtree_end(path: str) -> str:
    """The first path after the subtree of `path`: `/` sorts right before `0`, byte by
    byte (`PATH`)."""
    return path[:-1] + "0"
