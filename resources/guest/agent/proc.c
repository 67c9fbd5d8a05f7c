/*
 * Process service (protocol section 4, ops 0x20–0x22): SPAWN, SIGNAL, STDIN, and the child
 * machinery gdb.c shares.
 *
 * - fork/exec with stdin/stdout/stderr pipes; the child gets its own session, so a cleanup
 *   can kill its whole process group.
 * - An O_CLOEXEC "exec pipe" tells us without blocking whether exec worked (EOF) or failed
 *   (the child writes errno): the RESP [pid] / ERR is sent from the loop, and no output is
 *   read before it, so the host always sees RESP before the first STREAM.
 * - SIGCHLD is turned into a readable fd by a self-pipe; the loop reaps with waitpid.
 * - STREAM_END goes out after the exit status is known and the pipes are drained.
 */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 24
#define MAX_STDIN_QUEUE (256 * 1024)

extern char **environ;

static struct child kids[MAX_CHILDREN];
static int sigpipe_fds[2] = {-1, -1};

static void on_sigchld(int sig)
{
	(void)sig;
	int e = errno;
	if (write(sigpipe_fds[1], "c", 1) < 0) {
		/* full pipe: a wake-up is already pending, which is all we need */
	}
	errno = e;
}

void proc_init(void)
{
	if (pipe2(sigpipe_fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		logmsg(0, "pipe: %s", strerror(errno));
		exit(1);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed child stdin is EPIPE from write, not death */
}

int proc_sigfd(void)
{
	return sigpipe_fds[0];
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void drop_queue(struct child *c, int err)
{
	while (c->wq) {
		struct wchunk *w = c->wq;
		c->wq = w->next;
		if (c->owned && err)
			reply_err(w->r, err, "the process's input is closed");
		free(w);
	}
	c->wq_bytes = 0;
}

struct child *child_spawn(struct req r, bool gdb, const char *cwd, char *const argv[],
			  char *const envp[], int *err)
{
	struct child *c = NULL;
	for (int i = 0; i < MAX_CHILDREN && !c; i++)
		if (kids[i].state == CS_FREE)
			c = &kids[i];
	if (!c) {
		*err = EAGAIN;
		return NULL;
	}
	/* All O_CLOEXEC: no other child inherits these. Only our ends become non-blocking —
	 * a child with a non-blocking stdout would see EAGAIN and misbehave. */
	int in[2] = {-1, -1}, out[2] = {-1, -1}, er[2] = {-1, -1}, ex[2] = {-1, -1};
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(er, O_CLOEXEC) < 0 ||
	    pipe2(ex, O_CLOEXEC) < 0) {
		*err = errno;
		goto fail;
	}
	pid_t pid = fork();
	if (pid < 0) {
		*err = errno;
		goto fail;
	}
	if (pid == 0) {
		setsid();
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(er[1], 2);
		signal(SIGPIPE, SIG_DFL); /* ignored dispositions survive exec: undo ours */
		signal(SIGCHLD, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		int e = 0;
		if (cwd && *cwd && chdir(cwd) < 0)
			e = errno;
		else {
			execvpe(argv[0], argv, envp);
			e = errno;
		}
		if (write(ex[1], &e, sizeof e) < 0) {
			/* the agent sees EOF and reports exit 127 */
		}
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(er[1]);
	close(ex[1]);
	set_nonblock(in[1]);
	set_nonblock(out[0]);
	set_nonblock(er[0]);
	set_nonblock(ex[0]);
	memset(c, 0, sizeof *c);
	c->state = CS_EXEC;
	c->gdb = gdb;
	c->owned = true;
	c->r = r;
	c->pid = pid;
	c->execfd = ex[0];
	c->infd = in[1];
	c->outfd[0] = out[0];
	c->outfd[1] = er[0];
	c->outkind[0] = gdb ? SK_GDB : SK_STDOUT;
	c->outkind[1] = SK_STDERR;
	logmsg(1, "started %s as pid %d", argv[0], (int)pid);
	return c;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0) close(in[i]);
		if (out[i] >= 0) close(out[i]);
		if (er[i] >= 0) close(er[i]);
		if (ex[i] >= 0) close(ex[i]);
	}
	return NULL;
}

struct child *child_find_gdb(unsigned gdb_id, uint16_t chan)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &kids[i];
		if (c->state != CS_FREE && c->owned && c->gdb && c->gdb_id == gdb_id && c->r.chan == chan)
			return c;
	}
	return NULL;
}

