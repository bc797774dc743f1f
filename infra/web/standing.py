"""A member's standing on their page (Đảng viên): where they stand today — holds, exemption,
penalties, helper, new-member course, residence link — and which of the standing steps are
open to them, with only the choices that can succeed (a hold is released only if placed; a
probationer is only reprimanded or warned, PRB-DISCIPLINE)."""

from __future__ import annotations

from datetime import date

from domain import policy
from domain.member import Member
from domain.stages import Status
from domain.values import HoldKind, Motion
from infra.web.i18n import dmy
from infra.web.session import Web
from infra.web.views import member_names, short

Options = list[tuple[str, str]]


def standing_rows(w: Web, member: Member) -> list[tuple[str, str]]:
    """What the page says of a member on the roll, besides their dates."""
    if not member.status.on_roll:
        return []
    none = w.t("none")
    today = w.today
    holds = ", ".join(w.label("enum", h) for h in sorted(member.holds)) or none
    exempt = [e for e in member.exemptions if e.starts_on <= today <= e.ends_on]
    rows = [
        (w.t("standing.holds"), holds),
        (
            w.t("standing.exempt"),
            w.t("standing.exempt_until", until=dmy(exempt[-1].ends_on)) if exempt else none,
        ),
        (
            w.t("standing.penalties"),
            "; ".join(f"{w.label('penalty', p)} ({dmy(on)})" for on, p in member.penalties) or none,
        ),
        (
            w.t("standing.residence"),
            w.orgs.name(member.residence_cell_id) if member.residence_cell_id else none,
        ),
    ]
    if member.status is Status.probationary:
        course = member.new_member_course
        rows.append((w.t("standing.course"), f"{course[0]} ({dmy(course[1])})" if course else none))
        rows.append((w.t("standing.helper"), _helper(w, member)))
    return rows


def _helper(w: Web, member: Member) -> str:
    helper = member.helper_member_id
    if helper is None:
        return w.t("none")
    if not w.sees_people:
        return short(helper)
    return member_names(w.s.app, w.s.engine, [helper]).get(helper) or short(helper)


def open_to(member: Member, kind: str) -> bool:
    """Whether a step the member's status accepts can do anything now: a hold is released
    only if one is placed, a residence comment needs a residence link."""
    if kind == "release_hold":
        return bool(member.holds)
    if kind == "record_residence_comment":
        return member.residence_cell_id is not None
    return True


def step_options(w: Web, member: Member, on: date) -> dict[str, dict[str, Options]]:
    """The choices of the member's standing steps that can succeed, by step."""
    held = sorted(member.holds)
    probationary = member.status_on(on) is Status.probationary
    # PRB-REVIEW: recognition is voted on once the twelve months end; striking off at any time.
    motions = [m for m in Motion if m is Motion.strike_off or on >= member.probation_ends]
    return {
        "record_review_vote": {"motion": [(m.value, w.label("enum", m)) for m in motions]},
        "place_hold": {
            "kind": [(h.value, w.label("enum", h)) for h in HoldKind if h not in member.holds]
        },
        "release_hold": {"kind": [(h.value, w.label("enum", h)) for h in held]},
        "discipline": {
            "penalty": [(p, w.label("penalty", p)) for p in policy.penalties_for(probationary)]
        },
    }
