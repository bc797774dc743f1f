"""Import of the org tree, the members and the admission targets from the paper records
(hồ sơ giấy), as CSV (UTF-8, with or without BOM) or Excel (.xlsx) files.

Every row is read, checked and run through the application's own commands first, on a staged
copy of the record (`Staging`): the domain judges each row exactly as it judges a user's command,
and the rows see each other (a cell under a committee of an earlier row). Only when every row of
the file passes are the staged events saved, all of them in one transaction; one bad row and
nothing is written, and the report names every bad row, its column, the problem and the rule id.

Ids are deterministic, so importing a file again changes nothing: an organization's id is
`uuid5(NAMESPACE, "org-code/<CODE>")` (codes are case-insensitive), a person's the keyed hash of
the citizen ID (`Dangvien.person_id_for`), a member's derives from the person. A row whose facts
the record already holds is "unchanged"; a new name, hamlet, served hamlets, residence link,
corrected personal data or target is recorded as a new event ("updated"); a fact the import
cannot change (kind, parent, the member's cell or dates...) is refused (`IMPORT-CONFLICT`).

Every fact is dated by the file: by its own date column, else by the row's `on` (Ngày hiệu
lực) or the file's `--on`; a row recording a fact with no date stated is refused
(`IMPORT-DATE`), never dated on the day of the import.

The package: `columns` (the column vocabulary and the values of each column), `parsing` (files
into rows), `staging` (the staged record), `commands` (a row as domain commands), `importing`
(a whole file, all or nothing) and `report`.
"""

from infra.importing.columns import (
    CELL_SETTINGS,
    COLUMNS,
    EDUCATIONS,
    GENDERS,
    OCCUPATIONS,
    ORG_KINDS,
    Column,
    Kind,
    fold,
    normalize_code,
    org_id_for,
    org_ref,
    parse_bool,
    parse_citizen_id,
    parse_date,
    parse_hamlets,
    parse_int,
    parse_keys,
    parse_target,
)
from infra.importing.importing import import_file
from infra.importing.parsing import read_table
from infra.importing.report import IMPORT_RULES, ImportReport, Problem
from infra.importing.staging import Staging

__all__ = [
    "CELL_SETTINGS",
    "COLUMNS",
    "EDUCATIONS",
    "GENDERS",
    "IMPORT_RULES",
    "OCCUPATIONS",
    "ORG_KINDS",
    "Column",
    "ImportReport",
    "Kind",
    "Problem",
    "Staging",
    "fold",
    "import_file",
    "normalize_code",
    "org_id_for",
    "org_ref",
    "parse_bool",
    "parse_citizen_id",
    "parse_date",
    "parse_hamlets",
    "parse_int",
    "parse_keys",
    "parse_target",
    "read_table",
]
