"""sandbox.network"""
