"""sitegen: the parts of the docs site generated at build time from the code and lessons/.

Called from ``docs/_gen/hooks.py`` (mkdocs hooks). Each module turns one source of truth
into Markdown, so the site cannot drift from what the program does:

    course          lessons/ (through sandbox.lessons' loader) -> one page per lesson and language
    cli_reference   ``sandbox … --help`` and the docker command table -> the CLI reference
    docker_api      the engine's router vs. the hand-kept Docker endpoint list -> compatibility table
    lesson_schema   the lesson format's dataclasses -> field tables for teachers
"""
