#!/usr/bin/env bash
echo "not yet: the CLI lands with issue 2" >&2
exit 1
