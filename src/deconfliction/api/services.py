"""What the application holds: the coordinator, its writer, the clock, the settings, and the
hub that feeds the live streams."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from fastapi.concurrency import run_in_threadpool

from deconfliction.api.observability import metrics
from deconfliction.service.broadcast import Broadcaster
from deconfliction.service.clock import Clock
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.nodes import LogWatch
from deconfliction.service.settings import Settings
from deconfliction.service.streams import FeedHub
from deconfliction.service.token_table import TokenTable
from deconfliction.service.tracks import TrackService
from deconfliction.service.writer import Writer

__all__ = ["Services"]


@dataclass
class Services:
    coordinator: Coordinator
    settings: Settings
    writer: Writer = field(init=False)
    broadcaster: Broadcaster = field(default_factory=Broadcaster)
    feeds: FeedHub = field(init=False)
    tokens: TokenTable = field(init=False)
    watch: LogWatch = field(init=False)
    tracks: TrackService = field(init=False)
    _refreshing: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self.writer = Writer(self.coordinator, gather_s=self.settings.write_gather_s)
        self.coordinator.on_commit(self.broadcaster.publish)
        self.coordinator.on_commit(metrics().observe_commit)
        self.watch = LogWatch(
            self.coordinator.db, self.broadcaster, sqlite=self.settings.workers > 1
        )
        self.tokens = TokenTable(self.coordinator.db, refresh_s=self.settings.token_refresh_s)
        self.feeds = FeedHub(
            self.coordinator.db, self.broadcaster, poll_s=self.settings.stream_poll_s
        )
        self.tracks = TrackService(self.writer, self.settings, self.coordinator.clock)

    async def fresh_tokens(self) -> None:
        """Refresh the token table (off the event loop) when it is stale: one refresh however
        many requests find it stale meanwhile, all of them waiting for it.  (Each request used
        to start its own: under load the requests of a whole batch found the table stale
        while the first refresh ran, and each made a thread hop, the event loop's and a
        worker's CPU, for a refresh that found nothing left to do.)"""
        if not self.tokens.stale():
            return
        loop = asyncio.get_running_loop()
        running = self._refreshing
        if running is None or running[0] is not loop:
            future = asyncio.ensure_future(run_in_threadpool(self.tokens.refresh))
            running = self._refreshing = (loop, future)
            future.add_done_callback(lambda _: self._refresh_done(running))
        # Shielded: a request that goes away does not cancel the others' refresh.
        await asyncio.shield(running[1])

    def _refresh_done(self, done: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]) -> None:
        if self._refreshing is done:
            self._refreshing = None
        if not done[1].cancelled():
            done[1].exception()  # seen: each waiter got it (none left to, if all went away)

    def refresh_gauges(self) -> None:
        figures = metrics()
        figures.queue_depth.set(self.writer.depth())
        figures.sse_clients.set(self.feeds.subscribers)

    @property
    def clock(self) -> Clock:
        return self.coordinator.clock
