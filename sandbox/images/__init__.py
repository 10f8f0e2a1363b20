"""sandbox.images"""
