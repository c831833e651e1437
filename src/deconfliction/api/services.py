"""What the application holds: the coordinator, its writer, the clock, the settings, and the
hub that feeds the live streams."""

from __future__ import annotations

from dataclasses import dataclass, field

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

    def refresh_gauges(self) -> None:
        figures = metrics()
        figures.queue_depth.set(self.writer.depth())
        figures.sse_clients.set(self.feeds.subscribers)

    @property
    def clock(self) -> Clock:
        return self.coordinator.clock
