"""The engine's image work beyond the store's records: registry traffic, builds, commit,
and archives, each a service the image routes call; ``bridge`` carries their blocking
work onto the event loop's streams."""
