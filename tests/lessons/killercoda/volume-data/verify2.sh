#!/bin/sh
[ "$(docker inspect -f '{{.State.ExitCode}}' writer 2>/dev/null)" = "0" ] &&
  docker inspect -f '{{json .Mounts}}' writer | grep -q '"Name":"data"'
