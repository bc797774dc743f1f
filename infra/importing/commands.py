"""Each kind of row as the domain commands it becomes, on the staged record: what is new is
added, what changed is updated, and a fact an import cannot change is refused."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from uuid import UUID, uuid5

from domain import policy
from domain.application import NAMESPACE, Context
from domain.errors import DomainError, RuleViolation
from domain.member import Member
from domain.organization import AdmissionTarget, Organization
from domain.person import Person, PersonalData
from domain.values import Actor, OrgKind
from infra.importing.columns import (
    OCCUPATION_CODES,
    BadValue,
    fold,
    normalize_code,
    org_id_for,
    org_ref,
)
from infra.importing.parsing import Row, duplicate
from infra.importing.report import Problem
from infra.importing.staging import Staging


class Refused(Exception):
    def __init__(self, columns: tuple[str, ...], rule_id: str, vi: str, en: str) -> None:
        super().__init__(f"[{rule_id}] {en}")
        self.columns, self.rule_id, self.vi, self.en = columns, rule_id, vi, en


def refuse(column: str, rule_id: str, vi: str, en: str) -> Refused:
    return Refused((column,), rule_id, vi, en)


@contextmanager
def blame(
    *columns: str,
    by_rule: dict[str, str] | None = None,
    by_field: dict[str, str] | None = None,
) -> Iterator[None]:
    """A domain refusal inside is the row's problem, in these columns (or, for a rule id of
    `by_rule` or a field the refusal names of `by_field`, in its column)."""
    try:
        yield
    except DomainError as error:
        field = error.details.get("field")
        column = (by_rule or {}).get(error.rule_id) or (by_field or {}).get(str(field))
        raise Refused((column,) if column else columns, error.rule_id, error.vi, error.en) from None


class RowCommands:
    """`on`: the effective date `--on` states for the file (None: each row states its own, or
    has no fact that needs one); `today`: the day of the import, which no fact may follow."""

    def __init__(self, staging: Staging, actor: Actor, on: date | None, today: date) -> None:
        self.app = staging
        self.actor = actor
        self.on = on
        self.today = today

    def ctx(self, key: str) -> Context:
        return Context(self.actor, f"import/{key}")

    def effective(self, row: Row, fact_vi: str, fact_en: str) -> date:
        """The date the row's fact takes effect: its `on` column, or the file's `--on`; a row
        stating neither is refused (IMPORT-DATE), never dated on the day of the import."""
        on: date | None = row["on"] or self.on
        if on is None:
            raise refuse(
                row.header("on"),
                "IMPORT-DATE",
                f"Thiếu ngày hiệu lực của {fact_vi}: ghi cột 'Ngày hiệu lực' hoặc --on cho cả tệp",
                f"The effective date of {fact_en} is missing: fill in the 'on' column or give "
                "--on for the file",
            )
        if on > self.today:
            raise refuse(
                row.header("on"),
                "DATE-ORDER",
                f"Ngày hiệu lực ({on:%d/%m/%Y}) sau ngày nhập",
                f"The effective date ({on.isoformat()}) is after the day of the import",
            )
        return on

    # --- organizations ---

    def org_order(self, rows: list[Row]) -> tuple[list[Row], list[Problem]]:
        """Parents (and the communes whose hamlets a cell serves) before the rows needing them."""
        by_code: dict[str, Row] = {}
        problems: list[Problem] = []
        for row in rows:
            code = row["code"]
            if code in by_code:
                problems.append(duplicate(row, "code", by_code[code].number))
            else:
                by_code[code] = row
        ordered: list[Row] = []
        state: dict[str, int] = {}  # 1 visiting, 2 done

        def visit(row: Row) -> None:
            code = row["code"]
            if state.get(code) == 2:
                return
            if state.get(code) == 1:
                raise BadValue("vòng lặp cấp trên", "a cycle of parents")
            state[code] = 1
            for dep in (row["parent_code"], row["commune_code"]):
                if dep and normalize_code(dep) in by_code:
                    visit(by_code[normalize_code(dep)])
            state[code] = 2
            ordered.append(row)

        for row in by_code.values():
            try:
                visit(row)
            except BadValue as bad:
                problems.append(
                    Problem(row.number, row.header("parent_code"), "ORG-TREE", bad.vi, bad.en)
                )
                return [], problems
        return ordered, problems

    def org_row(self, row: Row) -> str:
        app = self.app
        code: str = row["code"]
        org_id = org_id_for(code)
        parent_id = org_ref(row["parent_code"]) if row["parent_code"] else None
        kind: OrgKind = row["kind"]
        # Facts of an organization the row registers take its founding date; changes to one
        # already recorded, the row's stated date.
        founded: date | None = None
        if parent_id is not None and not app.exists(parent_id):
            raise refuse(
                row.header("parent_code"),
                "NOT-FOUND",
                f"Không có tổ chức mã '{row['parent_code']}' (trong tệp hoặc đã đăng ký)",
                f"No organization with code '{row['parent_code']}' (in the file or registered)",
            )
        outcome = "unchanged"
        org = app.peek(Organization, org_id)
        if org is not None:
            self._org_conflicts(row, org, parent_id)
            if org.name != row["name"]:
                with blame(row.header("name")):
                    app.rename_organization(
                        self.ctx(f"org/{code}/name@{org.version}"),
                        org_id,
                        row["name"],
                        self.effective(row, "tên mới", "the new name"),
                    )
                outcome = "updated"
        else:
            founded = row["registered_on"]
            with blame(
                row.header("kind"),
                row.header("parent_code"),
                row.header("registered_on"),
                by_field={"may_admit": row.header("may_admit")},
            ):
                app.register_organization(
                    self.ctx(f"org/{code}"),
                    kind=kind,
                    name=row["name"],
                    parent_id=parent_id,
                    established_on=founded,
                    setting=row["setting"],
                    may_admit=bool(row["may_admit"]),
                    exempt_area=bool(row["exempt_area"]),
                    org_id=org_id,
                )
            outcome = "added"
        hamlets: dict[str, str] = row["hamlets"] or {}
        for key, name in hamlets.items():
            org = app.peek(Organization, org_id)
            assert org is not None
            if org.hamlets.get(key) != name:
                since = founded or self.effective(row, "thôn, tổ dân phố", "the hamlet")
                with blame(row.header("hamlets")):
                    app.register_hamlet(
                        self.ctx(f"hamlet/{code}/{key}@{org.version}"), org_id, key, name, since
                    )
                outcome = "updated" if outcome == "unchanged" else outcome
        if row["serves"]:
            outcome = self._serves(row, code, org_id, founded, outcome)
        return outcome

    def _org_conflicts(self, row: Row, org: Organization, parent_id: UUID | None) -> None:
        held = {
            "kind": (org.kind, row["kind"]),
            "parent_code": (org.parent_id, parent_id),
            "setting": (org.setting, row["setting"]),
            "may_admit": (org.may_admit, row["may_admit"]),
            "exempt_area": (org.exempt_area, row["exempt_area"]),
        }
        for column, (recorded, given) in held.items():
            if given is not None and given != recorded:
                raise self._conflict(row, column, recorded)

    def _serves(self, row: Row, code: str, org_id: UUID, on: date | None, outcome: str) -> str:
        app = self.app
        org = app.peek(Organization, org_id)
        assert org is not None
        commune_id = self._commune_of(row, org_id)
        keys: tuple[str, ...] = row["serves"]
        if org.serves == (commune_id, keys):
            return outcome
        since = on or self.effective(row, "các thôn phụ trách", "the hamlets served")
        with blame(row.header("serves")):
            app.serve_hamlets(
                self.ctx(f"serves/{code}@{org.version}"), org_id, commune_id, keys, since
            )
        return "updated" if outcome == "unchanged" else outcome

    def _commune_of(self, row: Row, org_id: UUID) -> UUID:
        """The commune whose hamlets a cell serves: the column, or the nearest commune
        committee above the cell."""
        if row["commune_code"]:
            commune_id = org_ref(row["commune_code"])
            if self.app.exists(commune_id):
                return commune_id
        else:
            for ancestor in self.app.ancestors(org_id, self.today):
                found = self.app.peek(Organization, ancestor)
                if found is not None and found.kind is OrgKind.commune_committee:
                    return ancestor
        raise refuse(
            row.header("commune_code"),
            "NOT-FOUND",
            "Không xác định được đảng ủy xã có các thôn này: ghi cột 'Mã đảng ủy xã'",
            "No commune committee holds these hamlets: fill in the commune_code column",
        )

    # --- members ---

    def member_row(self, row: Row) -> str:
        app = self.app
        data = PersonalData(
            full_name=row["full_name"],
            birth_date=row["birth_date"],
            citizen_id=row["citizen_id"],
            gender=row["gender"],
            ethnicity=row["ethnicity"],
            religion=None if fold(row["religion"] or "") in ("", "khong") else row["religion"],
            address=row["address"] or "",
            education=row["education"],
            youth_union_member=bool(row["youth_union_member"]),
            trade_union_member=bool(row["trade_union_member"]),
            occupation=OCCUPATION_CODES.get(fold(row["occupation"] or ""), row["occupation"] or ""),
        )
        joined: date = row["joined_on"]
        decided: date = row["decided_on"] or joined
        full_from: date | None = row["full_from"]
        self._member_dates(row, data.birth_date, decided, joined, full_from)
        cell_id = self._cell(row, "cell_code")
        residence_id = (
            self._cell(row, "residence_cell_code") if row["residence_cell_code"] else None
        )
        person_id = app.person_id_for(data.citizen_id)
        outcome = "unchanged"
        person = app.peek(Person, person_id)
        # A member admitted through a case has that case's member id; one from a paper
        # dossier, the id register_member derives from the person.
        member_id = (person.member_id if person else None) or uuid5(
            NAMESPACE, f"member/{person_id}"
        )
        if person is None:  # known to the party since the decision of their dossier
            with blame(row.header("citizen_id")):
                app.register_person(self.ctx(f"person/{person_id}"), data, decided)
            outcome = "added"
        elif person.data != data:
            corrected = self.effective(row, "việc sửa thông tin cá nhân", "the correction")
            with blame(row.header("citizen_id")):
                app.register_person(
                    self.ctx(f"person/{person_id}@{person.version}"), data, corrected
                )
            outcome = "updated"
        member = app.peek(Member, member_id)
        if member is not None:
            self._member_conflicts(row, member, cell_id, row["decided_on"], full_from)
        else:
            with blame(
                row.header("cell_code"),
                row.header("joined_on"),
                by_rule={"CASE-UNIQUE": row.header("citizen_id")},
            ):
                app.register_member(
                    self.ctx(f"member/{person_id}"),
                    person_id=person_id,
                    cell_id=cell_id,
                    joined_on=joined,
                    decided_on=decided,
                    full_from=full_from,
                )
            outcome = "added"
        member = app.peek(Member, member_id)
        assert member is not None
        if residence_id is not None and member.residence_cell_id != residence_id:
            linked = self.effective(row, "liên hệ nơi cư trú (213)", "the residence link (213)")
            if linked < member.ceremony_on:
                raise refuse(
                    row.header("on"),
                    "DATE-ORDER",
                    f"Ngày hiệu lực ({linked:%d/%m/%Y}) trước ngày vào Đảng",
                    f"The effective date ({linked.isoformat()}) precedes the joining date",
                )
            with blame(row.header("residence_cell_code")):
                app.link_residence(
                    self.ctx(f"residence/{person_id}@{member.version}"),
                    member_id,
                    residence_id,
                    linked,
                )
            outcome = "updated" if outcome == "unchanged" else outcome
        return outcome

    def _member_dates(
        self, row: Row, born: date, decided: date, joined: date, full_from: date | None
    ) -> None:
        try:
            policy.check_registered_member(born, decided, joined, full_from)
        except RuleViolation as error:
            field = row.header(error.details["field"])
            raise refuse(field, error.rule_id, error.vi, error.en) from None
        if joined > self.today:
            raise refuse(
                row.header("joined_on"),
                "DATE-ORDER",
                "Ngày vào Đảng sau ngày nhập",
                "The joining date is after the day of the import",
            )
        if full_from is not None and full_from > self.today:
            raise refuse(
                row.header("full_from"),
                "PRB-EFFECTIVE",
                f"Ngày chính thức ({full_from:%d/%m/%Y}) chưa đến",
                f"Full membership ({full_from.isoformat()}) is not reached yet",
            )

    def _cell(self, row: Row, column: str) -> UUID:
        cell_id = org_ref(row[column])
        cell = self.app.peek(Organization, cell_id)
        if cell is None:
            raise refuse(
                row.header(column),
                "NOT-FOUND",
                f"Không có chi bộ mã '{row[column]}': nhập tổ chức trước",
                f"No cell with code '{row[column]}': import the organizations first",
            )
        if not cell.kind.holds_members:
            raise refuse(
                row.header(column),
                "ORG-TREE",
                f"'{row[column]}' không phải chi bộ: đảng viên sinh hoạt ở chi bộ",
                f"'{row[column]}' is not a cell: members keep their activity in a cell",
            )
        return cell_id

    def _member_conflicts(
        self,
        row: Row,
        member: Member,
        cell_id: UUID,
        decided: date | None,
        full_from: date | None,
    ) -> None:
        held = {
            "cell_code": (member.cell_id, cell_id),
            "joined_on": (member.ceremony_on, row["joined_on"]),
            "decided_on": (member.decided_on, decided),
            "full_from": (member.full_from, full_from),
        }
        for column, (recorded, given) in held.items():
            if given is not None and given != recorded:
                raise self._conflict(row, column, recorded)

    def _conflict(self, row: Row, column: str, recorded: Any) -> Refused:
        if isinstance(recorded, date):
            vi, en = recorded.strftime("%d/%m/%Y"), recorded.isoformat()
        else:
            org = self.app.peek(Organization, recorded) if isinstance(recorded, UUID) else None
            vi = en = org.name if org is not None else str(recorded)
        return refuse(
            row.header(column),
            "IMPORT-CONFLICT",
            f"Hồ sơ đã ghi khác ({vi}): không sửa được bằng nhập tệp",
            f"The record holds a different value ({en}): an import cannot change it",
        )

    # --- targets ---

    def target_row(self, row: Row) -> str:
        app = self.app
        org_id = org_ref(row["org_code"])
        org = app.peek(Organization, org_id)
        if org is None:
            raise refuse(
                row.header("org_code"),
                "NOT-FOUND",
                f"Không có tổ chức mã '{row['org_code']}'",
                f"No organization with code '{row['org_code']}'",
            )
        count, rate = row["target"]
        year: int = row["year"]
        base: int | None = row["start_of_year_members"]
        if rate is not None and base is None:
            raise refuse(
                row.header("start_of_year_members"),
                "ORG-TARGET",
                "Chỉ tiêu theo tỷ lệ cần số đảng viên đầu năm",
                "A rate target needs the start-of-year membership",
            )
        target = AdmissionTarget(
            year, count=count, rate_percent=rate, start_of_year_members=base if rate else None
        )
        if org.targets.get(year) == target:
            return "unchanged"
        set_on = row["set_on"] or self.effective(row, "chỉ tiêu", "the target")
        with blame(row.header("target")):
            app.set_target(
                self.ctx(f"target/{normalize_code(row['org_code'])}/{year}@{org.version}"),
                org_id,
                target,
                set_on,
            )
        return "updated" if year in org.targets else "added"
