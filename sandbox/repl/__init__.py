"""sandbox.repl"""
