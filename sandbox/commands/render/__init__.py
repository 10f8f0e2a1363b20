"""Text the way docker's Go code prints it: tables, sizes, durations, quoted strings, JSON.

Shared by the ``docker`` grammar and (later) ``kubectl``'s; nothing here talks to a server.
"""
