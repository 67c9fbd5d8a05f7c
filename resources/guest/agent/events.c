/*
 * Events (protocol section 4, op 0x40): EVENT frames to every channel that asked.
 * `marker`: a line a guest program wrote to the FIFO /run/benchtop/events
 *           (e.g. `echo "phase=2 start" > /run/benchtop/events`).
 * `exit`:   `pid=N status=exit:C` or `pid=N status=signal:S` for the agent's children.
 *
 * The FIFO is created at start-up so a program can never create a regular file there by
 * writing first. We also hold a write end of it ourselves: without one, every writer that
 * closes would make the read end report EOF for ever and select() would spin.
 * Flow control: while someone listens, the FIFO is read only when the window has room (a
 * writer then waits, nothing is lost); while nobody listens, lines are read and dropped so
 * that guest programs never block on their markers.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SUBS 32
#define LINE_MAX_BYTES 2048 /* longer lines are cut into pieces */

static int rfd = -1, wfd = -1;
static uint16_t subs[MAX_SUBS];
static int nsubs;
static char line[LINE_MAX_BYTES];
static size_t linelen;

static void mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(path, 0755);
			*p = '/';
		}
}

void events_init(const char *path)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s", path);
	mkdirs(dir);
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISFIFO(st.st_mode))
		unlink(path);
	if (mkfifo(path, 0622) < 0 && errno != EEXIST) {
		logmsg(0, "mkfifo %s: %s (no marker events)", path, strerror(errno));
		return;
	}
	chmod(path, 0622); /* any user may write markers; the umask must not narrow it */
	rfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	wfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (rfd < 0 || wfd < 0)
		logmsg(0, "open %s: %s (no marker events)", path, strerror(errno));
}

static void send_event(uint16_t chan, const char *kind, const char *text, size_t n)
{
	struct out o;
	out_init(&o);
	out_str(&o, kind);
	out_field(&o, text, n);
	link_send(T_EVENT, chan, 0, o.buf, o.len);
}

void events_emit(const char *kind, const char *text)
{
	for (int i = 0; i < nsubs; i++)
		send_event(subs[i], kind, text, strlen(text));
}

void events_request(struct req r, uint8_t op)
{
	(void)op;
	for (int i = 0; i < nsubs; i++)
		if (subs[i] == r.chan) {
			reply_empty(r); /* already subscribed */
			return;
		}
	if (nsubs == MAX_SUBS) {
		reply_err(r, EMFILE, "too many subscribers");
		return;
	}
	subs[nsubs++] = r.chan;
	reply_empty(r);
}

void events_cleanup(int chan)
{
	int k = 0;
	for (int i = 0; i < nsubs; i++)
		if (chan != ALL_CHANNELS && subs[i] != chan)
			subs[k++] = subs[i];
	nsubs = k;
}

void events_fdset(fd_set *rd, int *maxfd)
{
	if (rfd >= 0 && (nsubs == 0 || link_room() > 0))
		FD_ADD(rfd, rd, maxfd);
}

static void flush_line(void)
{
	if (nsubs)
		for (int i = 0; i < nsubs; i++)
			send_event(subs[i], "marker", line, linelen);
	linelen = 0;
}

void events_ready(fd_set *rd)
{
	if (rfd < 0 || !FD_ISSET(rfd, rd))
		return;
	char buf[1024];
	ssize_t n = read(rfd, buf, sizeof buf);
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			flush_line();
		} else {
			line[linelen++] = buf[i];
			if (linelen == sizeof line)
				flush_line();
		}
	}
}
