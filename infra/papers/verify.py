"""What a verification code tells (docs/documents.md): to anyone, the paper's kind, number and
symbol, date, issuing body and whether it was superseded (by which number) — never a person's
data; to a logged-in user whose subtree holds the case, also the case.

Guessing is throttled per client address, as logins are (infra/logins.py): each code that finds
nothing is counted against the address, and after `MISSES_PER_HOUR` of them the address is
refused (RATE-LIMITED) for the hour. An unknown code and a malformed one answer the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.errors import NotFound, RuleViolation
from domain.organization import Organization
from domain.paper import Paper, PaperKind
from infra.api.errors import ApiError, not_found
from infra.api.services import Services
from infra.papers.subjects import subject_inside
from infra.users import User

MISSES_PER_HOUR = 10  # an honest reader mistypes a code a few times; a guesser needs 2^60
RULE = "PAPER-VERIFY"  # the security events' name of a miss


@dataclass(frozen=True)
class Verified:
    kind: PaperKind
    number: int
    symbol: str
    issued_on: date
    issuer: str
    superseded: bool
    superseded_by: str | None  # the symbol of the paper that replaced it
    case_id: UUID | None  # only for a user whose subtree holds the case


def unknown_code() -> ApiError:
    """The same answer for an unknown code and a malformed one (and it never echoes it)."""
    return not_found("paper")


def too_many() -> RuleViolation:
    return RuleViolation(
        "RATE-LIMITED",
        "Quá nhiều mã không đúng từ địa chỉ này; hãy thử lại sau một giờ",
        "Too many wrong codes from this address; try again in an hour",
    )


def verify(s: Services, code: str, address: str, user: User | None) -> Verified:
    """The paper a code names, as the caller may read it; NOT-FOUND for anything else."""
    who = f"address:{address}"[:64]
    if s.security.throttled_at(who, RULE, MISSES_PER_HOUR):
        raise too_many()
    paper = s.app.paper_by_code(code)
    if paper is None:
        s.security.record(who, RULE)
        raise unknown_code()
    return verified(s, paper, user)


def verified(s: Services, paper: Paper, user: User | None) -> Verified:
    newer = s.app.load(Paper, paper.superseded_by) if paper.superseded_by else None
    case_id = None
    if user is not None and sees_subject(s, user, paper):
        case_id = paper.subject_id
    return Verified(
        kind=paper.kind,
        number=paper.number,
        symbol=paper.symbol,
        issued_on=paper.issued_on,
        issuer=s.app.load(Organization, paper.org_id).name,
        superseded=newer is not None,
        superseded_by=newer.symbol if newer else None,
        case_id=case_id,
    )


def sees_subject(s: Services, user: User, paper: Paper) -> bool:
    """Whether the user's subtree holds the record the paper is about."""
    try:
        subject_inside(s, user, paper)
    except NotFound:
        return False
    return True
