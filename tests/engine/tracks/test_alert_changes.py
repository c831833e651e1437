"""The alert diff given findings to write only when due: the same changes as writing every
finding first (the rule as it stood, restated here), and no finding written that is not due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from deconfliction.engine.alerts import Alert, AlertChange, ChangeAction
from deconfliction.engine.detection.findings import AlertKind, Finding, finding_key
from deconfliction.engine.tracks.alerts import Evidenced, Seen, TacticalAlerts

T0 = datetime(2026, 12, 7, 9, tzinfo=UTC)
EVERY = 10.0


def _finding(key: str, parties: tuple[str, ...], ttl: float, text: str) -> Finding:
    return Finding(
        AlertKind.track_conflict, key, parties, (key,), text, T0, {"time_to_loss_s": ttl}
    )


def _reference(
    alerts: TacticalAlerts, at: datetime, found: list[Finding], updates: int | None
) -> list[Evidenced]:
    """Every finding written first, then the rule: open what is new; update what differs and is
    due (by age, or urgent: other parties or aircraft, time to loss below half); routine
    updates capped, the longest unwritten first."""
    out, routine = [], []
    for f in found:
        old = alerts.open.get(f.key)
        if old is None:
            change = AlertChange(action=ChangeAction.opened, alert=Alert.from_finding(f, at), at=at)
            out.append(Evidenced(change, ()))
            continue
        before, now = old.figures.get("time_to_loss_s"), f.figures.get("time_to_loss_s")
        urgent = (old.parties, old.subjects) != (f.parties, f.subjects) or (
            isinstance(before, float) and isinstance(now, float) and now < 0.5 * before
        )
        written = alerts._written.get(old.id, 0.0)
        due = at.timestamp() - written >= EVERY or urgent
        if old.same_content(f) or not due:
            continue
        change = AlertChange(action=ChangeAction.updated, alert=old.updated(f, at), at=at)
        if urgent:
            out.append(Evidenced(change, ()))
        else:
            routine.append((written, Evidenced(change, ())))
    routine.sort(key=lambda r: r[0])
    return out + [c for _, c in routine[:updates]]


keys = [finding_key(AlertKind.track_conflict, f"icao:{i:06x}") for i in range(12)]
opened = st.lists(st.tuples(st.sampled_from(keys), st.integers(0, 30)), max_size=12)
seen_now = st.lists(
    st.tuples(
        st.sampled_from(keys),
        st.sampled_from([("a", "b"), ("a", "c")]),
        st.sampled_from([10.0, 40.0, 100.0, 300.0]),
        st.sampled_from(["same", "other"]),
    ),
    max_size=12,
    unique_by=lambda t: t[0],
)


@given(opened, seen_now, st.one_of(st.none(), st.integers(0, 4)))
def test_writing_only_what_is_due_makes_the_same_changes(
    before: list[tuple[str, int]],
    now: list[tuple[str, tuple[str, ...], float, str]],
    cap: int | None,
) -> None:
    alerts = TacticalAlerts(EVERY)
    for key, ago in dict(before).items():  # opened `ago` seconds before the round
        first = _finding(key, ("a", "b"), 100.0, "same")
        when = T0 - timedelta(seconds=ago)
        alerts.applied(alerts.changes(when, [Seen.of(first, ())]))
    found = [_finding(key, parties, ttl, text) for key, parties, ttl, text in now]
    built: list[str] = []

    def lazily(f: Finding) -> Seen:
        def build() -> tuple[Finding, tuple[()]]:
            built.append(f.key)
            return f, ()

        eager = Seen.of(f, ())
        return Seen(eager.key, eager.parties, eager.subjects, eager.time_to_loss, build)

    expected = _reference(alerts, T0, found, cap)
    assert alerts.changes(T0, [lazily(f) for f in found], updates=cap) == expected
    # Nothing was written for an open alert neither urgent nor due by age.
    for f in found:
        old = alerts.open.get(f.key)
        if old is None or f.key not in built:
            continue
        ttl = f.figures["time_to_loss_s"]
        before_ttl = old.figures["time_to_loss_s"]
        urgent = old.parties != f.parties or (
            isinstance(ttl, float) and isinstance(before_ttl, float) and ttl < 0.5 * before_ttl
        )
        assert urgent or T0.timestamp() - alerts._written[f.key] >= EVERY
