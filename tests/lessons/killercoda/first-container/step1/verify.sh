#!/bin/sh
# Passes when a container named web is running.
[ "$(docker inspect -f '{{.State.Running}}' web 2>/dev/null)" = "true" ]
