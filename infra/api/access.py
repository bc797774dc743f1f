"""Who may do what, and where: roles scoped to a node of the org tree.

A user sees and acts only inside its subtree: an organization is inside when its read-model
path (`/root/…/id/`) starts with the path of the user's organization. Outside, a specific
record reads as unknown (404: its existence is not revealed) and acting on an organization is
refused (403). An administrator without an organization covers the whole tree.
"""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa

from domain.commands import STEPS
from domain.values import Role as ActorRole
from infra.users import Role, User
from projections.projector import live_version
from projections.tables import tables
from workflows.messages import ActorRef

# Commands of the API that are not steps of a process.
OPEN_CASE = "open_case"
START_TRANSFER = "start_transfer"
DISSOLVE = "dissolve"
SET_TARGET = "set_target"
CORRECT_PERSON = "correct_person"
MANAGE_USERS = "manage_users"
ACKNOWLEDGE = "acknowledge"  # mark escalation notices as seen
# Registration (infra/api/registration.py): organizations and hamlets, members from paper dossiers
REGISTER_ORG = "register_org"
REGISTER_MEMBER = "register_member"
# Papers (issue 16, docs/documents.md): each is issued by the body that adopted it
ISSUE_RESOLUTION = "issue_resolution"  # the cell's resolution: its secretary
ISSUE_DECISION = "issue_decision"  # the committee's decision: its organization department
ISSUE_COMMITTEE_RESOLUTION = "issue_committee_resolution"  # the grassroots committee's: its office
ISSUE_REPORT = "issue_report"  # a unit's own report (its quota year): its secretary or above
# A department's own paper templates (issue 16, infra/api/paper_templates.py)
ADAPT_TEMPLATE = "adapt_template"
# Access requests (issue 18, item 4, docs/privacy.md): recorded and answered by the
# organization department, which keeps the dossiers
ANSWER_ACCESS = "answer_access_request"

RANK: dict[Role, int] = {
    Role.auditor: 0,  # reads only
    Role.cell_secretary: 1,
    Role.grassroots_officer: 2,
    Role.department_officer: 3,
    Role.administrator: 4,
}

ACTOR_ROLE: dict[Role, ActorRole] = {
    # How the record names the roles of users (domain.values.Role).
    Role.cell_secretary: ActorRole.cell_secretary,
    Role.grassroots_officer: ActorRole.grassroots_officer,
    Role.department_officer: ActorRole.org_department_officer,
    Role.auditor: ActorRole.auditor,
    Role.administrator: ActorRole.administrator,
}
USER_ROLE = {actor: user for user, actor in ACTOR_ROLE.items()}

LEVEL: dict[str, Role] = {
    # The lowest role that may issue each command; every role above may too, auditors none.
    # Each step declares its own (domain/commands/); the API's other commands:
    **{kind: USER_ROLE[step.least_role] for kind, step in STEPS.items()},
    OPEN_CASE: Role.cell_secretary,
    ACKNOWLEDGE: Role.cell_secretary,
    SET_TARGET: Role.grassroots_officer,  # the grassroots committee sets its units' targets
    # a dossier is corrected by a new record the committee approves, never edited
    CORRECT_PERSON: Role.grassroots_officer,
    # the organization department of the competent committee (Ban Tổ chức)
    START_TRANSFER: Role.department_officer,
    DISSOLVE: Role.department_officer,
    MANAGE_USERS: Role.administrator,
    # the organization department of the committee above registers its units and members
    REGISTER_ORG: Role.department_officer,
    REGISTER_MEMBER: Role.department_officer,
    # papers (issue 16)
    ISSUE_RESOLUTION: Role.cell_secretary,
    ISSUE_DECISION: Role.department_officer,
    ISSUE_COMMITTEE_RESOLUTION: Role.grassroots_officer,  # as the committee's vote is recorded
    ISSUE_REPORT: Role.cell_secretary,
    # the wording of papers is the organization department's (Ban Tổ chức): one template
    # for a committee and every unit below, rather than one per cell secretary
    ADAPT_TEMPLATE: Role.department_officer,
    ANSWER_ACCESS: Role.department_officer,  # access requests (issue 18, item 4)
}
assert set(LEVEL.values()) <= set(RANK) - {Role.auditor}


def may(user: User, command: str) -> bool:
    """Whether the user's role may issue the command (anywhere in its subtree)."""
    level = LEVEL[command]
    return user.role is not Role.auditor and RANK[user.role] >= RANK[level]


def commands_of(role: Role) -> frozenset[str]:
    """Every command a role may issue (for the UI and the docs)."""
    return frozenset(c for c in LEVEL if may(User("", "", role, None), c))


def may_see_personal_data(user: User) -> bool:
    """Personal data (names, birth dates, citizen IDs, backgrounds) is shown to those who act
    on the person — the cell secretary and the officers above, administrators — inside their
    subtree. Auditors check the process: they read every event of it, personal data redacted."""
    return user.role is not Role.auditor


# Issue 18 item 5 (docs/privacy.md, "Small counts"): ethnicity and religion are sensitive data
# (Law 91/2025/QH15). A role that may not see personal data sees a unit's count of them only
# from SMALL_COUNT people: fewer could single out a person of a case it sees by its short id.
SENSITIVE_GROUPS = frozenset({"ethnic_minority", "religious"})
SMALL_COUNT = 3


def breakdowns_shown(sees_people: bool, breakdowns: dict[str, int]) -> dict[str, int | None]:
    """A quota's breakdowns as a user sees them: None for a sensitive group's count of 1 or 2
    when the user may not see personal data (every other figure as it is)."""
    if sees_people:
        return dict(breakdowns)
    return {
        group: None if group in SENSITIVE_GROUPS and 0 < count < SMALL_COUNT else count
        for group, count in breakdowns.items()
    }


class Scope:
    """Paths of organizations, from the live read model."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def path(self, org_id: UUID) -> str | None:
        orgs = tables(live_version(self.engine)).orgs
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(orgs.c.path).where(orgs.c.id == org_id)).scalar()
        return str(found) if found is not None else None

    def root_of(self, user: User) -> str | None:
        """The path the user's subtree starts with ("" for the whole tree; None when its
        organization is unknown to the read model: then nothing is inside)."""
        return "" if user.org_id is None else self.path(user.org_id)

    def inside(self, user: User, *org_ids: UUID | None) -> bool:
        """Whether any of the organizations is in the user's subtree."""
        root = self.root_of(user)
        if root is None:
            return False
        for org_id in org_ids:
            path = self.path(org_id) if org_id is not None else None
            if path is not None and path.startswith(root):
                return True
        return False

    def actor(self, user: User, org_id: UUID) -> ActorRef:
        """Who acts, as the event's stamp records it: the user, its role, its organization
        (for an administrator of the whole tree, the root of the organization acted on)."""
        acting_for = user.org_id
        if acting_for is None:
            path = self.path(org_id) or f"/{org_id}/"
            acting_for = UUID(path.strip("/").split("/")[0])
        return ActorRef(user.id, str(ACTOR_ROLE[user.role]), acting_for)
