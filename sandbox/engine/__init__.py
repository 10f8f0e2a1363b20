"""sandbox.engine"""
