"""sandbox.tui"""
