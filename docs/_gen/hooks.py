"""mkdocs hooks: the generated parts of the site (see ``sitegen``), added at build time.

- ``on_config``: generate everything once per build, and fill the nav's "Course" section
  with a page per lesson and language;
- ``on_files``: add the generated pages (and a placeholder ``vm.md`` until the VM guide
  exists, so the getting-started link holds under ``--strict``);
- ``on_page_markdown``: replace ``<!-- sitegen:NAME -->`` markers in hand-written pages
  with generated tables.

Whatever cannot be generated (a lesson that does not load, a ``--help`` that crashes, a
route missing from the hand-kept Docker list) is logged as a warning: ``mkdocs build
--strict`` then fails, which is the point.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.sitegen")

VM_PLACEHOLDER = """# The classroom VM

This page is written by the VM work (`vagrant/` and `make vm-image`); until it lands, see
`vagrant/provision.sh`, whose header lists its options.
"""


@dataclass
class Generated:
    pages: dict[str, str] = field(default_factory=dict)
    """Site path (``course/en/hello-container.md``) -> Markdown."""
    markers: dict[str, str] = field(default_factory=dict)
    """Marker name -> Markdown that replaces ``<!-- sitegen:NAME -->``."""


_state: dict[str, Generated] = {}


def _repo(config: Any) -> Path:
    return Path(config.config_file_path).resolve().parent


def _import_sitegen() -> None:
    """``sitegen`` sits beside this file; mkdocs loads hooks by path, not as a package."""
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)


def _warn_all(what: str, problems: list[str]) -> None:
    for problem in problems:
        log.warning("%s: %s", what, problem)


def _fill_course_nav(nav: list[Any], entries: list[Any]) -> None:
    for i, item in enumerate(nav):
        if isinstance(item, dict) and "Course" in item:
            nav[i] = {"Course": entries}
            return
    nav.append({"Course": entries})


def on_config(config: Any) -> Any:
    _import_sitegen()
    from sitegen import cli_reference, course, docker_api, lesson_schema

    repo = _repo(config)
    gen = Generated()

    lessons = course.build_course(repo / "lessons")
    _warn_all("lesson", lessons.problems)
    gen.pages.update({p.uri: p.content for p in lessons.pages})
    if config.nav is not None:
        _fill_course_nav(config.nav, lessons.nav)

    ref = cli_reference.build_reference(repo)
    _warn_all("CLI reference", ref.problems)
    gen.pages["reference/cli.md"] = cli_reference.render_sandbox(ref)
    gen.pages["reference/docker-cli.md"] = cli_reference.render_docker(ref)

    table = docker_api.build_table(docker_api.engine_routes())
    _warn_all("Docker API", [f"the engine serves {r.method} {r.pattern}, which is not in "
                             "docs/_gen/sitegen/docker_endpoints.py: add it there" for r in table.extra])
    gen.pages["reference/docker-api.md"] = docker_api.render(table)

    gen.markers["lesson-schema"] = lesson_schema.render()
    _state["generated"] = gen
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    gen = _state["generated"]
    for uri, content in gen.pages.items():
        files.append(File.generated(config, uri, content=content))
    if files.get_file_from_path("vm.md") is None:
        files.append(File.generated(config, "vm.md", content=VM_PLACEHOLDER))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    gen = _state["generated"]
    for name, content in gen.markers.items():
        markdown = markdown.replace(f"<!-- sitegen:{name} -->", content)
    return markdown
