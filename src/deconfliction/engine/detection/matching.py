"""Whether a zone rule's selector matches an observed unit or a notice."""

from __future__ import annotations

from deconfliction.engine.detection.roster import Roster
from deconfliction.engine.model import Notice, Observation, Selector
from deconfliction.engine.model.zones import NoPresenceRule, ZoneRule

__all__ = [
    "matches_notice",
    "matches_observation",
    "rule_applies_to_notice",
    "rule_applies_to_observation",
]


def matches_observation(selector: Selector, obs: Observation, roster: Roster) -> bool:
    """Every non-empty criterion must match; a selector naming notice kinds concerns notices
    only."""
    if selector.notice_kinds:
        return False
    if selector.parties:
        owner = obs.party or roster.party_of_affiliation(obs.affiliation)
        if owner not in selector.parties:
            return False
    if selector.affiliations and obs.affiliation.casefold() not in {
        a.casefold() for a in selector.affiliations
    }:
        return False
    return not (selector.unit_categories and obs.unit_category not in selector.unit_categories)


def matches_notice(selector: Selector, notice: Notice, roster: Roster) -> bool:
    """Every non-empty criterion must match; a selector naming unit categories concerns
    observations only."""
    if selector.unit_categories:
        return False
    if selector.parties and notice.author not in selector.parties:
        return False
    if selector.affiliations:
        party = roster.parties.get(notice.author)
        names = {a.casefold() for a in party.affiliations} if party else set()
        if not names & {a.casefold() for a in selector.affiliations}:
            return False
    return not (selector.notice_kinds and notice.kind not in selector.notice_kinds)


def rule_applies_to_observation(rule: ZoneRule, obs: Observation, roster: Roster) -> bool:
    if not matches_observation(rule.applies_to, obs, roster):
        return False
    excepted = isinstance(rule, NoPresenceRule) and rule.except_ is not None
    return not (excepted and matches_observation(rule.except_, obs, roster))  # type: ignore[union-attr, arg-type]


def rule_applies_to_notice(rule: NoPresenceRule, notice: Notice, roster: Roster) -> bool:
    if not matches_notice(rule.applies_to, notice, roster):
        return False
    return not (rule.except_ is not None and matches_notice(rule.except_, notice, roster))
