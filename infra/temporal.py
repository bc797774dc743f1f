"""Temporal clients: encrypted payloads, the date-aware converter, the search attributes."""

from __future__ import annotations

import contextlib
import os
from base64 import b64decode
from collections.abc import Iterable, Sequence
from datetime import time, timedelta

import structlog
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.common import SearchAttributeIndexedValueType
from temporalio.converter import PayloadCodec
from temporalio.service import RPCError, RPCStatusCode, TLSConfig

from infra.keysets import Keyset, LiveKeyset
from workflows import search
from workflows.converter import data_converter
from workflows.messages import TASK_QUEUE, ResidenceRoundStart
from workflows.processes import ResidenceRoundWorkflow, SealWorkflow

ENCODING = b"binary/encrypted"
LEGACY_ID = "dangvien-1"  # the payload key's id before keysets (infra/keysets.py)
NONCE = 12


REFUSED = b"binary/refused"  # what an unencrypted payload becomes: no converter reads it
log = structlog.get_logger("dangvien.temporal")


class EncryptionCodec(PayloadCodec):
    """AES-GCM over every payload: workflow inputs, updates and results carry personal data
    (names of relatives, for instance) that Temporal would otherwise store in clear.

    New payloads are encrypted with the keyset's current key and name it
    (`encryption-key-id`); a payload is decrypted with the key it names, so histories written
    before a rotation stay readable (infra/keysets.py). A key id this process does not know
    yet makes it read the keyset again (another process rotated it)."""

    def __init__(self, keys: LiveKeyset | bytes, key_id: str = LEGACY_ID) -> None:
        self._keys = (
            keys if isinstance(keys, LiveKeyset) else LiveKeyset(Keyset(key_id, {key_id: keys}))
        )
        self._aes: dict[bytes, AESGCM] = {}

    @property
    def key_id(self) -> str:
        return self._keys.get().current

    def _cipher(self, key: bytes) -> AESGCM:
        found = self._aes.get(key)
        if found is None:
            found = self._aes[key] = AESGCM(key)
        return found

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        keyset = self._keys.get()
        aes = self._cipher(keyset.key)
        return [
            Payload(
                metadata={"encoding": ENCODING, "encryption-key-id": keyset.current.encode()},
                data=_encrypt(aes, p.SerializeToString()),
            )
            for p in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Only what a holder of a key encrypted: a payload sent in clear (through Temporal's
        own tools, say) or under a key no longer held is emptied into one no converter reads,
        so the update or signal that carried it is refused by the workflow; its content is
        never read."""
        decoded = []
        for p in payloads:
            key = self._key_of(p) if p.metadata.get("encoding", b"") == ENCODING else None
            if key is None:
                log.warning("payload.refused", reason="not encrypted with a payload key")
                decoded.append(Payload(metadata={"encoding": REFUSED}))
                continue
            clear = Payload()
            clear.ParseFromString(_decrypt(self._cipher(key), p.data))
            decoded.append(clear)
        return decoded

    def _key_of(self, payload: Payload) -> bytes | None:
        key_id = payload.metadata.get("encryption-key-id", LEGACY_ID.encode()).decode()
        key = self._keys.get().keys.get(key_id)
        if key is None:
            key = self._keys.get(fresh=True).keys.get(key_id)
        return key


def _encrypt(aes: AESGCM, data: bytes) -> bytes:
    nonce = os.urandom(NONCE)
    return nonce + aes.encrypt(nonce, data, None)


def _decrypt(aes: AESGCM, data: bytes) -> bytes:
    return aes.decrypt(data[:NONCE], data[NONCE:], None)


def codec_from_key(key: str | LiveKeyset) -> EncryptionCodec:
    return EncryptionCodec(key if isinstance(key, LiveKeyset) else b64decode(key))


async def connect(
    address: str, namespace: str, payload_key: str | LiveKeyset, tls: TLSConfig | None = None
) -> Client:
    """A client of the cluster: mutual TLS in production (the frontend refuses a client
    without a certificate of the cluster's CA), plain on the embedded dev server."""
    return await Client.connect(
        address,
        namespace=namespace,
        data_converter=data_converter(codec_from_key(payload_key)),
        tls=tls or False,
    )


_TYPES = {
    SearchAttributeIndexedValueType.KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    SearchAttributeIndexedValueType.DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
    SearchAttributeIndexedValueType.INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
}


async def register_search_attributes(client: Client, namespace: str = "default") -> None:
    """Add the search attributes the processes publish (a no-op when they exist)."""
    try:
        existing = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
        known = set(existing.custom_attributes)
    except RPCError as error:  # the time-skipping test server only adds
        if error.status is not RPCStatusCode.UNIMPLEMENTED:
            raise
        known = set()
    missing = {
        key.name: _TYPES[key.indexed_value_type] for key in search.ALL if key.name not in known
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )


def dev_server_flags() -> Iterable[str]:
    """`temporal server start-dev` flags that define the search attributes up front."""
    names = {
        SearchAttributeIndexedValueType.KEYWORD: "Keyword",
        SearchAttributeIndexedValueType.DATETIME: "Datetime",
        SearchAttributeIndexedValueType.INT: "Int",
    }
    for key in search.ALL:
        yield from ("--search-attribute", f"{key.name}={names[key.indexed_value_type]}")


RESIDENCE_SCHEDULE_ID = "residence-comments-yearly"


async def ensure_residence_schedule(client: Client, *, month: int = 10, day: int = 1) -> None:
    """The yearly 213-QĐ/TW comment round, opened at 00:00 on 1 October in Vietnam (a
    setting); creating it again is a no-op."""
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            ResidenceRoundWorkflow.run,
            ResidenceRoundStart(),
            id="residence-round",
            task_queue=TASK_QUEUE,
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    month=[ScheduleRange(month)], day_of_month=[ScheduleRange(day)]
                )
            ],
            time_zone_name="Asia/Ho_Chi_Minh",
        ),
    )
    with contextlib.suppress(ScheduleAlreadyRunningError):  # created by an earlier start
        await client.create_schedule(RESIDENCE_SCHEDULE_ID, schedule)


