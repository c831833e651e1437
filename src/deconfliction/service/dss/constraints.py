"""Constraint references: query, get, create, update, delete (utm.yaml).  The use cases are
the shared ones of :mod:`~deconfliction.service.dss.references`; a constraint has no rules of
its own."""

from __future__ import annotations

from functools import partial

from deconfliction.engine.dss.wire import PutConstraintIn
from deconfliction.service.dss import references
from deconfliction.service.dss.auth import Scope
from deconfliction.service.dss.common import constraint_view

__all__ = ["KIND", "delete_constraint", "get_constraint", "put_constraint", "query_constraints"]

KIND = references.Kind(
    table="constraint",
    name="constraint",
    notice="cr",
    for_constraints=True,
    collection="constraint_references",
    short="constraint",
    read=(Scope.constraint_management, Scope.constraint_processing),
    write=(Scope.constraint_management,),
    wire=PutConstraintIn,
    view=constraint_view,
)

query_constraints = partial(references.query_references, KIND)
get_constraint = partial(references.get_reference, KIND)
put_constraint = partial(references.put_reference, KIND)
delete_constraint = partial(references.delete_reference, KIND)
