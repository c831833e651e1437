"""The collector's settings for a server process (service/collector.py)."""

from __future__ import annotations

import gc

from deconfliction.service.collector import YOUNG_THRESHOLD, serve_thresholds


def test_a_server_collects_its_youngest_generation_less_often_and_the_others_as_before() -> None:
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 11, 12)
        serve_thresholds()
        assert gc.get_threshold() == (YOUNG_THRESHOLD, 11, 12)
        assert YOUNG_THRESHOLD > 700
    finally:
        gc.set_threshold(*before)
