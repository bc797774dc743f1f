"""What pages show of the read model's cards: a title (the person's name for the roles that
may see personal data, otherwise a short id), where, the deadline and its colour."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import sqlalchemy as sa

from domain.application import Dangvien
from domain.person import Person
from infra.web.i18n import rule_flag
from infra.web.session import Web
from projections.projector import live_version
from projections.queries import Card
from projections.tables import tables

SOON = 5  # working days: a deadline this close is amber

HREF = {"admission": "/cases/{}", "member": "/members/{}", "transfer": "/transfers/{}"}


@dataclass(frozen=True)
class CardView:
    card: Card
    href: str
    title: str
    cell: str
    holder: str
    urgency: str  # overdue | soon | ok | none (the card's colour)
    flag: str = ""  # the deadline's rule where the rulebook is unsure of it ("cần xác minh")

    @property
    def overdue_days(self) -> int:
        left = self.card.working_days_left
        return -left if left is not None and left < 0 else 0


def urgency(card: Card) -> str:
    left = card.working_days_left
    if left is None:
        return "none"
    if left < 0:
        return "overdue"
    return "soon" if left <= SOON else "ok"


def people_of(engine: sa.Engine, cards: Iterable[Card]) -> dict[UUID, UUID]:
    """The person of each card (case, member, transfer), from the read model."""
    t = tables(live_version(engine))
    by_kind: dict[str, set[UUID]] = {"admission": set(), "member": set(), "transfer": set()}
    for card in cards:
        by_kind[card.kind].add(card.id)
    found: dict[UUID, UUID] = {}
    with engine.connect() as conn:
        if by_kind["admission"]:
            found |= dict(
                conn.execute(
                    sa.select(t.cases.c.id, t.cases.c.person_id).where(
                        t.cases.c.id.in_(by_kind["admission"])
                    )
                ).all()
            )
        members = set(by_kind["member"])
        transfer_members: dict[UUID, UUID] = {}
        if by_kind["transfer"]:
            transfer_members = dict(
                conn.execute(
                    sa.select(t.transfers.c.id, t.transfers.c.member_id).where(
                        t.transfers.c.id.in_(by_kind["transfer"])
                    )
                ).all()
            )
            members |= set(transfer_members.values())
        if members:
            member_people = dict(
                conn.execute(
                    sa.select(t.members.c.id, t.members.c.person_id).where(
                        t.members.c.id.in_(members)
                    )
                ).all()
            )
            found |= {m: member_people[m] for m in by_kind["member"] if m in member_people}
            found |= {
                tr: member_people[m] for tr, m in transfer_members.items() if m in member_people
            }
    return found


def person_names(app: Dangvien, person_ids: Iterable[UUID]) -> dict[UUID, str]:
    """Names from the record itself (the read model keeps none)."""
    return {p: app.load(Person, p).data.full_name for p in set(person_ids)}


def member_names(app: Dangvien, engine: sa.Engine, member_ids: Iterable[UUID]) -> dict[UUID, str]:
    ids = list(member_ids)
    if not ids:
        return {}
    members = tables(live_version(engine)).members
    with engine.connect() as conn:
        people = dict(
            conn.execute(
                sa.select(members.c.id, members.c.person_id).where(members.c.id.in_(ids))
            ).all()
        )
    names = person_names(app, people.values())
    return {m: names[p] for m, p in people.items()}


def short(ident: UUID) -> str:
    return str(ident)[:8]


TITLE = {"admission": "card.case", "member": "card.member", "transfer": "card.transfer"}


def card_views(cards: list[Card], w: Web) -> list[CardView]:
    """Cards for the page: the person's name when the user may see it (from the record, the
    read model keeps none), otherwise "Hồ sơ 1a2b3c4d"."""
    names: dict[UUID, str] = {}
    orgs = w.orgs
    if w.sees_people and cards:
        people = people_of(w.s.engine, cards)
        by_person = person_names(w.s.app, people.values())
        names = {card_id: by_person[p] for card_id, p in people.items()}
    return [
        CardView(
            card=c,
            href=HREF[c.kind].format(c.id),
            title=names.get(c.id) or w.t(TITLE[c.kind], id=short(c.id)),
            cell=orgs.name(c.cell_id),
            holder=orgs.name(c.responsible_id) if c.responsible_id else "",
            urgency=urgency(c),
            flag=rule_flag(w.lang, c.deadline_rule) if c.deadline_rule else "",
        )
        for c in cards
    ]


def by_deadline(cards: Iterable[Card], today: date) -> list[Card]:
    """Overdue first, then the nearest deadline; no deadline last."""
    return sorted(
        cards,
        key=lambda c: (c.deadline_due is None, c.deadline_due or today, c.stage_since or today),
    )
