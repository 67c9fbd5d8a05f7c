/*
 * benchtop-agent main: options, opening the link (UART, unix socket or stdio), and the one
 * select() loop.
 *
 *   benchtop-agent [-v…] [--baud N] [--events FIFO] [--gdbserver PATH] [--input-dir DIR] [--data-listen ADDR:PORT|off] DEVICE|SOCKET|--stdio
 *
 * Idle cost: with nothing unacknowledged and no child starting, select() has no timeout at
 * all; the only timers are the retransmit timer (while frames are unacked), the 20 ms
 * delayed ACK, gdbserver's start-up timeout, and the resource monitor's sample ticks while a
 * monitor stream runs.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int verbose;
static uint64_t start_ms;
extern const char *gdbserver_path;

uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t uptime_ms(void)
{
	return now_ms() - start_ms;
}

int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

void logmsg(int level, const char *fmt, ...)
{
	if (level > verbose)
		return;
	char buf[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fprintf(stderr, "benchtop-agent: %s\n", buf);
}

static speed_t baud_const(long baud)
{
	switch (baud) {
	case 9600: return B9600;
	case 19200: return B19200;
	case 38400: return B38400;
	case 57600: return B57600;
	case 115200: return B115200;
	case 230400: return B230400;
	case 460800: return B460800;
	case 921600: return B921600;
	}
	return 0;
}

/* Raw: no echo, no line editing, no CR/LF translation, no XON/XOFF eating our bytes. */
static int make_raw(int fd, long baud)
{
	struct termios t;
	if (tcgetattr(fd, &t) < 0)
		return -1;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(tcflag_t)CRTSCTS;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	speed_t s = baud_const(baud);
	if (s) {
		cfsetispeed(&t, s);
		cfsetospeed(&t, s);
	}
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return -1;
	tcflush(fd, TCIOFLUSH); /* bytes from before we started belong to nobody */
	return 0;
}

