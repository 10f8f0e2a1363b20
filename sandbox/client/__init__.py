"""sandbox.client"""
