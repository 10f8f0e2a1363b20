#!/bin/sh
# api.sh METHOD PATH [JSON]: one request to the engine's Docker API with curl, exactly what
# the docker CLI sends for you. The engine's socket comes from DOCKER_HOST (unix://…).
set -e
method=$1
path=$2
body=${3:-}
socket=${DOCKER_HOST:-unix:///run/sandbox/engine.sock}
socket=${socket#unix://}
if [ -n "$body" ]; then
    curl -sS --fail-with-body --unix-socket "$socket" -X "$method" \
        -H 'Content-Type: application/json' -d "$body" "http://localhost/v1.47$path"
else
    curl -sS --fail-with-body --unix-socket "$socket" -X "$method" "http://localhost/v1.47$path"
fi
echo
