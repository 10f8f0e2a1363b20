#!/bin/sh
docker exec web cat /tmp/hello.txt | grep -q hello
