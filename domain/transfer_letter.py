"""TRF-LETTER-CODE: the receiving committee checks the transfer letter before it accepts
(issue 16, item 3). A pure check over the letters dangvien issued for the transfer and the
paper the typed code names."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from domain.errors import RuleViolation
from domain.paper import Paper, PaperKind

RULE = "TRF-LETTER-CODE"


def check_letter_code(
    transfer_id: UUID, letters: Sequence[Paper], named: Paper | None, code_given: bool
) -> None:
    """When dangvien issued a letter for this transfer, the code typed at acceptance names
    its live letter (not a superseded one, not another transfer's, not a forged code). With
    no letter issued here (a paper letter from outside), no code is needed; a code typed
    anyway must still name this transfer's live letter."""
    if not letters and not code_given:
        return
    live = {p.id for p in letters if p.superseded_by is None}
    if named is not None and named.kind is PaperKind.transfer_letter and named.id in live:
        return
    if not code_given:
        raise RuleViolation(
            RULE,
            "Việc chuyển sinh hoạt này có giấy giới thiệu: nhập mã xác minh in trên giấy",
            "This transfer has a letter: enter the verification code printed on it",
            transfer=str(transfer_id),
        )
    if named is not None and named.id in {p.id for p in letters}:
        raise _superseded(transfer_id)
    raise RuleViolation(
        RULE,
        "Mã xác minh không khớp với giấy giới thiệu của việc chuyển sinh hoạt này",
        "The verification code does not match this transfer's letter",
        transfer=str(transfer_id),
    )


def _superseded(transfer_id: UUID) -> RuleViolation:
    return RuleViolation(
        RULE,
        "Giấy giới thiệu mang mã này đã được thay thế bằng giấy khác: hãy kiểm tra giấy mới",
        "The letter with this code was superseded by a newer one: check the new letter",
        transfer=str(transfer_id),
    )
