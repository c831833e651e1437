"""Reading scenario documents (YAML or JSON) from files.

YAML is read strictly: times stay text until the model reads them as RFC 3339 (no YAML
timestamp guessing), only ``true``/``false`` are booleans (YAML 1.1 would turn ``no`` into
false), and a key given twice in one mapping is an error instead of silently keeping the last.
JSON is read as strictly (:func:`deconfliction.engine.documents.read_json`), and both are held
to the same bounds on size, depth and alias expansion (:mod:`deconfliction.engine.documents`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from deconfliction.engine.documents import MAX_DEPTH, check_shape, read_json, too_deep
from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.model import Limits
from deconfliction.engine.scenario import Scenario, parse_scenario

__all__ = ["MAX_FILE_BYTES", "demo_path", "load_scenario_file", "read_document"]


MAX_FILE_BYTES = 64 * 1024 * 1024
"""The largest document file read (64 MiB): larger ones are refused before they are read."""


class _StrictLoader(yaml.SafeLoader):
    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        # The composer recurses once per level: bound it before Python's stack does.
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 1:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                where = f"nested more than {MAX_DEPTH} levels deep"
                raise yaml.composer.ComposerError(None, None, where, event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# Keep only the implicit resolvers YAML 1.2 agrees on: null, int, float, and true/false.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = loader.construct_scalar(node)
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    return text


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"key '{key}' appears twice in one mapping", mark
            )
        seen[key] = loader.construct_object(value_node, deep=True)
    return seen


_StrictLoader.add_constructor("tag:yaml.org,2002:bool", _bool)
_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read_document(path: str | Path, *, as_json: bool | None = None) -> Any:
    """The data in a YAML or JSON file (JSON when ``as_json``, or by default when it is named
    ``.json``); errors name the file and the line."""
    source = str(path)
    file = Path(path)
    if not file.is_file():
        raise InvalidInput.at((), "no such file").in_source(source)
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput.at((), f"larger than {MAX_FILE_BYTES // 2**20} MiB")
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput.at((), f"cannot read the file: {exc}").in_source(source) from None
    except InvalidInput as exc:
        raise exc.in_source(source) from None
    try:
        if as_json or (as_json is None and file.suffix.lower() == ".json"):
            return read_json(text)
        data = _read_yaml(text)
        check_shape(data)
        return data
    except InvalidInput as exc:
        raise exc.in_source(source) from None


def _read_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except RecursionError:
        raise too_deep() from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput.at((), f"not valid YAML{where}: {problem}") from None


def load_scenario_file(path: str | Path, limits: Limits | None = None) -> Scenario:
    """Read and validate a scenario file; every error names the file."""
    data = read_document(path)
    try:
        return parse_scenario(data, limits)
    except InvalidInput as exc:
        raise exc.in_source(str(path)) from None


def demo_path() -> Path:
    """The bundled Golan scenario."""
    return Path(str(resources.files("deconfliction.data") / "golan.yaml"))