int child_count_gdb(void)
{
	int n = 0;
	for (int i = 0; i < MAX_CHILDREN; i++)
		n += kids[i].state != CS_FREE && kids[i].gdb && !kids[i].exited;
	return n;
}

static struct child *find_proc(pid_t pid, uint16_t chan)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &kids[i];
		if (c->state == CS_RUNNING && c->owned && !c->gdb && c->pid == pid && c->r.chan == chan)
			return c;
	}
	return NULL;
}

/* SIGKILL the child's process group (it is a session leader) and, for a spawned debuggee,
 * the debuggee (gdbserver puts it in a group of its own). Reaping happens as usual. */
void child_kill(struct child *c)
{
	if (c->exited)
		return;
	kill(-c->pid, SIGKILL);
	kill(c->pid, SIGKILL);
	if (c->gdb && c->debuggee > 0) {
		if (c->attached)
			kill(c->debuggee, SIGCONT); /* the kernel detaches it when gdbserver dies */
		else
			kill(c->debuggee, SIGKILL);
	}
}

int child_queue_write(struct child *c, struct req r, const uint8_t *data, size_t n)
{
	if (c->infd < 0)
		return EPIPE;
	if (c->wq_bytes + n > MAX_STDIN_QUEUE)
		return ENOBUFS;
	struct wchunk *w = malloc(sizeof *w + n);
	if (!w)
		return ENOMEM;
	w->next = NULL;
	w->r = r;
	w->len = n; /* n == 0: close the pipe once the chunks before it are written */
	w->off = 0;
	if (n)
		memcpy(w->data, data, n);
	struct wchunk **pp = &c->wq;
	while (*pp)
		pp = &(*pp)->next;
	*pp = w;
	c->wq_bytes += n;
	return 0;
}

/* The host's channel is gone (DISCONNECT or link reset): kill, and stop talking about it. */
static void disown(struct child *c)
{
	child_kill(c);
	drop_queue(c, 0);
	c->owned = false;
	close_fd(&c->execfd);
	close_fd(&c->infd);
	close_fd(&c->outfd[0]);
	close_fd(&c->outfd[1]);
}

void proc_cleanup(int chan)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &kids[i];
		if (c->state != CS_FREE && c->owned && (chan == ALL_CHANNELS || c->r.chan == chan)) {
			logmsg(1, "killing pid %d (channel %u went away)", (int)c->pid, c->r.chan);
			disown(c);
		}
	}
}

static void status_text(int st, const char **how, int *num)
{
	if (WIFSIGNALED(st)) {
		*how = "signal";
		*num = WTERMSIG(st);
	} else {
		*how = "exit";
		*num = WEXITSTATUS(st);
	}
}

/* Exited and drained: the last frames, then the slot is free. */
static void finish(struct child *c)
{
	const char *how;
	int num;
	status_text(c->status, &how, &num);
	if (c->owned) {
		if (c->state == CS_RUNNING) {
			struct out o;
			out_init(&o);
			out_str(&o, how);
			out_num(&o, (unsigned)num);
			reply(c->r, T_STREAM_END, &o);
		} else if (c->state == CS_GDB_WAIT) {
			c->start[c->startlen < START_TEXT ? c->startlen : START_TEXT - 1] = 0;
			reply_err(c->r, ECHILD, "gdbserver ended (%s %d) before starting: %s", how, num, c->start);
		}
	}
	char text[64];
	snprintf(text, sizeof text, "pid=%d status=%s:%d", (int)c->pid, how, num);
	events_emit("exit", text);
	logmsg(1, "pid %d: %s %d", (int)c->pid, how, num);
	drop_queue(c, EPIPE);
	close_fd(&c->execfd);
	close_fd(&c->infd);
	close_fd(&c->outfd[0]);
	close_fd(&c->outfd[1]);
	c->state = CS_FREE;
}

static bool drained(const struct child *c)
{
	return c->execfd < 0 && c->outfd[0] < 0 && c->outfd[1] < 0;
}

static void reap(void)
{
	char buf[64];
	while (read(sigpipe_fds[0], buf, sizeof buf) > 0)
		;
	int st;
	pid_t pid;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (int i = 0; i < MAX_CHILDREN; i++) {
			struct child *c = &kids[i];
			if (c->state != CS_FREE && !c->exited && c->pid == pid) {
				c->exited = true;
				c->status = st;
			}
		}
	}
}

