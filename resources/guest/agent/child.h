/*
 * Children of the agent: SPAWNed programs and gdbservers share one machinery (proc.c):
 * fork/exec with pipes, an exec-status pipe, stdin queue, output streaming, reaping.
 * gdb.c only builds the gdbserver command line and reads its start-up message.
 */
#ifndef BENCHTOP_CHILD_H
#define BENCHTOP_CHILD_H

#include "agent.h"

enum child_state {
	CS_FREE,
	CS_EXEC,     /* forked; waiting for exec to succeed (pipe EOF) or fail (errno) */
	CS_GDB_WAIT, /* gdbserver runs; waiting for its "pid = N" line before the RESP */
	CS_RUNNING,  /* RESP sent: output is streamed */
};

/* A STDIN / GDB_WRITE chunk waiting for the child's pipe; answered once fully written, so
 * a child that does not read its input pushes back on the host instead of on our memory. */
struct wchunk {
	struct wchunk *next;
	struct req r;
	size_t len, off;
	uint8_t data[];
};

#define START_TEXT 1024

struct child {
	enum child_state state;
	bool gdb;      /* a gdbserver started by GDB_START */
	bool owned;    /* false once its channel went away: it is killed, no more frames */
	bool exited;   /* reaped; `status` is valid */
	bool attached; /* gdbserver --attach (the debuggee is not ours to kill) */
	struct req r;  /* the SPAWN / GDB_START request: its streams carry that request id */
	unsigned gdb_id;
	pid_t pid, debuggee;
	int status;
	int execfd, infd, outfd[2];
	uint8_t outkind[2];
	struct wchunk *wq;
	size_t wq_bytes;
	char start[START_TEXT]; /* gdbserver's stderr until the pid line */
	size_t startlen;
	uint64_t start_deadline;
};

struct child *child_spawn(struct req r, bool gdb, const char *cwd, char *const argv[],
			  char *const envp[], int *err);
struct child *child_find_gdb(unsigned gdb_id, uint16_t chan);
int child_count_gdb(void);
void child_kill(struct child *c);
int child_queue_write(struct child *c, struct req r, const uint8_t *data, size_t n);

/* gdb.c: look for the pid line in c->start; true once the RESP went out. */
bool gdb_started(struct child *c);

#endif
