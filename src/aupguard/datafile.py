"""Policy files: YAML read with line numbers, validated by pydantic, errors as file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from aupguard.errors import PolicyError

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]


# libyaml's parser (the C extension PyYAML ships in its wheels) when there: the pure-Python
# one took 0.4 s of every command's start-up reading the AUP, the ruleset and the data files.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """SafeLoader that keeps no state between documents; used only through compose."""


def load_yaml(text: str | bytes) -> Any:
    """`yaml.safe_load` with libyaml when it is there (data files: no line numbers kept)."""
    return yaml.load(text, Loader=_SafeLoader)


class _Walker:
    """Turns a composed YAML node tree into Python data, noting each key's line."""

    def __init__(self) -> None:
        self.loader = _LineLoader("")
        self.lines: dict[Loc, int] = {}
        self.problems: list[tuple[int, str]] = []

    def walk(self, node: yaml.Node, loc: Loc) -> Any:
        self.lines[loc] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node)
                if key in out:
                    self.problems.append((key_node.start_mark.line + 1, f"duplicate key {key!r}"))
                out[key] = self.walk(value_node, (*loc, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(v, (*loc, i)) for i, v in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)


def read_yaml(text: str, path: str) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML; return the data and a map from each key path to its 1-based line."""
    try:
        node = yaml.compose(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError([(path, line, f"invalid YAML: {problem}")]) from None
    if node is None:
        raise PolicyError([(path, 1, "the file is empty")])
    walker = _Walker()
    data = walker.walk(node, ())
    if walker.problems:
        raise PolicyError([(path, line, msg) for line, msg in walker.problems])
    return data, walker.lines


def _line_for(loc: Loc, lines: dict[Loc, int]) -> int | None:
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


def validate(model: type[M], text: str, path: str) -> M:
    """Read `text` as YAML and validate it into `model`; every problem names its line."""
    data, lines = read_yaml(text, path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems: list[tuple[str, int | None, str]] = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            where = ".".join(str(p) for p in loc)
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = f"unknown key {loc[-1]!r}" + (_expected(model, loc[:-1]))
            problems.append((path, _line_for(loc, lines), f"{where}: {msg}" if where else msg))
        raise PolicyError(problems) from None


def _expected(model: type[BaseModel], parent: Loc) -> str:
    """Name the keys allowed at `parent`, when the model there can be found."""
    current: Any = model
    for part in parent:
        if current is None:
            break
        if hasattr(current, "model_fields"):
            field = current.model_fields.get(part)
            current = _model_of(field.annotation) if field is not None else None
        elif isinstance(current, _Container):
            current = current.inner  # this part is a list index or a dict key
        else:
            current = None
    if isinstance(current, _Container):
        current = current.inner
    if current is None or not hasattr(current, "model_fields"):
        return ""
    return " (expected one of: " + ", ".join(sorted(current.model_fields)) + ")"


def _model_of(annotation: Any) -> Any:
    """The model inside an annotation (X, X | None, list[X], dict[str, X])."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found is not None:
            return _Container(found) if getattr(annotation, "__origin__", None) else found
    return None


class _Container:
    """Marks list[X] / dict[str, X]: the next path part is an index or key, then X."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner


def load(model: type[M], path: Path) -> M:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError([(str(path), None, exc.strerror or str(exc))]) from None
    return validate(model, text, str(path))
