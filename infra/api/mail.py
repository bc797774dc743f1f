"""E-mail of notices in the API (docs/notices.md): the user's own address and digest choice,
an administrator's setting of them, and the undeliverable addresses of an organization.

An address is personal data: it is answered only to its user and to administrators, and is
never in a URL (it travels in the body). Setting it is idempotent by nature (the same body
twice leaves the same state)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel

from infra.api.auth import REFUSALS, Admin, CurrentUser, Svc, _managed
from infra.api.queries import visible
from infra.mail import undeliverable
from infra.users import Contact

router = APIRouter(prefix="/api", tags=["notices by e-mail"], responses=REFUSALS)


class ContactIn(BaseModel):
    email: str | None = None  # None or "": no address, no messages
    digest: bool = False  # one message a day listing the notices, instead of one each


class ContactOut(BaseModel):
    email: str | None
    digest: bool


class UndeliverableOut(BaseModel):
    username: str
    subject_id: str
    reason: str
    attempts: int


def _out(contact: Contact) -> ContactOut:
    return ContactOut(email=contact.email, digest=contact.digest)


@router.get("/me/email")
def my_email(user: CurrentUser, s: Svc) -> ContactOut:
    """The user's own address and digest choice."""
    return _out(s.users.contact(user.username))


@router.post("/me/email")
def set_my_email(body: ContactIn, user: CurrentUser, s: Svc) -> ContactOut:
    """Set (or remove) the user's own address and digest choice; a malformed address:
    422 USER-EMAIL."""
    return _out(s.users.set_contact(user.username, body.email, body.digest, actor=user.username))


@router.post("/users/{username}/email")
def set_email(username: str, body: ContactIn, admin: Admin, s: Svc) -> ContactOut:
    """An administrator sets an account's address in their subtree (outside: 404)."""
    _managed(s, admin, username)
    return _out(s.users.set_contact(username, body.email, body.digest, actor=admin.username))


@router.get("/orgs/{org_id}/undeliverable")
def org_undeliverable(org_id: UUID, user: CurrentUser, s: Svc) -> list[UndeliverableOut]:
    """Notices that could not be mailed to the organization's users: who, which record, the
    mail server's answer (never the address)."""
    visible(s, user, org_id)
    return [UndeliverableOut(**vars(u)) for u in undeliverable(s.engine, org_id)]
