"""The live stream's chunk writer (api/routes/stream.py): the feed hub writes a stream's
chunks through it; a send that waits (a client not reading) is finished in the background, and
nothing is written past it until it has gone, so the chunks keep their order."""

from __future__ import annotations

import asyncio
from typing import Any

from deconfliction.api.routes.stream import ChunkWriter


class _Server:
    """A server's ``send`` that waits, for the chunks whose body is ``b"slow"``, until let go
    (as a server waits for a client's buffer to drain)."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.drained = asyncio.Event()

    async def send(self, message: dict[str, Any]) -> None:
        if message["body"] == b"slow":
            await self.drained.wait()
        self.sent.append(message["body"])


def test_a_send_that_waits_is_finished_and_nothing_overtakes_it() -> None:
    async def scenario() -> list[Any]:
        server, writer = _Server(), ChunkWriter()
        seen: list[Any] = [writer.write(b"early")]  # not started: refused
        writer.send = server.send
        seen.append(writer.write(b"1"))
        seen.append(writer.write(b"slow"))  # taken, waits
        seen.append(writer.write(b"2"))  # refused while the slow one waits
        seen.append(list(server.sent))
        writer.busy = True  # the stream's own send: settles first
        server.drained.set()
        await writer.settle()
        server.sent.append(b"stream's own")
        writer.busy = False
        seen.append(writer.write(b"3"))
        seen.append(server.sent)
        return seen

    assert asyncio.run(scenario()) == [
        False,
        True,
        True,
        False,
        [b"1"],
        True,
        [b"1", b"slow", b"stream's own", b"3"],
    ]


def test_a_writer_closed_while_a_send_waits_ends_it() -> None:
    async def scenario() -> tuple[bool, list[bytes]]:
        server, writer = _Server(), ChunkWriter()
        writer.send = server.send
        writer.write(b"slow")
        waiting = writer._waiting
        assert waiting is not None
        writer.close()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        return waiting.cancelled() or waiting.done(), server.sent

    done, sent = asyncio.run(scenario())
    assert done
    assert sent == []
    assert not ChunkWriter().write(b"x")
