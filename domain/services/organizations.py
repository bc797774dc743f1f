"""Organizations and people: the tree and its questions, registration, the rolls."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import date
from uuid import UUID, uuid5

from domain import names, policy, tree
from domain.admission import AdmissionCase
from domain.errors import RuleViolation
from domain.member import Member, Status
from domain.organization import AdmissionTarget, Organization, check_parent
from domain.person import Person, PersonalData
from domain.services.store import NAMESPACE, Context, Store
from domain.values import (
    Ballot,
    CellSetting,
    OrgKind,
)


class Organizations(Store):
    """Organizations and people: the tree and its questions, registration, the rolls."""

    # --- organizations --------------------------------------------------------------------

    def register_organization(
        self,
        ctx: Context,
        *,
        kind: OrgKind,
        name: str,
        parent_id: UUID | None,
        established_on: date,
        setting: CellSetting | None = None,
        may_admit: bool = False,
        exempt_area: bool = False,
        org_id: UUID | None = None,
    ) -> UUID:
        parent = self.load(Organization, parent_id) if parent_id else None
        if parent is not None:
            parent.check_exists(established_on)
        check_parent(kind, parent.kind if parent else None, established_on)
        if may_admit and not kind.is_grassroots:
            raise RuleViolation(
                "ORG-TREE",
                "Chỉ tổ chức cơ sở đảng được ủy quyền kết nạp",
                "Only a grassroots organization can be authorised to admit",
                field="may_admit",
            )
        org_id = org_id or uuid5(NAMESPACE, f"org/{ctx.command_key}")
        return self._create(
            org_id,
            ctx,
            lambda: Organization(
                id=org_id,
                kind=kind,
                name=name,
                parent_id=parent_id,
                setting=setting,
                may_admit=may_admit,
                exempt_area=exempt_area,
                stamp=self.stamp(ctx, established_on),
            ),
        )

    def rename_organization(self, ctx: Context, org_id: UUID, name: str, on: date) -> None:
        self._run(Organization, org_id, ctx, lambda o: o.rename(name, self.stamp(ctx, on)))

    def reparent_organization(self, ctx: Context, org_id: UUID, parent_id: UUID, on: date) -> None:
        parent = self.load(Organization, parent_id)
        parent.check_exists(on)
        ancestors = set(self.ancestors(parent_id, on))
        self._run(
            Organization,
            org_id,
            ctx,
            lambda o: o.reparent(parent_id, parent.kind, ancestors, self.stamp(ctx, on)),
        )

    def dissolve_organization(
        self, ctx: Context, org_id: UUID, on: date, merged_into: UUID | None = None
    ) -> None:
        if merged_into is not None:
            self.load(Organization, merged_into)
        self._run(Organization, org_id, ctx, lambda o: o.dissolve(merged_into, self.stamp(ctx, on)))

    def set_target(self, ctx: Context, org_id: UUID, target: AdmissionTarget, on: date) -> None:
        self._run(Organization, org_id, ctx, lambda o: o.set_target(target, self.stamp(ctx, on)))

    def register_hamlet(
        self, ctx: Context, commune_id: UUID, key: str, name: str, on: date
    ) -> None:
        self._run(
            Organization,
            commune_id,
            ctx,
            lambda o: o.register_hamlet(key, name, self.stamp(ctx, on)),
        )

    def serve_hamlets(
        self, ctx: Context, cell_id: UUID, commune_id: UUID, keys: tuple[str, ...], on: date
    ) -> None:
        known = set(self.load(Organization, commune_id).hamlets)
        self._run(
            Organization,
            cell_id,
            ctx,
            lambda o: o.serve_hamlets(commune_id, known, keys, self.stamp(ctx, on)),
        )

    def ancestors(self, org_id: UUID, on: date) -> Iterator[UUID]:
        """The chain of parents of an organization on a date, nearest first."""
        parent = self.load(Organization, org_id).parent_on(on)
        while parent is not None:
            yield parent
            parent = self.load(Organization, parent).parent_on(on)

    # The tree questions are domain/tree.py's, asked of the record (the projector asks the
    # same of its rows): a `Tree` over the Organization aggregates.

    def parent_on(self, org_id: UUID, on: date) -> UUID | None:
        return self.load(Organization, org_id).parent_on(on)

    def kind(self, org_id: UUID) -> OrgKind | None:
        return self.load(Organization, org_id).kind

    def may_admit(self, org_id: UUID) -> bool:
        return self.load(Organization, org_id).may_admit

    def directly_superior(self, org_id: UUID, on: date) -> UUID | None:
        return tree.directly_superior(self, org_id, on)

    def grassroots_of(self, org_id: UUID, on: date) -> Organization:
        """The grassroots organization a cell belongs to on a date."""
        found = tree.grassroots_of(self, org_id, on)
        if found is None:
            raise RuleViolation(
                "ORG-TREE",
                "Chi bộ không thuộc tổ chức cơ sở đảng nào",
                "The cell belongs to no grassroots organization",
            )
        return self.load(Organization, found)

    def competent_committee(self, cell_id: UUID, on: date) -> Organization:
        """ADM-DECIDE / PRB-DECIDE: the grassroots committee if authorised to admit, otherwise
        its directly-superior committee on that date (a district before 2025-07-01, the
        commune/ward after): a role in the tree, never a hard-coded tier."""
        found = tree.competent_committee(self, self.grassroots_of(cell_id, on).id, on)
        if found is None:
            raise RuleViolation(
                "ORG-TREE",
                "Tổ chức cơ sở đảng không có cấp ủy cấp trên trực tiếp",
                "The grassroots organization has no directly-superior committee",
            )
        return self.load(Organization, found)

    # --- people ---------------------------------------------------------------------------

    def person_id_for(self, citizen_id: str) -> UUID:
        """A keyed hash of the citizen ID: stable per person, meaningless without the key."""
        key = (self.env.get("DANGVIEN_ID_KEY") or self.env.get("CIPHER_KEY") or "").encode()
        if not key:
            raise RuntimeError("DANGVIEN_ID_KEY or CIPHER_KEY must be set to derive person ids")
        digest = hmac.new(key, citizen_id.strip().encode(), hashlib.sha256).hexdigest()
        return uuid5(NAMESPACE, f"person/{digest}")

    def name_index(self, text: str) -> frozenset[int]:
        """The blind index of a name's whole tokens (domain/names.py), keyed by
        DANGVIEN_NAME_KEY: the read model keeps these numbers, never the name nor the key."""
        return names.blind_tokens(self._name_key(), text)

    def _name_key(self) -> bytes:
        key = self.env.get("DANGVIEN_NAME_KEY")
        if key:
            return key.encode()
        # Without a key of its own (an in-memory application of the tests), one derived from
        # the id key: still never the id key itself.
        id_key = (self.env.get("DANGVIEN_ID_KEY") or self.env.get("CIPHER_KEY") or "").encode()
        if not id_key:
            raise RuntimeError("DANGVIEN_NAME_KEY or DANGVIEN_ID_KEY must be set to index names")
        return hmac.new(id_key, b"dangvien/name-index-key", hashlib.sha256).digest()

    def read_model_key(self, purpose: str) -> bytes:
        """A 64-byte key of the read model's own, for one purpose (issue 18: the sealed
        breakdown groups of a person), derived from the name key the read model already
        depends on: changing that key means a rebuild anyway (docs/privacy.md)."""
        label = f"dangvien/read-model/{purpose}".encode()
        return hmac.new(self._name_key(), label, hashlib.sha512).digest()

    def register_person(self, ctx: Context, data: PersonalData, on: date) -> UUID:
        """A person from their dossier; registering a recorded person again corrects their
        record (the importer's rows: whoever imports holds the people of the file)."""
        person_id = self.person_id_for(data.citizen_id)
        if self.exists(person_id):
            self.correct_person(ctx, person_id, data, on)
            return person_id
        return self._create(
            person_id, ctx, lambda: Person(id=person_id, data=data, stamp=self.stamp(ctx, on))
        )

    def correct_person(self, ctx: Context, person_id: UUID, data: PersonalData, on: date) -> None:
        """A correction of personal data: a new record, never an edit (the citizen ID, which
        identifies the person, cannot change)."""
        if self.person_id_for(data.citizen_id) != person_id:
            raise RuleViolation(
                "PERSON-ID",
                "Không sửa được số CCCD của một người đã có hồ sơ",
                "The citizen ID of a recorded person cannot be changed",
                field="citizen_id",
            )
        self._run(Person, person_id, ctx, lambda p: p.correct(data, self.stamp(ctx, on)))

    def cell_holding(self, person_id: UUID) -> UUID | None:
        """The cell that holds a person's record: their membership's, else their latest
        case's (None: recorded with neither). Only a user whose subtree holds that cell may
        read or correct the person, or open a case for them."""
        person = self.load(Person, person_id)
        if person.member_id is not None:
            return self.load(Member, person.member_id).cell_id
        if person.case_ids:
            return self.load(AdmissionCase, person.case_ids[-1]).cell_id
        return None

    def cell_count(self, cell_id: UUID, held_on: date) -> tuple[int, int]:
        """ADM-VOTE-CELL's roll on the meeting day: the full members on the cell's roll, and
        how many of them are temporarily away or exempted (out of the count unless they come
        to vote); probationers and guests never count."""
        cell = self.load(Organization, cell_id)
        full = [
            m
            for m in (self.load(Member, mid) for mid in cell.members_on(held_on))
            if m.status_on(held_on) is Status.full
        ]
        excusable = sum(1 for m in full if m.is_away_on(held_on) or m.is_exempt_on(held_on))
        return len(full), excusable

    def cell_ballot(
        self,
        cell_id: UUID,
        held_on: date,
        votes_for: int,
        votes_against: int,
        excused_voting: int,
        rule_id: str = "ADM-VOTE-CELL",
    ) -> Ballot:
        """ADM-VOTE-CELL's denominator from the roll on the meeting day: full members on the
        roll, less those temporarily away or exempted who did not come to vote; probationers
        and guests never count."""
        on_roll, excusable = self.cell_count(cell_id, held_on)
        if not policy.rules_at(held_on).denominator_excuses_absent:
            excusable = 0
        policy.check_excused_voting(rule_id, excused_voting, excusable)
        return Ballot(held_on, on_roll, excusable - excused_voting, votes_for, votes_against)
