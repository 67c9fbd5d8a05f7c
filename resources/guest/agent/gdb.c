/*
 * gdb relay (protocol section 4, ops 0x30–0x32): GDB_START / GDB_WRITE / GDB_STOP.
 *
 * gdbserver runs with its remote protocol on its stdin/stdout (`gdbserver - PROG ARGS`,
 * `gdbserver --attach - PID`); those are two pipes of ours, so a `continue` into an endless
 * loop only leaves one pipe quiet while the loop serves everyone else. RSP goes through
 * untouched in both directions (STREAM kind 3 out, GDB_WRITE in).
 *
 * In stdio mode gdbserver sends the debuggee's stdout to its own stderr and prints
 * "Process PROG created; pid = N" / "Attached; pid = N" there: the RESP [gdb id,
 * gdbserver pid, debuggee pid] waits for that line, and stderr is streamed as kind 2.
 */
#include "child.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GDB 4

extern char **environ;

const char *gdbserver_path = "gdbserver"; /* main.c: --gdbserver PATH (tests use a fake) */
static unsigned next_gdb_id = 1;

bool gdb_started(struct child *c)
{
	const char *p = strstr(c->start, "pid = ");
	if (!p)
		return false;
	p += 6;
	char *end;
	long pid = strtol(p, &end, 10);
	if (end == p || (*end != '\n' && *end != '\r'))
		return false; /* the number may still be arriving */
	c->debuggee = (pid_t)pid;
	c->state = CS_RUNNING;
	struct out o;
	out_init(&o);
	out_num(&o, c->gdb_id);
	out_num(&o, (unsigned)c->pid);
	out_num(&o, (unsigned long)pid);
	reply(c->r, T_RESP, &o);
	send_stream(c->r, SK_STDERR, c->start, c->startlen); /* nothing of stderr is lost */
	return true;
}

static void do_start(struct req r, struct in *in)
{
	char mode[16];
	char **argv = NULL;
	size_t argc = 0;
	if (!in_str(in, mode, sizeof mode) || (strcmp(mode, "spawn") && strcmp(mode, "attach"))) {
		reply_err(r, EINVAL, "GDB_START wants [spawn, argv0, argv…] or [attach, pid]");
		return;
	}
	if (child_count_gdb() >= MAX_GDB) {
		reply_err(r, EAGAIN, "%d gdbservers already running", MAX_GDB);
		return;
	}
	bool attach = !strcmp(mode, "attach");
	argv = calloc(in->len / 4 + 4, sizeof *argv);
	if (!argv) {
		reply_err(r, ENOMEM, "out of memory");
		return;
	}
	argv[argc++] = strdup(gdbserver_path);
	if (attach)
		argv[argc++] = strdup("--attach");
	argv[argc++] = strdup("-");
	size_t first = argc;
	while (in->off < in->len)
		if (!(argv[argc++] = in_strdup(in)))
			break;
	unsigned long long pid = 0;
	bool ok = argc > first && argv[argc - 1] && *argv[first];
	if (ok && attach) {
		char *end;
		pid = strtoull(argv[first], &end, 10);
		ok = argc == first + 1 && *end == 0 && pid > 0;
	}
	for (size_t i = 0; i < argc && ok; i++)
		ok = argv[i] != NULL;
	if (!ok) {
		reply_err(r, EINVAL, "GDB_START wants [spawn, argv0, argv…] or [attach, pid]");
	} else {
		int err = ENOMEM;
		struct child *c = child_spawn(r, true, "/", argv, environ, &err);
		if (!c) {
			reply_err(r, err, "gdbserver: %s", strerror(err));
		} else {
			c->gdb_id = next_gdb_id++;
			c->attached = attach;
			c->debuggee = (pid_t)pid;
		}
	}
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

void gdb_request(struct req r, uint8_t op, struct in *in, uint64_t now)
{
	(void)now;
	if (op == OP_GDB_START) {
		do_start(r, in);
		return;
	}
	unsigned long long id;
	if (!in_num(in, &id)) {
		reply_err(r, EINVAL, "a gdb id is needed");
		return;
	}
	struct child *c = child_find_gdb((unsigned)id, r.chan);
	if (!c || c->state != CS_RUNNING) {
		reply_err(r, ESRCH, "no running gdbserver %llu on this channel", id);
		return;
	}
	if (op == OP_GDB_STOP) {
		/* STREAM_END follows on the GDB_START request when gdbserver is reaped. */
		child_kill(c);
		reply_empty(r);
		return;
	}
	const uint8_t *data; /* OP_GDB_WRITE [gdb id, bytes] */
	size_t n;
	if (!in_field(in, &data, &n) || n == 0) {
		reply_err(r, EINVAL, "GDB_WRITE wants [gdb id, bytes]");
		return;
	}
	int e = child_queue_write(c, r, data, n);
	if (e)
		reply_err(r, e, "gdbserver %llu: %s", id, strerror(e));
}
