"""sandbox.tui: the Textual front end — lessons, a command box, and live pictures of what
the engine did (layers, namespaces, cgroups, network, trace).

    from sandbox.tui.app import main      # sandbox / sandbox learn [LESSON] [--lang en|zh]

It sees the system only through ``sandbox.client``, ``sandbox.commands`` and
``sandbox.lessons``, behind the ``Backend`` protocol in ``sandbox.tui.backend``.
Importing this package imports nothing else (start-up time is part of the experience).
"""
