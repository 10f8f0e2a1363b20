#!/bin/sh
! docker inspect writer > /dev/null 2>&1 && docker volume inspect data > /dev/null
