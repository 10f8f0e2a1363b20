#!/bin/sh
docker volume ls -q | grep -qx data
