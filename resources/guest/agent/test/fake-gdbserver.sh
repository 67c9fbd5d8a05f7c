#!/bin/sh
# Stand-in for gdbserver in the host tests (the host has none): same command line and the
# same start-up lines on stderr as Debian's gdbserver 13 in stdio mode, then it echoes the
# "RSP" it gets on stdin back on stdout.
#   fake-gdbserver.sh - PROG ARGS…      fake-gdbserver.sh --attach - PID
if [ "$1" = --attach ]; then
	pid=$3
	kill -0 "$pid" 2>/dev/null || { echo "Cannot attach to process $pid: No such process (3)" >&2; exit 1; }
	echo "Attached; pid = $pid" >&2
else
	shift
	"$@" </dev/null >&2 &
	pid=$!
	echo "Process $1 created; pid = $pid" >&2
fi
echo "Remote debugging using stdio" >&2
exec cat
