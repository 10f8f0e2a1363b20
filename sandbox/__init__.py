"""sandbox: a terminal classroom for Docker and Kubernetes, running on a real mini engine."""

__version__ = "0.1.0"
