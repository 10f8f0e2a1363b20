"""sandbox.runtime"""
