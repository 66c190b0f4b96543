"""Read ``center.yaml``: every mistake is reported with file, line and field.

The YAML is composed into nodes first so each value keeps the line it came from; the data is
then validated by :class:`~carecenter.adapters.center_schema.CenterFile`. A mistake becomes a
:class:`~carecenter.errors.ConfigError` such as
``center.yaml:14: queues.billing.service_level.target: must be between 0 and 1, got 80``.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from carecenter.adapters.center_schema import CenterFile
from carecenter.adapters.flow_schema import NODE_SECTIONS
from carecenter.domain.center import Center
from carecenter.errors import ConfigError, not_utf8

Lines = dict[str, int]


def template() -> str:
    """The commented example ``center.yaml`` that ``carecenter init`` writes."""
    return resources.files("carecenter.adapters").joinpath("templates/center.yaml").read_text()


def _walk(node: yaml.Node, path: str, lines: Lines, name: str) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            if key in seen:
                raise ConfigError(
                    f"duplicate key {key!r}",
                    file=name,
                    line=key_node.start_mark.line + 1,
                    field=child,
                )
            seen.add(key)
            _walk(value_node, child, lines, name)
            if not isinstance(value_node, yaml.ScalarNode):
                lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, f"{path}.{i}", lines, name)


class _Loader(yaml.SafeLoader):
    """The safe loader, but an impossible date such as ``2026-13-01`` stays text, for the
    schema to report with its line instead of a crash."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def parse_yaml(text: str, name: str) -> tuple[Any, Lines]:
    """The YAML document's data and a map from dotted field path to line number."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ConfigError("the file is empty", file=name, line=1)
        lines: Lines = {}
        _walk(node, "", lines, name)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(f"not valid YAML: {exc.problem}", file=name, line=line) from None
    finally:
        loader.dispose()
    return data, lines


def line_of(path: str, lines: Lines) -> int | None:
    """The line of the field ``path`` (dotted), or of the nearest section holding it."""
    while path:
        if path in lines:
            return lines[path]
        path = path.rpartition(".")[0]
    return lines.get("")


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tags = ", ".join(NODE_SECTIONS)
        got = error.get("ctx", {}).get("tag")
        return f"must be one of {tags}, got {got!r}" if got else f"is required: one of {tags}"
    if kind == "literal_error":
        return f"must be {error.get('ctx', {}).get('expected', '')}, got {value!r}"
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return f"must be one of {expected}, got {value!r}"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        noun = "a whole number" if kind.startswith("int") else "a number"
        return f"must be {noun}, got {value!r}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be a mapping, got {value!r}"
    if kind in ("list_type", "tuple_type"):
        shown = value.isoformat() if isinstance(value, date) else repr(value)
        return f"must be a list, got {shown}"
    if kind in ("bool_parsing", "bool_type"):
        return f"must be true or false, got {value!r}"
    return str(error["msg"]).lower()


def problems_of(
    exc: ValidationError, lines: Lines, name: str, prefix: str = ""
) -> list[ConfigError]:
    """One :class:`ConfigError` (file, line, field) per problem pydantic found; ``prefix`` is
    the dotted path of the validated data in the file."""
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        if len(loc) > 4 and loc[0] == "flows" and loc[2] == "nodes" and loc[4] in NODE_SECTIONS:
            del loc[4]  # the node's kind, which pydantic adds to the location
        if error["type"].startswith("union_tag_"):
            loc.append("kind")
        if error["type"] == "value_error" and loc and loc[-1] in ("[key]",):
            loc = loc[:-1]
        path = prefix + ".".join(loc)
        problems.append(
            ConfigError(_message(error), file=name, line=line_of(path, lines), field=path)
        )
    return problems


def read_center_file(path: Path) -> Center:
    """Read and validate ``path``; raise :class:`ConfigError` naming the first mistake.

    The error's ``problems`` attribute lists every mistake found, one line each.
    """
    text = read_config_text(
        path, missing="no such file (run `carecenter init` first)", name=path.name
    )
    return parse_center(text, path.name)


def read_config_text(path: Path, *, missing: str = "no such file", name: str | None = None) -> str:
    """The text of the configuration file ``path``; a :class:`ConfigError` naming it (as
    ``name``, default the path) when it is missing, unreadable or not UTF-8."""
    shown = name or str(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(missing, file=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    except UnicodeDecodeError as exc:
        problem = not_utf8(exc, shown)
        raise ConfigError(problem.message, file=shown, line=problem.line) from None


def parse_center(text: str, name: str = "center.yaml") -> Center:
    """Validate the text of a center file (``name`` is used in messages)."""
    data, lines = parse_yaml(text, name)
    return validate_center(data, lines, name)


def validate_center(data: Any, lines: Lines, name: str, prefix: str = "") -> Center:
    """Validate the data of a center file; ``prefix`` is its dotted path when it sits inside
    another file (a scenario's ``center:``), so messages name the field where it is."""
    if not isinstance(data, dict):
        raise ConfigError(
            "must be a mapping with a `center:` section",
            file=name,
            line=line_of(prefix, lines) or 1,
            field=prefix.rstrip("."),
        )
    try:
        model = CenterFile.model_validate(data)
    except ValidationError as exc:
        raise_first(problems_of(exc, lines, name, prefix))
    refs = [
        ConfigError(msg, file=name, line=line_of(prefix + p, lines), field=prefix + p)
        for p, msg in model.reference_problems()
    ]
    if refs:
        raise_first(refs)
    return model.to_domain()


def raise_first(problems: list[ConfigError]) -> Any:
    """Raise the first problem in file order, carrying all of them (``problems``)."""
    problems.sort(key=lambda p: (p.line or 0, p.field))
    first = problems[0]
    first.problems = problems
    raise first
