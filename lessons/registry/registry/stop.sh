#!/bin/sh
# Stops the lesson's registry (by the pid start.sh recorded) and removes its storage.
state=/tmp/sandbox-lesson-registry
if [ -f "$state/pid" ]; then
    pid=$(cat "$state/pid")
    if kill "$pid" 2>/dev/null; then
        i=0
        while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    fi
fi
rm -rf "$state"