/* The exec pipe: EOF = exec worked, 4 bytes = errno of the failed chdir/exec. */
static void exec_result(struct child *c, uint64_t now)
{
	int e = 0;
	ssize_t n = read(c->execfd, &e, sizeof e);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	close_fd(&c->execfd);
	if (n > 0) {
		reply_err(c->r, e ? e : ENOEXEC, "cannot start the program: %s", strerror(e));
		disown(c); /* exits 127 by itself; kill to be sure, reap quietly */
		return;
	}
	if (c->gdb) {
		c->state = CS_GDB_WAIT;
		c->start_deadline = now + 20000; /* gdbserver loads libstdc++: slow on a busy emulated CPU */
		return;
	}
	c->state = CS_RUNNING;
	struct out o;
	out_init(&o);
	out_num(&o, (unsigned)c->pid);
	reply(c->r, T_RESP, &o);
}

/* One read from stdout (i = 0) or stderr (i = 1). Returns true if the pipe may have more. */
static bool read_output(struct child *c, int i)
{
	if (c->state == CS_GDB_WAIT) {
		if (i != 1)
			return false;
		/* gdbserver's start-up messages: kept back until the pid line is there. */
		if (c->startlen >= START_TEXT - 1) {
			reply_err(c->r, EPROTO, "gdbserver said too much without a pid line");
			disown(c);
			return false;
		}
		ssize_t n = read(c->outfd[1], c->start + c->startlen, START_TEXT - 1 - c->startlen);
		if (n > 0) {
			c->startlen += (size_t)n;
			c->start[c->startlen] = 0;
			gdb_started(c);
			return true;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			close_fd(&c->outfd[1]);
		return false;
	}
	uint8_t buf[STREAM_CHUNK];
	ssize_t n = read(c->outfd[i], buf, sizeof buf);
	if (n > 0) {
		send_stream(c->r, c->outkind[i], buf, (size_t)n);
		return true;
	}
	if (n == 0 || (errno != EAGAIN && errno != EINTR))
		close_fd(&c->outfd[i]);
	return false;
}

static void write_input(struct child *c)
{
	while (c->wq && c->infd >= 0) {
		struct wchunk *w = c->wq;
		if (w->len == 0) { /* empty STDIN: close the child's stdin */
			close_fd(&c->infd);
		} else {
			ssize_t n = write(c->infd, w->data + w->off, w->len - w->off);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					return;
				close_fd(&c->infd);
				drop_queue(c, errno);
				return;
			}
			w->off += (size_t)n;
			if (w->off < w->len)
				return;
		}
		c->wq = w->next;
		c->wq_bytes -= w->len;
		reply_empty(w->r);
		free(w);
	}
}

void proc_fdset(fd_set *rd, fd_set *wr, int *maxfd)
{
	FD_ADD(sigpipe_fds[0], rd, maxfd);
	bool room = link_room() > 0;
	for (int i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &kids[i];
		if (c->state == CS_FREE)
			continue;
		if (c->execfd >= 0)
			FD_ADD(c->execfd, rd, maxfd);
		if (c->wq && c->infd >= 0)
			FD_ADD(c->infd, wr, maxfd);
		/* Flow control: output is read only while a STREAM can enter the window. */
		if (c->state == CS_RUNNING && room) {
			for (int k = 0; k < 2; k++)
				if (c->outfd[k] >= 0)
					FD_ADD(c->outfd[k], rd, maxfd);
		} else if (c->state == CS_GDB_WAIT && c->outfd[1] >= 0) {
			FD_ADD(c->outfd[1], rd, maxfd);
		}
	}
}

void proc_ready(fd_set *rd, fd_set *wr, uint64_t now)
{
	if (FD_ISSET(sigpipe_fds[0], rd))
		reap();
	for (int i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &kids[i];
		if (c->state == CS_FREE)
			continue;
		if (c->execfd >= 0 && FD_ISSET(c->execfd, rd))
			exec_result(c, now);
		if (c->infd >= 0 && FD_ISSET(c->infd, wr))
			write_input(c);
		for (int k = 0; k < 2; k++)
			if (c->outfd[k] >= 0 && FD_ISSET(c->outfd[k], rd) &&
			    (c->state == CS_GDB_WAIT || link_room() > 0))
				read_output(c, k);
	}
}

