"""The notice book keeps versions as bytes and columns (``situation/notices.py``): what its
readers get from the columns must be what the notices themselves say, before and after a
rollback."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from deconfliction.engine.journal import Journal
from deconfliction.engine.model import Notice, NoticeAction, Party
from deconfliction.engine.situation import Situation
from deconfliction.engine.situation.reach import epoch_s
from tests.engine.test_detection_properties import notices
from tests.engine.thresholds import cases

AUTHORS = "ab"


@st.composite
def books(draw: st.DrawFn) -> tuple[Situation, list[Notice]]:
    """A situation holding one to six notices, some replaced or cancelled."""
    s = Situation()
    for p in AUTHORS:
        s.file(Party(id=p, name=p.upper(), kind="armed_force"))
    filed: list[Notice] = []
    for i in range(draw(st.integers(1, 6))):
        n = draw(notices(f"n-{i}", draw(st.sampled_from(AUTHORS))))
        current = [f for f in filed if s.notices.current.get(s.notices.series_of(f.id)) == f.id]
        if current and draw(st.booleans()):
            earlier = draw(st.sampled_from(current))
            action = draw(st.sampled_from(["replace", "cancel"]))
            update: dict[str, Any] = {
                "action": action,
                "replaces": earlier.id,
                "author": earlier.author,
            }
            if action == "cancel":
                update["volumes"] = []
            n = Notice.model_validate(n.model_dump(exclude_unset=True) | update)
        s.restore(n)
        filed.append(n)
    return s, filed


def _meets(n: Notice, box: tuple[float, float, float, float], t0: float, t1: float) -> bool:
    """Whether a volume of ``n`` meets the box and span (the test a reader makes)."""
    west, south, east, north = box
    for v in n.volumes:
        w, s, e, no = v.outline.shape.bbox()
        if (
            w <= east
            and e >= west
            and s <= north
            and no >= south
            and epoch_s(v.window.start) <= t1
            and epoch_s(v.window.end) > t0
        ):
            return True
    return False


@cases(60)
@given(
    books(),
    st.floats(35.0, 36.8),
    st.floats(32.3, 33.9),
    st.floats(0.001, 1.0),
    st.integers(3 * 60, 16 * 60),
    st.integers(0, 6 * 60),
)
def test_versions_near_and_kinds_agree_with_the_notices(book, lon, lat, size, start, length):
    s, filed = book
    notices_ = s.notices
    box = (lon, lat, lon + size, lat + size)
    t0 = epoch_s(filed[0].filed_at) + 60.0 * start
    t1 = t0 + 60.0 * length
    near = [n.id for n in notices_.versions_near(box, t0, t1)]
    order = list(notices_)
    assert near == sorted(near, key=order.index)  # in the order recorded
    assert {n.id for n in filed if _meets(n, box, t0, t1)} <= set(near)
    assert all(notices_[i].action is not NoticeAction.cancel for i in near)
    assert notices_.cancellations == [n.id for n in filed if n.action is NoticeAction.cancel]
    for n in filed:
        assert notices_[n.id] == n
        assert notices_.kind_of(n.id) is n.kind
        for v in n.volumes:  # each volume's own box and window find its version
            found = notices_.versions_near(
                v.outline.shape.bbox(), epoch_s(v.window.start), epoch_s(v.window.start)
            )
            assert n.id in [m.id for m in found]


@cases(40)
@given(books(), st.data())
def test_a_rolled_back_version_leaves_no_trace(book, data):
    s, filed = book
    notices_ = s.notices
    before = (list(notices_), dict(notices_.current), list(notices_.cancellations))
    everywhere = ((-180.0, -85.0, 180.0, 85.0), -1e12, 1e12)
    reach = [n.id for n in notices_.versions_near(*everywhere)]
    live = [f for f in filed if notices_.current.get(notices_.series_of(f.id)) == f.id]
    n = data.draw(notices("n-new", data.draw(st.sampled_from(AUTHORS))))
    if live and data.draw(st.booleans()):
        earlier = data.draw(st.sampled_from(live))
        n = Notice.model_validate(
            n.model_dump(exclude_unset=True)
            | {"action": "cancel", "replaces": earlier.id, "author": earlier.author, "volumes": []}
        )
    journal = Journal()
    s.apply(s.assess(n), journal)
    assert "n-new" in notices_
    journal.rollback()
    assert "n-new" not in notices_
    assert (list(notices_), dict(notices_.current), list(notices_.cancellations)) == before
    assert [m.id for m in notices_.versions_near(*everywhere)] == reach
    for f in filed:
        assert notices_.kind_of(f.id) is f.kind


def test_a_version_built_in_code_reads_back_with_its_outline_kind() -> None:
    """A version whose models were built in code, not parsed, leaves the defaults unset (an
    outline's ``type`` among them): it must still read back, equal, from the book's bytes."""
    from deconfliction.engine.model.volumes import CircleOutline, PolygonOutline
    from deconfliction.engine.units import Length, LengthUnit

    s = Situation()
    s.file(Party(id="a", name="A", kind="armed_force"))
    written = Notice.model_validate(
        {
            "id": "n-code",
            "author": "a",
            "kind": "exercise",
            "action": "new",
            "filed_at": "2026-12-07T10:00:00Z",
            "title": "built in code",
            "volumes": [
                {
                    "outline": {"type": "circle", "center": [35.6, 33.2], "radius": "2 km"},
                    "altitude": {"lower": "SFC", "upper": "FL100"},
                    "window": {"start": "2026-12-07T11:00:00Z", "end": "2026-12-07T12:00:00Z"},
                }
            ],
        }
    )
    outlines = [
        PolygonOutline(vertices=[[35.59, 33.21], [35.62, 33.21], [35.62, 33.24]]),
        CircleOutline(center=[35.6, 33.2], radius=Length(value=3, unit=LengthUnit.km)),
    ]
    for i, outline in enumerate(outlines):
        assert "type" not in outline.model_fields_set
        volume = written.volumes[0].model_copy(update={"outline": outline})
        n = written.model_copy(update={"id": f"n-code-{i}", "volumes": [volume]})
        s.restore(n)
        back = s.notices[n.id]
        assert back == n
        assert back.volumes[0].outline.type == outline.type
