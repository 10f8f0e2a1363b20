"""The thinnest layer: ctypes system calls, mount flags and /proc readers.

Nothing here knows about containers; it names calls, paths and errno when they fail.
"""