void proc_work(uint64_t now)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &kids[i];
		if (c->state == CS_FREE)
			continue;
		if (c->state == CS_GDB_WAIT && !c->exited && now >= c->start_deadline) {
			reply_err(c->r, ETIMEDOUT, "gdbserver printed no pid line in 20 s: %s", c->start);
			disown(c);
		}
		if (!c->exited)
			continue;
		/* Dead: whatever it wrote is in the pipes already. Drain them (flow control still
		 * applies), then close — a grandchild holding the pipe must not keep us waiting. */
		if (c->state != CS_EXEC)
			for (int k = 0; k < 2; k++)
				while (c->outfd[k] >= 0 && (c->state == CS_GDB_WAIT || link_room() > 0))
					if (!read_output(c, k))
						close_fd(&c->outfd[k]);
		if (drained(c))
			finish(c);
	}
}

int64_t proc_deadline(void)
{
	int64_t d = -1;
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (kids[i].state == CS_GDB_WAIT && (d < 0 || (int64_t)kids[i].start_deadline < d))
			d = (int64_t)kids[i].start_deadline;
	return d;
}

/* The child's environment: the agent's, with the request's `KEY=VALUE` entries on top. */
static char **make_env(char **extra, size_t nextra)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + nextra + 1, sizeof *env);
	if (!env)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t klen = eq ? (size_t)(eq - environ[i]) + 1 : strlen(environ[i]);
		bool overridden = false;
		for (size_t j = 0; j < nextra && !overridden; j++)
			overridden = !strncmp(extra[j], environ[i], klen);
		if (!overridden)
			env[k++] = environ[i];
	}
	for (size_t j = 0; j < nextra; j++)
		env[k++] = extra[j];
	return env;
}

static void free_strv(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* SPAWN [cwd, envcount, env…, argv0, argv…] */
static void do_spawn(struct req r, struct in *in)
{
	char *cwd = in_strdup(in);
	unsigned long long nenv = 0;
	char **envx = NULL, **argv = NULL, **env = NULL;
	size_t argc = 0, ienv = 0;
	if (!cwd || !in_num(in, &nenv) || nenv > 256)
		goto bad;
	envx = calloc(nenv + 1, sizeof *envx);
	argv = calloc(in->len / 4 + 1, sizeof *argv); /* each field takes ≥ 4 bytes */
	if (!envx || !argv)
		goto bad;
	for (; ienv < nenv; ienv++)
		if (!(envx[ienv] = in_strdup(in)) || !strchr(envx[ienv], '='))
			goto bad;
	while (in->off < in->len)
		if (!(argv[argc++] = in_strdup(in)))
			goto bad;
	if (argc == 0 || !*argv[0])
		goto bad;
	env = make_env(envx, ienv);
	int err = ENOMEM;
	if (!env || !child_spawn(r, false, cwd, argv, env, &err))
		reply_err(r, err, "spawn %s: %s", argv[0], strerror(err));
	goto done;
bad:
	reply_err(r, EINVAL, "SPAWN wants [cwd, envcount, KEY=VALUE…, argv0, argv…]");
done:
	free(cwd);
	free(env); /* the strings belong to environ and envx */
	free_strv(envx, envx ? (size_t)nenv : 0); /* calloc'd: unused slots are NULL */
	free_strv(argv, argc);
}

void proc_request(struct req r, uint8_t op, struct in *in, uint64_t now)
{
	(void)now;
	unsigned long long pid, sig;
	if (op == OP_SPAWN) {
		do_spawn(r, in);
	} else if (op == OP_SIGNAL) {
		if (!in_num(in, &pid) || !in_num(in, &sig) || pid == 0 || pid > 0x7fffffff || sig > 64) {
			reply_err(r, EINVAL, "SIGNAL wants [pid, signo]");
		} else if (kill((pid_t)pid, (int)sig) < 0) {
			reply_err(r, errno, "kill %llu %llu: %s", pid, sig, strerror(errno));
		} else {
			reply_empty(r);
		}
	} else { /* OP_STDIN [pid, bytes] */
		const uint8_t *data;
		size_t n;
		struct child *c;
		if (!in_num(in, &pid) || !in_field(in, &data, &n)) {
			reply_err(r, EINVAL, "STDIN wants [pid, bytes]");
		} else if (!(c = find_proc((pid_t)pid, r.chan))) {
			reply_err(r, ESRCH, "no running process %llu of this channel", pid);
		} else {
			int e = child_queue_write(c, r, data, n);
			if (e)
				reply_err(r, e, "stdin of %llu: %s", pid, strerror(e));
		}
	}
}
