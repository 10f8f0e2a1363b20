#!/bin/sh
# Starts a private registry (Debian's docker-registry) on 127.0.0.1:47500 for this lesson,
# with an empty store and htpasswd auth (user "learner", password "classroom"). A registry
# left over from an earlier run is stopped first, so every start begins empty: the lesson's
# checks must not find an image pushed last time.
set -e
here=$(cd "$(dirname "$0")" && pwd)
state=/tmp/sandbox-lesson-registry
if ! command -v docker-registry >/dev/null 2>&1; then
    echo "this lesson needs a local registry: apt-get install docker-registry" >&2
    exit 1
fi
sh "$here/stop.sh"
mkdir -p "$state/data"
cp "$here/htpasswd" "$state/htpasswd"
cat > "$state/config.yml" <<CONFIG
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $state/data}, delete: {enabled: true}}
http: {addr: "127.0.0.1:47500", secret: sandbox-lesson}
auth: {htpasswd: {realm: sandbox-lesson, path: $state/htpasswd}}
CONFIG
# setsid and closed descriptors: the registry must not hold the lesson runner's pipes open.
setsid docker-registry serve "$state/config.yml" </dev/null >"$state/registry.log" 2>&1 &
echo $! > "$state/pid"
i=0
until curl -s -o /dev/null http://127.0.0.1:47500/v2/; do
    i=$((i + 1))
    if [ "$i" -gt 100 ]; then
        echo "the registry did not start; see $state/registry.log" >&2
        exit 1
    fi
    sleep 0.1
done
echo "registry listening on 127.0.0.1:47500 (user learner, password classroom)"
