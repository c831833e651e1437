"""What the application holds: the coordinator, its writer, the clock, the settings, and the
hub that feeds the live streams."""

from __future__ import annotations

from dataclasses import dataclass, field

from deconfliction.service.broadcast import Broadcaster
from deconfliction.service.clock import Clock
from deconfliction.service.coordinator import Coordinator, Writer
from deconfliction.service.settings import Settings
from deconfliction.service.streams import FeedHub
from deconfliction.service.tracks import TrackService

__all__ = ["Services"]


@dataclass
class Services:
    coordinator: Coordinator
    settings: Settings
    writer: Writer = field(init=False)
    broadcaster: Broadcaster = field(default_factory=Broadcaster)
    feeds: FeedHub = field(init=False)
    tracks: TrackService = field(init=False)

    def __post_init__(self) -> None:
        self.writer = Writer(self.coordinator)
        self.coordinator.on_commit(self.broadcaster.publish)
        self.feeds = FeedHub(
            self.coordinator.db, self.broadcaster, poll_s=self.settings.stream_poll_s
        )
        self.tracks = TrackService(self.writer, self.settings, self.coordinator.clock)

    @property
    def clock(self) -> Clock:
        return self.coordinator.clock
