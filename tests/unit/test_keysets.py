"""Keys replaced while the system runs (infra/keysets.py): what the replaced key made is still
read during its grace, a process picks up another's rotation, and nothing outlives retirement."""

from __future__ import annotations

import asyncio
import os
import time
from base64 import b64decode, b64encode
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.api.common.v1 import Payload

from domain.errors import RuleViolation
from infra.api.auth import sign, unsign
from infra.keysets import (
    RECHECK_SECONDS,
    Keyset,
    KeysetFile,
    LiveKeyset,
    keyset_file,
    live_keyset,
)
from infra.settings import Settings, local_key
from infra.temporal import REFUSED, EncryptionCodec
from workflows.authority import Authority

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
GRACE = timedelta(hours=24)


def payload(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=text.encode())


def live(tmp_path: Path, name: str = "payload") -> tuple[KeysetFile, LiveKeyset]:
    file = keyset_file(tmp_path, name)
    return file, LiveKeyset(file=file)


def test_a_keyset_before_its_first_rotation_is_the_key_file_it_always_was(tmp_path: Path) -> None:
    legacy = local_key(tmp_path, "payload.key")
    keyset = keyset_file(tmp_path, "payload").load()
    assert keyset.current == "dangvien-1"
    assert keyset.key == b64decode(legacy)
    cookie = keyset_file(tmp_path, "secret").load()
    assert cookie.key == local_key(tmp_path, "secret.key").encode()  # sessions survive the upgrade


def test_a_rotation_makes_a_new_current_key_and_accepts_the_old_one_until_its_grace_ends() -> None:
    first = Keyset("a", {"a": b"k" * 32})
    second = first.rotated(NOW, GRACE)
    assert second.current != "a" and second.key != b"k" * 32
    assert set(second.accepted(NOW + GRACE)) == {"a", second.current}
    assert set(second.accepted(NOW + GRACE + timedelta(seconds=1))) == {second.current}
    assert set(second.retired(NOW + timedelta(hours=1)).keys) == {"a", second.current}
    assert set(second.retired(NOW + GRACE + timedelta(seconds=1)).keys) == {second.current}
    kept = second.retired(NOW + GRACE + timedelta(seconds=1), keep={"a"})
    assert set(kept.keys) == {"a", second.current}


def test_a_saved_keyset_is_private_and_read_back_whole(tmp_path: Path) -> None:
    file = keyset_file(tmp_path, "command")
    rotated = file.load().rotated(NOW, GRACE)
    file.save(rotated)
    assert file.load() == rotated
    assert oct(os.stat(file.path).st_mode & 0o777) == "0o600"


def test_a_process_picks_up_a_rotation_made_by_another(tmp_path: Path) -> None:
    _, mine = live(tmp_path)
    before = mine.get().current
    other = keyset_file(tmp_path, "payload")
    other.save(other.load().rotated(NOW, GRACE))
    time.sleep(RECHECK_SECONDS + 0.05)
    assert mine.get().current != before  # without a restart
    assert mine.get().current == other.load().current


def test_payloads_written_before_a_rotation_are_read_after_it_and_new_ones_use_the_new_key(
    tmp_path: Path,
) -> None:
    file, keys = live(tmp_path)
    writer = EncryptionCodec(keys)
    old = asyncio.run(writer.encode([payload("trước")]))
    assert old[0].metadata["encryption-key-id"] == b"dangvien-1"

    file.save(file.load().rotated(NOW, GRACE))
    reader = EncryptionCodec(LiveKeyset(file=file))  # a process started after the rotation
    new = asyncio.run(reader.encode([payload("sau")]))
    assert new[0].metadata["encryption-key-id"] != b"dangvien-1"
    decoded = asyncio.run(reader.decode([*old, *new]))
    assert [p.data for p in decoded] == [b"tr\xc6\xb0\xe1\xbb\x9bc", b"sau"]

    # The process started before the rotation meets the new key's id: it reads the file again.
    assert asyncio.run(writer.decode(new))[0].data == b"sau"


def test_a_payload_under_an_unknown_or_forgotten_key_is_refused_unread(tmp_path: Path) -> None:
    file, keys = live(tmp_path)
    old = asyncio.run(EncryptionCodec(keys).encode([payload("x")]))
    file.save(file.load().rotated(NOW, GRACE).retired(NOW + GRACE * 2))
    refused = asyncio.run(EncryptionCodec(LiveKeyset(file=file)).decode(old))
    assert refused[0].metadata["encoding"] == REFUSED and refused[0].data == b""


def test_a_command_signed_just_before_a_rotation_is_accepted_during_its_grace_only() -> None:
    keyset = [Keyset("a", {"a": b"a" * 32})]
    clock = [NOW]

    def keys() -> tuple[bytes, list[bytes]]:
        return keyset[0].key, list(keyset[0].accepted(clock[0]).values())

    authority = Authority(keys)
    message = {"step": "record_comment"}
    proof = authority.proof_of(message)
    keyset[0] = keyset[0].rotated(NOW, GRACE)
    authority.check(message, proof)  # signed by the replaced key, inside its grace
    assert authority.proof_of(message) != proof  # new commands: the new key
    clock[0] = NOW + GRACE + timedelta(minutes=1)
    with pytest.raises(RuleViolation) as refused:
        authority.check(message, proof)
    assert refused.value.rule_id == "AUTH-PROOF"


def test_a_session_signed_by_a_replaced_key_holds_until_its_grace_ends() -> None:
    old, new = b"o" * 32, b"n" * 32
    cookie = sign(old, "token")
    assert unsign([new, old], cookie) == "token"
    assert unsign([new], cookie) is None


def test_keys_set_by_environment_name_their_id_and_keep_the_keys_they_replaced(
    tmp_path: Path,
) -> None:
    new, old = b"n" * 32, b"o" * 32
    settings = Settings.from_env(
        {
            "DANGVIEN_DATA_DIR": str(tmp_path),
            "DANGVIEN_PAYLOAD_KEY": b64encode(new).decode(),
            "DANGVIEN_PAYLOAD_KEY_ID": "p-2027",
            "DANGVIEN_PAYLOAD_KEYS_RETIRING": f"dangvien-1:{b64encode(old).decode()}",
        }
    )
    keyset = live_keyset(settings, "payload").get()
    assert keyset.current == "p-2027" and keyset.key == new
    assert keyset.accepted(NOW) == {"p-2027": new, "dangvien-1": old}
    assert not list(tmp_path.glob("payload.*"))  # nothing generated beside the environment's


def test_a_command_signed_with_a_key_rotated_a_moment_ago_is_accepted_at_once(
    tmp_path: Path,
) -> None:
    """The worker's view of the keyset is up to a second old: before refusing a signature it
    reads the keyset again (the API may have taken the new key up first)."""
    file = keyset_file(tmp_path, "command")
    worker_view = LiveKeyset(file=file)
    worker = Authority(
        lambda: (worker_view.get().key, list(worker_view.get().accepted(NOW).values())),
        refresh=lambda: worker_view.get(fresh=True),
    )
    worker_view.get()  # read before the rotation
    file.save(file.load().rotated(NOW, GRACE))
    api = Authority(file.load().key)
    message = {"step": "record_comment"}
    worker.check(message, api.proof_of(message))  # no AUTH-PROOF
    with pytest.raises(RuleViolation):
        worker.check(message, Authority(b"x" * 32).proof_of(message))