SEAL_SCHEDULE_ID = "audit-seal-daily"


def seal_schedule(at: time) -> Schedule:
    """The SealWorkflow every day at `at`, Vietnam time (DANGVIEN_SEAL_AT). Never two at once;
    a day missed while Temporal was down is caught up within 12 hours."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            SealWorkflow.run, id="audit-seal", task_queue=TASK_QUEUE
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    hour=[ScheduleRange(at.hour)], minute=[ScheduleRange(at.minute)]
                )
            ],
            time_zone_name="Asia/Ho_Chi_Minh",
        ),
        policy=SchedulePolicy(
            overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(hours=12)
        ),
    )


async def ensure_seal_schedule(client: Client, at: time = time(23, 0)) -> None:
    """Create the daily seal's schedule, or move it when the setting changed (every worker
    start: replicas starting together find it made and at its hour, and change nothing)."""
    schedule = seal_schedule(at)
    try:
        await client.create_schedule(SEAL_SCHEDULE_ID, schedule)
    except ScheduleAlreadyRunningError:

        def update(current: ScheduleUpdateInput) -> ScheduleUpdate | None:
            same = _hours(current.description.schedule.spec) == _hours(schedule.spec)
            return None if same else ScheduleUpdate(schedule)

        await client.get_schedule_handle(SEAL_SCHEDULE_ID).update(update)


def _hours(spec: ScheduleSpec) -> list[tuple[list[int], list[int], str | None]]:
    """The hours and minutes a spec fires at, however the server returns it."""
    return [
        ([r.start for r in c.hour], [r.start for r in c.minute], spec.time_zone_name)
        for c in spec.calendars
    ]
