"""A notice's deliveries follow the agreements as they stand, although the roster remembers
who a notice of each author and kind goes to (asked for every notice filed): the plan is
forgotten whenever an agreement or a party changes, and when that change is undone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from deconfliction.engine.detection.roster import Roster
from deconfliction.engine.hotline import (
    Delivery,
    DeliveryStatus,
    ItemType,
    delivery_id,
    notice_deliveries,
)
from deconfliction.engine.journal import Journal
from deconfliction.engine.model import Agreement, Notice, Party

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
PARTIES = ["a", "b", "c", "d", "e"]
KINDS = ["air_operation", "ground_movement"]


def _party(pid: str, status: str = "active") -> Party:
    return Party.model_validate(
        {"id": pid, "name": pid.upper(), "kind": "armed_force", "status": status}
    )


@st.composite
def agreements(draw: st.DrawFn, aid: str) -> Agreement:
    parties = draw(st.lists(st.sampled_from(PARTIES), min_size=2, max_size=5, unique=True))
    data: dict[str, Any] = {
        "id": aid,
        "name": aid,
        "parties": parties,
        "acknowledgement": {
            "deadline": f"{draw(st.integers(1, 50)) * 60} s",
            **({"step": f"{draw(st.integers(1, 50)) * 30} s"} if draw(st.booleans()) else {}),
        },
        "monitors": draw(st.lists(st.sampled_from(["m1", "m2"]), unique=True)),
    }
    if draw(st.booleans()):
        author = draw(st.sampled_from(parties))
        targets = [p for p in parties if p != author]
        data["notifications"] = [
            {
                "from": author,
                "to": draw(st.lists(st.sampled_from(targets), min_size=1, unique=True)),
                "kinds": draw(st.lists(st.sampled_from(KINDS), unique=True)),
            }
        ]
    return Agreement.model_validate(data)


def _expected(roster: Roster, notice: Notice) -> list[tuple[Any, ...]]:
    """Each delivery's recipient, status and terms, worked out from the agreements directly."""
    out = []
    for recipient in PARTIES:
        if recipient == notice.author:
            continue
        binding = [
            a
            for a in roster.agreements.values()
            if recipient in a.addressees(notice.author, notice.kind)
        ]
        if not binding:
            continue
        if roster.parties[recipient].status.value != "active":
            out.append((recipient, DeliveryStatus.undelivered, None, None, ()))
            continue
        deadline = min(a.acknowledgement.deadline.seconds for a in binding)
        step = min((a.acknowledgement.step or a.acknowledgement.deadline).seconds for a in binding)
        monitors = tuple(sorted({m for a in binding for m in a.monitors}))
        out.append(
            (
                recipient,
                DeliveryStatus.delivered,
                NOW + timedelta(seconds=deadline),
                max(step, 1.0),
                monitors,
            )
        )
    return out


def _made(roster: Roster, notice: Notice) -> list[tuple[Any, ...]]:
    made = notice_deliveries(notice, roster, NOW)
    for d in made:
        # Addressees under the same terms get copies of one record with their own id and
        # recipient put in: each must still be the record that validation makes of its fields.
        assert d == Delivery.model_validate(d.model_dump())
        if d.item_type is ItemType.notice:
            assert d.id == delivery_id(ItemType.notice, notice.id, d.recipient, NOW)
            assert d.sender == notice.author
    return [
        (d.recipient, d.status, d.deadline_at, d.step_s, d.monitors)
        for d in made
        if d.recipient != notice.author  # a report to the author that one was undelivered
    ]


@settings(max_examples=60, deadline=None)
@given(
    first=st.lists(agreements("g1"), min_size=1, max_size=1),
    changes=st.lists(st.one_of(agreements("g1"), agreements("g2"), agreements("g3")), max_size=4),
    suspended=st.sampled_from([None, *PARTIES]),
    author=st.sampled_from(PARTIES),
    kind=st.sampled_from(KINDS),
    undo=st.booleans(),
)
def test_deliveries_follow_every_change_of_the_agreements(
    first, changes, suspended, author, kind, undo
):
    roster = Roster([_party(p) for p in [*PARTIES, "m1", "m2"]], first)
    notice = Notice.model_validate(
        {
            "id": "n1",
            "author": author,
            "kind": kind,
            "filed_at": "2026-11-24T12:00:00Z",
            "volumes": [
                {
                    "outline": {"type": "circle", "center": "33.05N 35.95E", "radius": "2 km"},
                    "altitude": {"lower": "FL050", "upper": "FL100"},
                    "window": {"start": "2026-11-24T13:00:00Z", "end": "2026-11-24T14:00:00Z"},
                }
            ],
        }
    )
    before = _made(roster, notice)  # remembered from here on
    assert before == _expected(roster, notice)
    journal = Journal()
    for agreement in changes:
        roster.with_agreement(agreement, journal)
        assert _made(roster, notice) == _expected(roster, notice)
    if suspended is not None:
        roster.with_party(_party(suspended, "suspended"), journal)
        assert _made(roster, notice) == _expected(roster, notice)
    if undo:
        journal.rollback()
        assert _made(roster, notice) == before == _expected(roster, notice)


def _millisecond(t: datetime) -> int:
    return (t - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


_IDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=64)


@given(
    st.lists(st.tuples(_IDS, _IDS), min_size=2, max_size=6),
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=2, max_size=6),
)
def test_a_notices_deliveries_sort_by_when_it_was_filed(
    pairs: list[tuple[str, str]], offsets: list[int]
) -> None:
    """A notice's delivery ids begin with the time it was filed: ids made later sort after ids
    made before, whatever the notices and recipients (the b-trees keyed by delivery id then take
    them in one place), fit the deliveries' id column (26 characters of its 32) and stay one
    id for the same notice, party and time.  The time counts milliseconds: ids made in the
    same one share their beginning."""
    times = sorted(NOW + timedelta(microseconds=o) for o in offsets)
    made = [
        [delivery_id(ItemType.notice, item, recipient, when) for item, recipient in pairs]
        for when in times
    ]
    for earlier, later, t0, t1 in zip(made, made[1:], times, times[1:], strict=False):
        if _millisecond(t0) < _millisecond(t1):
            assert max(earlier) < min(later)
        else:
            assert {i[:14] for i in earlier} == {i[:14] for i in later}
    for ids in made:
        assert all(len(i) == 26 and i.startswith("dv-") for i in ids)
    assert made[0] == [
        delivery_id(ItemType.notice, item, recipient, times[0]) for item, recipient in pairs
    ]
    # Without a time (every other item's deliveries), the form made before: no time in it.
    assert delivery_id(ItemType.alert, "a-1", "rus") == delivery_id(ItemType.alert, "a-1", "rus")
    assert len(delivery_id(ItemType.alert, "a-1", "rus")) == 23
