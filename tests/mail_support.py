"""A real SMTP server in the test process (aiosmtpd) for the mail tests: it keeps what it
received and answers 550 (refused) or 451 (try later) to the addresses it is told to."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    """An aiosmtpd handler keeping what it received; answers 550 or 451 to chosen addresses."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], Message]] = []
        self.refused: set[str] = set()
        self.busy: set[str] = set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        if address in self.busy:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def to(self, address: str) -> list[Message]:
        return [m for rcpt, m in self.received if address in rcpt]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(**tls: Any) -> Iterator[tuple[Inbox, int]]:
    """A running server on a free port (`tls`: aiosmtpd's tls_context, require_starttls)."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **tls)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def body(message: Message) -> str:
    """The plain-text body of a received message."""
    part = message.get_body(("plain",))  # type: ignore[attr-defined]
    return str(part.get_content())
