"""sandbox.lessons"""
