"""The province's figures (names, places, the size and propensity to admit of each kind of
cell, occupations) and the generator's notes on its tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from domain.values import CellSetting, Gender, OrgKind

SURNAMES = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Hà Lò Vi Lương"
MIDDLE = {Gender.male: "Văn Đức Minh Quốc Hữu Xuân Thanh Công", Gender.female: "Thị Thu Ngọc Hồng"}
GIVEN = {
    Gender.male: "An Bình Cường Dũng Hải Hùng Khánh Long Nam Phong Quang Sơn Tâm Thắng Trung Tuấn",
    Gender.female: "Anh Châu Dung Giang Hà Hoa Hương Lan Linh Mai Nga Oanh Phương Thảo Trang Yến",
}
ETHNICITIES = (("Kinh", 82), ("Thái", 6), ("Mường", 5), ("Tày", 2), ("Dao", 2), ("H'Mông", 3))
RELIGIONS = ((None, 88), ("Công giáo", 7), ("Phật giáo", 5))
PLACES = (
    "An Bình|Hòa Lạc|Tân Thành|Phú Mỹ|Đông Hưng|Quỳnh Lâm|Yên Thịnh|Thạch Sơn|Hưng Lộc|Nghĩa Đàn"
)
PLACES_LIST = PLACES.split("|")

# Members on a cell's roll (paper dossiers, 2016) and admissions, per member, by setting.
SETTING_SIZE = {
    CellSetting.hamlet: (8, 30),
    CellSetting.residential_group: (8, 28),
    CellSetting.commune_agency: (8, 22),
    CellSetting.commune_military: (5, 10),
    CellSetting.police: (5, 14),
    CellSetting.school: (5, 20),
    CellSetting.health_station: (5, 10),
    CellSetting.enterprise: (5, 18),
    CellSetting.cooperative: (5, 10),
    CellSetting.public_service_unit: (6, 20),
    CellSetting.other: (6, 16),
}
ADMIT_RATE = {  # relative propensity to admit, per member on the roll
    CellSetting.hamlet: 0.8,
    CellSetting.residential_group: 0.7,
    CellSetting.commune_agency: 0.9,
    CellSetting.commune_military: 2.0,
    CellSetting.police: 1.6,
    CellSetting.school: 1.5,
    CellSetting.health_station: 1.0,
    CellSetting.enterprise: 1.6,
    CellSetting.cooperative: 0.8,
    CellSetting.public_service_unit: 1.0,
    CellSetting.other: 1.0,
}
OCCUPATIONS = {
    CellSetting.hamlet: (
        ("farmer", 45),
        ("private_enterprise_worker", 18),
        ("foreign_invested_worker", 10),
        ("self_employed", 15),
        ("hamlet_head", 4),
        ("student", 8),
    ),
    CellSetting.residential_group: (
        ("self_employed", 35),
        ("private_enterprise_worker", 30),
        ("foreign_invested_worker", 15),
        ("student", 10),
        ("hamlet_head", 10),
    ),
    CellSetting.commune_agency: (("civil_servant", 100),),
    CellSetting.commune_military: (("soldier", 100),),
    CellSetting.police: (("police", 100),),
    CellSetting.school: (("teacher", 80), ("student", 20)),
    CellSetting.health_station: (("health_worker", 100),),
    CellSetting.enterprise: (("private_enterprise_worker", 65), ("foreign_invested_worker", 35)),
    CellSetting.cooperative: (("cooperative_worker", 100),),
    CellSetting.public_service_unit: (("public_employee", 100),),
    CellSetting.other: (("civil_servant", 100),),
}
# Members of these cells keep contact with the cell where they reside (213-QĐ/TW); army and
# police living in barracks are exempt from the yearly comments.
WORKPLACES = frozenset(CellSetting) - {CellSetting.hamlet, CellSetting.residential_group}
NO_COMMENTS = frozenset({CellSetting.commune_military, CellSetting.police})


@dataclass(eq=False)
class CellInfo:
    id: UUID
    grassroots: GrassrootsInfo
    setting: CellSetting
    exempt_area: bool
    closing: date | None = None  # dissolved in the 2018 reorganisation
    hamlets: tuple[str, ...] = ()


@dataclass(eq=False)
class GrassrootsInfo:
    id: UUID
    kind: OrgKind
    type: str  # commune | agency | enterprise | school | cell
    district: int
    commune: int = -1
    cells: list[CellInfo] = field(default_factory=list)
    committee_size: int = 7


@dataclass
class Scale:
    """How many of everything, at `scale` (1.0 = the province of bench/README.md)."""

    scale: float

    def n(self, full: float, minimum: int = 1) -> int:
        return max(minimum, round(full * self.scale))
