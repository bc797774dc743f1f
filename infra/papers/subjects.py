"""Who sees the record a paper is about: a case, member or transfer as its page finds it
(infra/api/records.py `locate`); a dissolved cell, or a unit's year (its issuer), inside the
user's subtree. Outside, NOT-FOUND either way, like an unknown id."""

from __future__ import annotations

from uuid import UUID

from domain.commands import Subject
from domain.errors import NotFound
from domain.paper import Paper, PaperSubject
from infra.api.records import locate
from infra.api.services import Services
from infra.users import User

# Papers whose subject has a page of its own (the others: a dissolved cell, a unit's year).
RECORDS: dict[PaperSubject, Subject] = {
    PaperSubject.admission: "admission",
    PaperSubject.member: "member",
    PaperSubject.transfer: "transfer",
}


def subject_inside(s: Services, user: User, paper: Paper) -> None:
    """The record a paper is about lies inside the user's subtree; NOT-FOUND otherwise."""
    inside(s, user, paper.subject, paper.subject_id, paper.org_id)


def inside(
    s: Services, user: User, subject: PaperSubject, subject_id: UUID, issuer_id: UUID | None
) -> None:
    """NOT-FOUND unless the record lies inside the user's subtree."""
    if subject in RECORDS:
        locate(s.app, s.scope, user, RECORDS[subject], subject_id)
        return
    org_id = subject_id if subject is PaperSubject.dissolution else issuer_id
    if org_id is None or not s.scope.inside(user, org_id):
        raise NotFound(subject.value, subject_id)
