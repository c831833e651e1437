"""A light path for the busiest write, ``POST /v1/notices``: the same route, without the
framework's per-request machinery for the requests that need none of it.

At 200 notices a second one server process spends most of a core, and what the framework does
around a filing (matching a dozen routers, solving eight dependencies, reading the body's JSON
a second time, validating the answer it was handed before writing it out) cost about as much
as the answer itself.  The event loop is the one place every request and every live stream
waits for, so its time per filing is the queue in front of every other.

:class:`Direct` is the innermost of the application's own layers: a request has its id, its
metrics and its access line from :class:`~deconfliction.api.observability.RequestContext`, its
body read and checked by :class:`~deconfliction.api.bodies.BodyGuard`, as every request does;
then, instead of the framework's exception layer, its exit stack, its router and the route's
request and response objects (half the layers a filing went through), a :class:`FastRoute`
answers it when it is of the common, well-formed kind: a JSON body (no ``\\u`` escape to look
into, see :mod:`deconfliction.api.guards`), no query string, one bearer token, at most one
``Idempotency-Key`` within its bounds, and a body the route's own model accepts.  It then does
what the framework would: the same token lookup (:func:`~deconfliction.api.deps.bearer_principal`),
the same :class:`~deconfliction.api.deps.Writes`, the route's own endpoint function, an error
raised on the way answered by the handler the application registered for it (by the
framework's rule: the nearest class), and the answer written by the same pydantic serializer
the framework uses for the route's ``response_model``: the same bytes, the same headers.
Anything else (a missing or malformed token scheme, a console session, a bad body, an odd
header) it *declines*: the request goes on, its body given again, through the framework's
layers to its route, which stays the one definition of every error answer for bad input and of
the OpenAPI document (this route is not in it).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from deconfliction.api.bodies import PARSED, RAW, json_content_type
from deconfliction.api.deps import KEY_LENGTHS, Writes, bearer_principal
from deconfliction.api.guards import storable_text
from deconfliction.api.services import Services

__all__ = ["Direct", "FastRoute"]

_COVERED: frozenset[object] = frozenset({storable_text})
"""The route dependencies (its router's included) this path does itself: the text guard, by
declining any body with a ``\\u`` escape, the one way JSON can carry text that cannot be
stored."""


class FastRoute(Route):
    """``method path`` answered by ``endpoint(body=..., writes=...)`` for well-formed requests
    (see the module); every other request goes on to the framework's route of the same path.

    ``body`` and ``answer`` are the models the framework's route reads and answers with;
    ``status_code`` its status.  A route for its path template (the metrics' label) and its
    match, which is the router's rule; :class:`Direct` calls it, not the router."""

    def __init__(
        self,
        path: str,
        method: str,
        endpoint: Callable[..., Awaitable[BaseModel]],
        *,
        body: type[BaseModel],
        answer: type[BaseModel],
        status_code: int,
    ) -> None:
        super().__init__(path, endpoint, methods=[method], include_in_schema=False)
        self.method = method
        self.call = endpoint
        self.status_code = status_code
        self._body = TypeAdapter(body)
        self._answer = TypeAdapter(answer)
        self.answered = 0
        """Requests this path answered (the others it declined), for tests and benchmarks."""

    @classmethod
    def of(cls, route: APIRoute) -> FastRoute:
        """The light path of ``route``, whose endpoint must take exactly ``body`` (its model)
        and ``writes`` (:data:`~deconfliction.api.deps.WritesDep`): a route that needs any
        other dependency cannot take this path, since it would skip it."""
        hints = inspect.get_annotations(route.endpoint, eval_str=True)
        parameters = list(inspect.signature(route.endpoint).parameters)
        methods = sorted(route.methods or ())
        if parameters != ["body", "writes"] or route.status_code is None or len(methods) != 1:
            raise TypeError(f"{route.path}: the light path takes one method, body and writes")
        skipped = [d.dependency for d in route.dependencies if d.dependency not in _COVERED]
        if skipped:
            # A guard added to the route or its router later would be skipped here unseen.
            raise TypeError(f"{route.path}: the light path would skip {skipped}")
        (method,) = methods
        return cls(
            route.path,
            method,
            route.endpoint,
            body=hints["body"],
            answer=route.response_model,
            status_code=route.status_code,
        )

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        # Only a full match: any other method on the path is the framework's to answer (405).
        if scope["type"] == "http" and scope["method"] == self.method:
            match, child = super().matches(scope)
            if match == Match.FULL:
                return match, child
        return Match.NONE, {}

    def _read(self, request: Request, body: bytes) -> tuple[Any, str, str | None] | None:
        """The body as the route's model, the bearer token and the idempotency key; None when
        the request is not of the kind this path answers."""
        scope = request.scope
        if scope.get("query_string") or b"\\u" in body:
            return None
        authorization: list[bytes] = []
        content_type: list[bytes] = []
        keys: list[bytes] = []
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization.append(value)
            elif name == b"content-type":
                content_type.append(value)
            elif name == b"idempotency-key":
                keys.append(value)
        if len(authorization) != 1 or len(keys) > 1 or not content_type:
            return None
        if not json_content_type(content_type[0]):
            return None
        scheme, _, token = authorization[0].decode("latin-1").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        key = keys[0].decode("latin-1") if keys else None
        if key is not None and not KEY_LENGTHS[0] <= len(key) <= KEY_LENGTHS[1]:
            return None
        data = scope[PARSED] if PARSED in scope else json.loads(body) if body else None
        try:
            model = self._body.validate_python(data, from_attributes=True)
        except ValidationError:
            return None
        return model, token, key

    async def serve(self, scope: Scope, body: bytes) -> Response | None:
        """The answer to the request (an error the application's handler answers included);
        None when it is not of the kind this path answers (declined)."""
        request = Request(scope)
        found = self._read(request, body)
        if found is None:
            return None
        model, token, key = found
        self.answered += 1
        scope["route"] = self  # the route template, for the metrics
        try:
            services: Services = scope["app"].state.services
            principal = await bearer_principal(services, token)
            side = Response()  # what the route sets on its answer (Idempotent-Replayed)
            del side.headers["content-length"]
            writes = Writes(request, side, services, principal, key)
            answer = await self.call(body=model, writes=writes)
        except Exception as exc:
            handler = _handler(scope, exc)
            if handler is None:
                raise  # the server error layer's, as on the framework's path
            answered: Response = await handler(request, exc)
            return answered
        response = Response(
            self._answer.dump_json(answer, by_alias=True),
            status_code=self.status_code,
            media_type="application/json",
        )
        response.headers.raw.extend(side.headers.raw)
        return response


def _handler(scope: Scope, exc: Exception) -> Callable[..., Awaitable[Response]] | None:
    """The application's handler for ``exc`` by the framework's exception layer's rule (the
    nearest class with one), but for the catch-all (``Exception``, 500), which is the server
    error layer's: None then."""
    handlers = scope["app"].exception_handlers
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        if cls in handlers:
            found: Callable[..., Awaitable[Response]] = handlers[cls]
            return found
    return None


class Direct:
    """ASGI middleware, the innermost of the application's own: a request one of ``routes``
    matches and answers is answered here (see the module); any other goes on to the
    framework's layers, its body given again."""

    def __init__(self, app: ASGIApp, routes: list[FastRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = scope.get(RAW)  # a body BodyGuard read: the only kind a light path takes
        if body is not None:
            for route in self.routes:
                if route.matches(scope)[0] == Match.FULL:
                    response = await route.serve(scope, body)
                    if response is not None:
                        await response(scope, receive, send)
                        return
                    break  # declined: ``receive`` still gives the body (BodyGuard's replay)
        await self.app(scope, receive, send)
