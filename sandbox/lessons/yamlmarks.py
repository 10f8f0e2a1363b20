"""YAML with line numbers: plain Python values plus where each value and key was written.

PyYAML's ``safe_load`` forgets positions, and a validator that says "steps[2].check: unknown
field" without a line makes authors hunt. So we compose the node tree ourselves and build
the values from it, recording each node's line under its path (``("steps", 2, "check")``).
Duplicate keys, which ``safe_load`` silently resolves to the last one, are reported too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PathKey = tuple[str | int, ...]


@dataclass
class Marks:
    """Where things were written: 1-based lines of values and of mapping keys, by path."""

    values: dict[PathKey, int] = field(default_factory=dict)
    keys: dict[PathKey, int] = field(default_factory=dict)
    duplicates: list[tuple[PathKey, int, int]] = field(default_factory=list)
    """(path, line of the repeated key, line of its first use)."""

    def line(self, path: PathKey, *, key: bool = False) -> int:
        """The line of ``path`` (of its key when ``key``), else of its nearest ancestor."""
        if key and path in self.keys:
            return self.keys[path]
        probe = path
        while True:
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return 1
            probe = probe[:-1]


@dataclass(frozen=True)
class YamlSyntax(Exception):
    """The text is not YAML (or holds no single document). ``line`` is 1-based."""

    line: int
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.problem}"


def load(text: str) -> tuple[Any, Marks]:
    """Parse one YAML document into (value, marks). Raises YamlSyntax with the line."""
    import yaml

    loader = yaml.SafeLoader(text)
    marks = Marks()
    try:
        node = loader.get_single_node()
        if node is None:
            return None, marks
        return _build(loader, node, (), marks), marks
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = err.problem or err.context or "invalid YAML"
        raise YamlSyntax(line, problem) from err
    except yaml.YAMLError as err:
        raise YamlSyntax(1, str(err)) from err
    finally:
        loader.dispose()


def _build(loader: Any, node: Any, path: PathKey, marks: Marks) -> Any:
    import yaml

    marks.values[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        # Merge keys (<<) are flattened first so their values count as written here.
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            key_path = (*path, str(key))
            key_line = key_node.start_mark.line + 1
            if str(key) in out:
                marks.duplicates.append((key_path, key_line, marks.keys.get(key_path, key_line)))
            else:
                marks.keys[key_path] = key_line
            out[str(key)] = _build(loader, value_node, key_path, marks)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*path, i), marks) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
