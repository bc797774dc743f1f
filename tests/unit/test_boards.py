"""The probation and transfer boards (projections/boards.py) over the read-model scenario
(tests/readmodel_scenario.py, today 2026-06-15): every expected date and count is worked out
by hand in a comment from the scenario and the Vietnamese working-day calendar (days off used:
Apr 27, Apr 30, May 1 2026)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.member import Member, Motion
from domain.person import Person
from domain.transfer import Hop, Transfer
from projections.boards import Boards
from tests.builders import ctx, file_recognition_papers
from tests.readmodel_scenario import TODAY, build_scenario
from tests.unit.test_read_models import Projected, new_app


@pytest.fixture
def projected() -> Projected:
    return Projected(build_scenario(new_app()))


def test_the_probation_board_groups_members_by_what_is_due_overdue_first(
    projected: Projected,
) -> None:
    p, w, app = projected, projected.s.world, projected.s.app
    # residence_cell has 3 full members: a vote needs 2 of them (ADM: 2/3 of the roll).
    late, decided, stuck = (
        w.add_members(w.residence_cell, 1, joined_on=joined, full=False)[0]
        for joined in (date(2025, 3, 1), date(2025, 4, 1), date(2025, 4, 1))
    )
    # late: 12 months ended Sunday 2026-03-01, never reviewed: PRB-REVIEW due 2026-04-10,
    # 43 working days overdue on 2026-06-15 (tests/unit/test_read_models.py).
    # decided: the cell recognized on Monday 2026-04-06; PRB-DECIDE 30 WD: Apr 7–10 4, 13–17 5,
    # 20–24 5, 28–29 2, May 4–8 5, 11–15 5, 18–21 4 → due 2026-05-21; overdue on 2026-06-15:
    # May 22 1, 25–29 5, Jun 1–5 5, 8–12 5, 15 1 → 17.
    file_recognition_papers(app, decided, date(2026, 4, 2), w.members[w.residence_cell][0])
    app.record_review_vote(
        ctx(),
        decided,
        motion=Motion.recognize,
        held_on=date(2026, 4, 6),
        votes_for=3,
        votes_against=0,
    )
    # stuck: three votes short of 2/3 (PRB-DEADLOCK): the upper committee decides, no deadline.
    file_recognition_papers(app, stuck, date(2026, 4, 2), w.members[w.residence_cell][0])
    for held_on in (date(2026, 4, 6), date(2026, 4, 20), date(2026, 5, 4)):
        app.record_review_vote(
            ctx(),
            stuck,
            motion=Motion.recognize,
            held_on=held_on,
            votes_for=1,
            votes_against=2,
        )
    p.catch_up()
    boards = Boards(p.rm)
    cards = boards.probation(w.grassroots, TODAY)
    mine = {c.card.id: c for c in cards if c.card.cell_id == w.residence_cell}
    seen = [
        (c.due, c.card.stage, c.card.deadline_rule, c.card.deadline_due, c.card.working_days_left)
        for c in mine.values()
    ]
    assert seen == [  # overdue first; a deadlock has no deadline: last
        ("review", "probationary", "PRB-REVIEW", date(2026, 4, 10), -43),
        ("decision", "probationary", "PRB-DECIDE", date(2026, 5, 21), -17),
        ("deadlock", "deadlock", None, None, None),
    ]
    assert list(mine) == [late, decided, stuck]
    assert (mine[stuck].failed_votes, mine[late].probation_ends) == (3, date(2026, 3, 1))
    # The scenario's own probationers under the grassroots committee come between, not yet
    # due: trung's (12 months end 2026-10-01), A at cell, B at other_cell (2027-02-03).
    assert [c.due for c in cards] == [
        "review",
        "decision",
        "review",
        "review",
        "review",
        "deadlock",
    ]
    assert [c.probation_ends for c in cards[2:5]] == [date(2026, 10, 1)] + [date(2027, 2, 3)] * 2
    # Filters: one column, one cell, overdue only; a page.
    assert [c.card.id for c in boards.probation(w.grassroots, TODAY, due="decision")] == [decided]
    assert [c.card.id for c in boards.probation(w.grassroots, TODAY, due="deadlock")] == [stuck]
    assert len(boards.probation(w.grassroots, TODAY, cell_id=w.residence_cell)) == 3
    overdue = boards.probation(w.grassroots, TODAY, overdue_only=True)
    assert [c.card.id for c in overdue] == [late, decided]
    assert [c.card.id for c in boards.probation(w.grassroots, TODAY, limit=1, offset=1)] == [
        decided
    ]
    # The other grassroots organization sees none of them (its far_cell has L only).
    assert [c.card.id for c in boards.probation(w.other_grassroots, TODAY)] == [p.s.members["L"]]


def test_the_transfer_board_shows_each_hop_with_its_own_deadline_on_both_sides(
    projected: Projected,
) -> None:
    p, w, app = projected, projected.s.world, projected.s.app
    t, u, temp = (p.s.transfers[n] for n in ("T", "U", "temp"))
    boards = Boards(p.rm)

    def seen(org: object, **filters: object) -> list[tuple[object, ...]]:
        found = boards.transfers(org, TODAY, **filters)  # type: ignore[arg-type]
        return [
            (p.name(c.card), c.hop, c.card.deadline_rule, c.card.deadline_due, *row)
            for c in found
            for row in [(c.card.working_days_left, c.hops, c.direction)]
        ]

    # T: started from other_cell on 2026-01-06, not sent on: TRF-START due 2026-04-03 (−48).
    # U: its letter of 2026-06-05 names far_cell: TRF-PRESENT due 2026-07-17 (24 left).
    # temp: a temporary stay at far_cell, until 2026-09-30: no deadline.
    sending = [
        ("T", "not_sent", "TRF-START", date(2026, 4, 3), -48, 0, "out"),
        ("U", "letter_issued", "TRF-PRESENT", date(2026, 7, 17), 24, 1, "out"),
        ("temp", "active", None, None, None, 1, "out"),
    ]
    assert seen(w.grassroots) == sending
    # The receiving side sees them from the start: every one is bound for it.
    assert seen(w.other_grassroots) == [(*row[:-1], "in") for row in sending]
    assert [row[-1] for row in seen(w.commune)] == ["within"] * 3
    # far_cell: the letter addressed to it and its guest, not T (bound for the committee).
    assert [row[0] for row in seen(w.far_cell)] == ["U", "temp"]
    assert seen(w.residence_cell) == []
    # Forwarded one hop up to the grassroots committee: T's letter left the cell; no rule
    # gives a hop in between a deadline of its own.
    app.forward_letter(ctx(), t, Hop(w.other_cell, w.grassroots, "4/GGT", date(2026, 6, 10)))
    p.catch_up()
    (forwarded,) = boards.transfers(w.grassroots, TODAY, hop="forwarded")
    assert (forwarded.card.id, forwarded.letter_at_id, forwarded.hops) == (t, w.grassroots, 1)
    assert forwarded.card.deadline_due is None
    assert [c.card.id for c in boards.transfers(w.grassroots, TODAY, hop="not_sent")] == []
    assert [c.card.id for c in boards.transfers(w.commune, TODAY, overdue_only=True)] == []
    assert [c.card.id for c in boards.transfers(w.commune, TODAY, cell_id=w.cell)] == [u, temp]
    # Finished transfers leave the board (they are listed by ReadModel.transfers).
    app.end_temporary_transfer(ctx(), temp, date(2026, 6, 12))
    p.catch_up()
    assert [c.card.id for c in boards.transfers(w.commune, TODAY)] == [u, t]
    (ended,) = p.rm.transfers(w.commune, TODAY, ("completed",))
    assert ended.id == temp


def test_finished_transfers_are_listed_latest_first_and_searched_by_name_or_organization(
    projected: Projected,
) -> None:
    p, w, app = projected, projected.s.world, projected.s.app
    t, temp = p.s.transfers["T"], p.s.transfers["temp"]
    boards = Boards(p.rm)
    assert boards.finished(w.commune, TODAY) == (0, [])
    # temp's stay ends on 2026-06-12; T is cancelled on 2026-06-10, before it (the latest
    # finished first, whatever the order they started in).
    app.end_temporary_transfer(ctx(), temp, date(2026, 6, 12))
    app.cancel_transfer(ctx(org_id=w.grassroots), t, "đổi ý", date(2026, 6, 10))
    p.catch_up()
    total, cards = boards.finished(w.commune, TODAY)
    assert (total, [c.id for c in cards]) == (2, [temp, t])
    assert [c.stage for c in cards] == ["completed", "cancelled"]
    # A page of one; each side sees its own: the sending grassroots committee both, far_cell
    # the stay it hosted, T's destination (other_grassroots) T too; residence_cell none.
    assert boards.finished(w.commune, TODAY, limit=1, offset=1) == (2, [cards[1]])
    assert [c.id for c in boards.finished(w.far_cell, TODAY)[1]] == [temp]
    assert [c.id for c in boards.finished(w.other_grassroots, TODAY)[1]] == [temp, t]
    assert boards.finished(w.residence_cell, TODAY) == (0, [])
    # Searched: by the member's name (every word, through the blind index), by an
    # organization it left, was bound for or reached.
    member = app.load(Transfer, temp).member_id
    name = app.load(Person, app.load(Member, member).person_id).data.full_name
    assert name == "Nguyễn Thị Hoa"  # as every member registered by tests/builders.py
    by_name = boards.finished(w.commune, TODAY, tokens=app.name_index("nguyen thi hoa"))
    assert [c.id for c in by_name[1]] == [temp, t]
    assert boards.finished(w.commune, TODAY, tokens=app.name_index("tran van ba")) == (0, [])
    assert [c.id for c in boards.finished(w.commune, TODAY, org_ids=[w.far_cell])[1]] == [temp]
    assert [c.id for c in boards.finished(w.commune, TODAY, org_ids=[w.other_cell])[1]] == [t]
    assert boards.finished(w.commune, TODAY, org_ids=[w.residence_cell]) == (0, [])
