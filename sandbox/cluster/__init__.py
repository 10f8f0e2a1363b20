"""sandbox.cluster"""
