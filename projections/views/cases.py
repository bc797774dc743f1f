"""Admission cases: a row per case (stage, deadline, holder; its person's breakdown groups are
counted and sealed by projections.views.people, never kept on the row), its stages with
the days each was entered and left, and, as cases close, the forecast's history
(`stage_outcomes`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain import tree as rules
from domain.admission import AdmissionCase, Stage
from projections.orgtree import Moves, OrgTree
from projections.upsert import dialect
from projections.views import Batch, PathColumn, Scope, View
from projections.views.people import People

WRITE_SLICE = 10_000  # cases whose stages are written at once


def case_row(
    case: AdmissionCase,
    path: str,
    stage_since: date,
    on: date,
    responsible_id: UUID | None,
) -> dict[str, Any]:
    deadline = case.stage_deadline()
    lapsing = case.lapsing_document(on)
    return {
        "id": case.id,
        "person_id": case.person_id,
        "cell_id": case.cell_id,
        "grassroots_id": case.grassroots_id,
        "path": path,
        "opened_on": case.opened_on,
        "stage": str(case.stage),
        "stage_since": stage_since,
        "closed": case.stage.is_closed,
        "outcome_on": case.outcome_on,
        "ceremony_on": case.ceremony_on,
        "decided_on": case.decision[1] if case.decision else None,
        "member_id": getattr(case, "member_id", None),
        "deadline_rule": deadline[0] if deadline else None,
        "deadline_due": deadline[2] if deadline else None,
        "responsible_id": responsible_id,
        # The rungs of what the process watches (a document's validity too).
        "escalation_level": case.escalation_level(deadline or lapsing),
        "validity_rule": lapsing[0] if lapsing else None,
        "validity_due": lapsing[2] if lapsing else None,
    }


class Cases(View):
    kind = AdmissionCase

    def __init__(self, scope: Scope, tree: OrgTree, people: People) -> None:
        self.scope, self.tree, self.people = scope, tree, people
        self.since: dict[UUID, date] = {}  # the day each case entered its stage
        self.stages: dict[UUID, Stage] = {}  # the stage of each open case projected this run

    def load(self, conn: sa.Connection) -> None:
        t = self.scope.t
        self.since = {}
        for case_id, since in conn.execute(sa.select(t.cases.c.id, t.cases.c.stage_since)):
            self.since[case_id] = since

    def forget(self) -> None:
        self.stages.clear()

    def stage_before(self, case_id: UUID, case: AdmissionCase) -> Stage:
        """The case's stage before an event (remembered: a stage is derived, not kept)."""
        return self.stages.get(case_id) or case.stage

    def applied(
        self, case_id: UUID, case: AdmissionCase, before: Stage | None, on: date, batch: Batch
    ) -> None:
        """A case as an event left it: a new stage is a move, entered on the event's day."""
        stage = case.stage
        if stage != before:
            batch.stage_moves.append((case_id, stage, on))
            self.stages[case_id] = stage
            self.since[case_id] = on

    def path_columns(self, conn: sa.Connection) -> Sequence[PathColumn]:
        t = self.scope.t
        return [(t.cases, t.cases.c.path, self.scope.owned(t.cases.c.id, conn))]

    def moved(self, conn: sa.Connection, moves: Moves) -> None:
        """Who holds the cases whose holder depends on where a moved unit stands: the
        stages of domain.tree.TREE_HELD, by the case's cell or grassroots organization."""
        t, today = self.scope.t, date.today()
        for stage, side in rules.TREE_HELD.items():
            changes = []
            for org_id in moves.moved:
                kind = self.tree.kind(org_id)
                if kind is None or not (
                    kind.holds_members if side == "cell" else kind.is_grassroots
                ):
                    continue
                holder = rules.holder(self.tree, stage, org_id, org_id, today)
                changes.append({"org": org_id, "holder": holder})
            if not changes:
                continue
            column = t.cases.c.cell_id if side == "cell" else t.cases.c.grassroots_id
            conn.execute(
                sa.update(t.cases)
                .where(
                    column == sa.bindparam("org"),
                    t.cases.c.stage == str(stage),
                    *self.scope.owned(t.cases.c.id, conn),
                )
                .values(responsible_id=sa.bindparam("holder")),
                changes,
            )

    def write(
        self, conn: sa.Connection, aggregates: list[tuple[UUID, Any]], batch: Batch
    ) -> list[UUID]:
        rows, closed = [], []
        tree, groups, effective = self.tree, self.people.groups, batch.effective
        today = date.today()
        for case_id, case in aggregates:
            on = effective.get(case_id, today)
            stage = case.stage
            groups(case.person_id, conn)  # known, and sealed with the batch (People.finish)
            rows.append(
                case_row(
                    case,
                    tree.path(case.cell_id),
                    self.since[case_id],
                    on,
                    rules.holder(tree, stage, case.cell_id, case.grassroots_id, on),
                )
            )
            if stage.is_closed:  # nothing more happens to it, as a rule
                closed.append(case_id)
                self.stages.pop(case_id, None)
        self.scope.upsert(conn, self.scope.t.cases, rows)
        return closed

    def finish(self, conn: sa.Connection, batch: Batch) -> None:
        """Each case's stages with the days it entered and left them; when a case closes,
        its stages join the forecast's history (`stage_outcomes`)."""
        t = self.scope.t
        entered: dict[UUID, list[tuple[Stage, date]]] = {}
        for case_id, stage, on in batch.stage_moves:
            entered.setdefault(case_id, []).append((stage, on))
        outcomes: dict[tuple[str, int], int] = {}
        cases = list(entered.items())
        for first in range(0, len(cases), WRITE_SLICE):
            self._write_stages(
                conn, batch.touched, dict(cases[first : first + WRITE_SLICE]), outcomes
            )
        if not outcomes:
            return
        statement = dialect(conn).insert(t.stage_outcomes)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["stage", "days_to_ceremony"],
                set_={"cases": t.stage_outcomes.c.cases + statement.excluded.cases},
            ),
            # in key order: partitions of a rebuild add to the same rows (no deadlock)
            [
                {"stage": s, "days_to_ceremony": d, "cases": n}
                for (s, d), n in sorted(outcomes.items())
            ],
        )

    def _write_stages(
        self,
        conn: sa.Connection,
        touched: dict[UUID, Any],
        entered: dict[UUID, list[tuple[Stage, date]]],
        outcomes: dict[tuple[str, int], int],
    ) -> None:
        """The stages of some cases; `outcomes` gains those of the cases that closed."""
        t = self.scope.t
        conn.execute(  # the stage each case was in before this batch: left now
            sa.update(t.case_stages)
            .where(
                t.case_stages.c.case_id == sa.bindparam("k"),
                t.case_stages.c.left_on.is_(None),
                t.case_stages.c.stage != sa.bindparam("s"),
            )
            .values(left_on=sa.bindparam("on")),
            [{"k": k, "s": str(moves[0][0]), "on": moves[0][1]} for k, moves in entered.items()],
        )
        stage_rows = [
            {
                "case_id": case_id,
                "stage": str(stage),
                "entered_on": on,
                "left_on": moves[i + 1][1] if i + 1 < len(moves) else None,
            }
            for case_id, moves in entered.items()
            for i, (stage, on) in enumerate(moves)
        ]
        self.scope.upsert(conn, t.case_stages, stage_rows)
        closing = [k for k, moves in entered.items() if moves[-1][0].is_closed]
        if not closing:
            return
        history = conn.execute(
            sa.select(
                t.case_stages.c.case_id, t.case_stages.c.stage, t.case_stages.c.entered_on
            ).where(t.case_stages.c.case_id.in_(closing))
        ).all()
        for case_id, stage, entered_on in history:
            ceremony = touched[case_id].ceremony_on
            days = (ceremony - entered_on).days if ceremony is not None else -1
            outcomes[stage, days] = outcomes.get((stage, days), 0) + 1
