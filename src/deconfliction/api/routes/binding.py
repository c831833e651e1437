"""The two writes every kind that binds parties shares: propose a new one, propose new terms.

Agreements, zone agreements and lines change only with the consent of every party they bind
(:mod:`deconfliction.service.proposals`): ``POST`` and ``PUT`` on them record a proposal and
answer with it, and with the item itself once it is in force.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the routes' annotations, which
# name the body class each kind gives, at run time.

from typing import Annotated, Any

from fastapi import APIRouter, Path

from deconfliction.api.deps import WritesDep
from deconfliction.api.schemas.common import errors
from deconfliction.api.schemas.proposals import ProposalAnswer
from deconfliction.engine.consent import Bindable
from deconfliction.service import configuration

__all__ = ["add_proposal_routes"]


def add_proposal_routes(
    router: APIRouter,
    *,
    name: str,
    model: type[Bindable],
    create: type[Any],
    replace: type[Any],
    path_name: str,
) -> None:
    """``POST`` (a new ``name``) and ``PUT /{path_name}`` (new terms) on ``router``, with the
    bodies ``create`` and ``replace`` (``replace`` may leave out the id: it is the path's)."""
    article = "an" if name[0] in "aeiou" else "a"

    @router.post(
        "",
        status_code=201,
        response_model=ProposalAnswer,
        responses=errors(400, 401, 403, 409, 422),
        summary=f"Propose {article} new {name} (admin)",
        name=f"propose_new_{name.replace(' ', '_')}",
    )
    async def propose_new(body: create, writes: WritesDep) -> ProposalAnswer:  # type: ignore[valid-type]
        """In force once every party it binds has consented; until then nothing changes."""
        item = model.model_construct(**dict(body))
        return await writes(
            ProposalAnswer,
            body,
            lambda tx: ProposalAnswer.of(configuration.propose_new(tx, writes.principal, item)),
        )

    @router.put(
        f"/{{{path_name}}}",
        response_model=ProposalAnswer,
        responses=errors(400, 401, 403, 404, 409, 422),
        summary=f"Propose new terms for {article} {name} (admin)",
        name=f"propose_change_{name.replace(' ', '_')}",
    )
    async def propose_change(
        ident: Annotated[str, Path(alias=path_name)],
        body: replace,  # type: ignore[valid-type]
        writes: WritesDep,
    ) -> ProposalAnswer:
        """Leaving it, or receiving less under it, is in force at once (the others are told);
        any other change waits for the consent of every party it binds, old and new terms."""
        fields: dict[str, Any] = dict(body)
        item = model.model_construct(**{**fields, "id": fields.get("id") or ident})
        return await writes(
            ProposalAnswer,
            body,
            lambda tx: ProposalAnswer.of(
                configuration.propose_change(tx, writes.principal, ident, item)
            ),
        )
