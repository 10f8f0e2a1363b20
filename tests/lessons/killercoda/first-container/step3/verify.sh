#!/bin/sh
test "$(docker inspect -f '{{.State.Status}}' web)" = exited