static int open_link(const char *path, long baud)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
		struct sockaddr_un a;
		memset(&a, 0, sizeof a);
		a.sun_family = AF_UNIX;
		snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
			logmsg(0, "%s: %s", path, strerror(errno));
			return -1;
		}
		set_nonblock(fd);
		return fd;
	}
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		logmsg(0, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (isatty(fd) && make_raw(fd, baud) < 0)
		logmsg(0, "%s: cannot make raw: %s", path, strerror(errno));
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: benchtop-agent [-v…] [--baud N] [--events FIFO] [--gdbserver PATH] [--input-dir DIR] [--data-listen ADDR:PORT|off] DEVICE|SOCKET|--stdio\n"
			"  DEVICE  serial line, e.g. /dev/ttyS1 (made raw, default 921600 baud)\n"
			"  SOCKET  unix stream socket to connect to\n"
			"  --stdio the link is stdin/stdout (tests)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *path = NULL, *events = "/run/benchtop/events";
	const char *data_listen = NULL;
	bool use_stdio = false;
	long baud = 921600;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--stdio"))
			use_stdio = true;
		else if (!strncmp(a, "-v", 2) && strspn(a + 1, "v") == strlen(a + 1))
			verbose += (int)strlen(a + 1);
		else if (!strcmp(a, "--baud") && i + 1 < argc)
			baud = strtol(argv[++i], NULL, 10);
		else if (!strcmp(a, "--events") && i + 1 < argc)
			events = argv[++i];
		else if (!strcmp(a, "--data-listen") && i + 1 < argc)
			data_listen = argv[++i];
		else if (!strcmp(a, "--input-dir") && i + 1 < argc)
			input_dir = argv[++i];
		else if (!strcmp(a, "--gdbserver") && i + 1 < argc)
			gdbserver_path = argv[++i];
		else if (a[0] != '-' && !path)
			path = a;
		else
			usage();
	}
	if (use_stdio == (path != NULL))
		usage();
	if (!baud_const(baud)) {
		fprintf(stderr, "benchtop-agent: unsupported baud rate %ld\n", baud);
		return 2;
	}
	/* fds 0–2 must exist, or a pipe could land there and be clobbered by a child's dup2. */
	int nullfd;
	while ((nullfd = open("/dev/null", O_RDWR)) >= 0 && nullfd <= 2)
		;
	if (nullfd > 2)
		close(nullfd);

	start_ms = now_ms();
	int rfd, wfd;
	if (use_stdio) {
		rfd = 0;
		wfd = 1;
		if (isatty(0))
			make_raw(0, baud);
		set_nonblock(0);
		set_nonblock(1);
	} else {
		rfd = wfd = open_link(path, baud);
		if (rfd < 0)
			return 1;
	}
	proc_init();
	events_init(events);
	/* In the guest, 0.0.0.0: only QEMU's slirp reaches it (forwarded from the host's
	 * 127.0.0.1). Under --stdio (tests on the host) nothing listens unless asked. */
	if (!data_listen)
		data_listen = use_stdio ? "off" : "0.0.0.0:7777";
	datachan_init(data_listen); /* failure is logged; transfers then use the link only */
	link_init(rfd, wfd);
	link_start(now_ms());
	logmsg(1, "%s on %s", AGENT_NAME, use_stdio ? "stdio" : path);

	/* One clock read per turn of the loop: in the emulated ARMv5 guest clock_gettime is a
	 * real syscall (no vDSO) of ~50 µs, and a monitor stream turns this loop ten times a
	 * second. `now` may lag by the turn's own work (about a millisecond), which only makes
	 * select() wake that much later; no deadline is ever taken early. */
	uint64_t now = now_ms();
	for (;;) {
		link_tick(now);
		proc_work(now);
		monitor_work(now);
		bool busy = fs_work(); /* file reads are never "ready" in select: poll them here */
		link_flush(now);

		fd_set rd, wr;
		FD_ZERO(&rd);
		FD_ZERO(&wr);
		int maxfd = -1;
		FD_ADD(rfd, &rd, &maxfd);
		if (link_blocked())
			FD_ADD(wfd, &wr, &maxfd);
		proc_fdset(&rd, &wr, &maxfd);
		events_fdset(&rd, &maxfd);
		input_fdset(&rd, &maxfd);
		datachan_fdset(&rd, &maxfd);
		fs_dc_fdset(&rd, &wr, &maxfd);

		int64_t deadline = link_deadline();
		int64_t pd = proc_deadline();
		if (pd >= 0 && (deadline < 0 || pd < deadline))
			deadline = pd;
		int64_t md = monitor_deadline();
		if (md >= 0 && (deadline < 0 || md < deadline))
			deadline = md;
		int64_t dd = datachan_deadline();
		if (dd >= 0 && (deadline < 0 || dd < deadline))
			deadline = dd;
		struct timeval tv, *tvp = NULL;
		if (busy) {
			tv.tv_sec = tv.tv_usec = 0;
			tvp = &tv;
		} else if (deadline >= 0) {
			int64_t ms = deadline - (int64_t)now;
			if (ms < 0)
				ms = 0;
			tv.tv_sec = (time_t)(ms / 1000);
			tv.tv_usec = (suseconds_t)(ms % 1000 * 1000) + 999; /* never wake just early */
			tvp = &tv;
		}
		int n = select(maxfd + 1, &rd, &wr, NULL, tvp);
		now = now_ms();
		if (n < 0) {
			if (errno == EINTR)
				continue; /* SIGCHLD: the self-pipe is readable now */
			logmsg(0, "select: %s", strerror(errno));
			return 1;
		}
		if (FD_ISSET(rfd, &rd) && link_on_readable(now) < 0) {
			logmsg(0, "link closed");
			return 0;
		}
		if (FD_ISSET(wfd, &wr))
			link_flush(now);
		proc_ready(&rd, &wr, now);
		events_ready(&rd);
		input_ready(&rd);
		fs_dc_ready(&rd, &wr);
		datachan_ready(&rd, now);
	}
}
