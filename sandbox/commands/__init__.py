"""sandbox.commands"""
