"""What each role may do.  Reading is never a role question but a need-to-know one
(:mod:`.visibility`): what a party may not see answers as if it did not exist."""

from __future__ import annotations

from enum import StrEnum

from deconfliction.engine.errors import Forbidden
from deconfliction.service.auth import Principal, Role

__all__ = ["Action", "require"]


class Action(StrEnum):
    configure = "change parties, agreements, lines and zones"
    sign_tree_head = "sign a tree head on demand"
    file_notice = "file, replace or cancel notices"
    register_site = "register protected sites"
    file_observation = "file observations"
    acknowledge = "acknowledge inbox items"
    send_message = "send messages"
    report_incident = "report incidents and give accounts of them"
    declare_red_line = "declare red lines"


_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.admin: frozenset({Action.configure, Action.sign_tree_head, Action.declare_red_line}),
    Role.duty_officer: frozenset(
        {
            Action.file_notice,
            Action.register_site,
            Action.acknowledge,
            Action.send_message,
            Action.report_incident,
        }
    ),
    Role.monitor: frozenset(
        {
            Action.file_observation,
            Action.acknowledge,
            Action.send_message,
            Action.report_incident,
        }
    ),
    Role.viewer: frozenset(),
}


def require(principal: Principal, action: Action) -> None:
    """Raise :class:`Forbidden` unless ``principal``'s role may do ``action``."""
    if action not in _ALLOWED[principal.role]:
        raise Forbidden(f"the {principal.role.value} role may not {action.value}")
