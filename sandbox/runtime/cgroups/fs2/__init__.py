"""The cgroup v2 backend ("fs2"): one unified tree, controllers handed down via subtree_control."""
