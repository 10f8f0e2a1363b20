"""The cgroup v1 backend ("fs"): one hierarchy per controller (or comounted group), each its own tree.

Also serves hybrid hosts, whose controllers are all still on the v1 side.
"""
