/*
 * Input watch (protocol section 4, op 0x41 INPUT_WATCH): the guest kernel's key events, with
 * the kernel's own timestamps, as EVENT frames of kind `input` to every channel that watches.
 *
 *   input  `dev=event0 name=pxa27x-keypad code=30 value=1 t=123456789`
 *
 * t is the evdev timestamp in µs of CLOCK_MONOTONIC (EVIOCSCLOCKID): the clock of the
 * monitor's `mono_us`, so the host maps it to its own time the same way. The host replays keys
 * through QMP and wants to know when the guest kernel saw each one, not when we got round to
 * reading it: the timestamp is taken in the driver's interrupt path.
 *
 * Zero cost when nobody watches: the devices (and the inotify watch on the input folder, which
 * picks up devices that appear later, e.g. a USB keyboard) are opened by the first watcher and
 * closed with the last (INPUT_WATCH off, DISCONNECT, link reset).
 * Flow control: a device is read only while the send window has room; meanwhile the kernel
 * keeps its events (evdev's buffer). If that buffer overflows the kernel says SYN_DROPPED, and
 * we send an `input-dropped` EVENT (`dev=… name=… t=…`), so a gap is never silent.
 */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define MAX_WATCHERS 32
#define MAX_DEVS 16

struct dev {
	int fd;
	char node[32]; /* eventN */
	char name[80];
};

const char *input_dir = "/dev/input";
static uint16_t watchers[MAX_WATCHERS];
static int nwatchers;
static struct dev devs[MAX_DEVS];
static int ndevs;
static int ino_fd = -1;

static bool is_event_node(const char *n)
{
	if (strncmp(n, "event", 5) || !n[5])
		return false;
	return strspn(n + 5, "0123456789") == strlen(n + 5);
}

/* A name goes into `name=<…> code=`: keep it to one line of printable bytes. */
static void clean_name(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static struct dev *open_dev(const char *node)
{
	for (int i = 0; i < ndevs; i++)
		if (!strcmp(devs[i].node, node))
			return NULL; /* already open */
	if (ndevs == MAX_DEVS) {
		logmsg(0, "input: more than %d devices, %s ignored", MAX_DEVS, node);
		return NULL;
	}
	char path[512];
	snprintf(path, sizeof path, "%s/%s", input_dir, node);
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		logmsg(0, "input: %s: %s", path, strerror(errno));
		return NULL;
	}
	struct dev *d = &devs[ndevs++];
	d->fd = fd;
	snprintf(d->node, sizeof d->node, "%s", node);
	int clk = CLOCK_MONOTONIC;
	/* Without it evdev stamps CLOCK_REALTIME, which the host cannot line up with the
	 * monitor's samples (and which jumps when the guest's date is set). */
	if (ioctl(fd, EVIOCSCLOCKID, &clk) < 0)
		logmsg(0, "input: %s: EVIOCSCLOCKID: %s (timestamps are not monotonic)", path, strerror(errno));
	if (ioctl(fd, EVIOCGNAME(sizeof d->name - 1), d->name) < 0)
		snprintf(d->name, sizeof d->name, "?");
	d->name[sizeof d->name - 1] = 0;
	clean_name(d->name);
	logmsg(1, "input: watching %s (%s)", d->node, d->name);
	return d;
}

static void close_dev(int i)
{
	logmsg(1, "input: closing %s", devs[i].node);
	close(devs[i].fd);
	devs[i] = devs[--ndevs];
}

static void scan(void)
{
	DIR *dir = opendir(input_dir);
	if (!dir) {
		logmsg(1, "input: %s: %s", input_dir, strerror(errno));
		return;
	}
	struct dirent *e;
	while ((e = readdir(dir)))
		if (is_event_node(e->d_name))
			open_dev(e->d_name);
	closedir(dir);
}

static void start(void)
{
	ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ino_fd >= 0 && inotify_add_watch(ino_fd, input_dir, IN_CREATE | IN_MOVED_TO) < 0) {
		logmsg(1, "input: inotify on %s: %s (no new devices while watching)", input_dir, strerror(errno));
		close(ino_fd);
		ino_fd = -1;
	}
	scan(); /* after the inotify watch: a device created in between is seen by one or both */
}

static void stop(void)
{
	while (ndevs)
		close_dev(ndevs - 1);
	if (ino_fd >= 0)
		close(ino_fd);
	ino_fd = -1;
}

static void send_all(const char *kind, const char *text, size_t n)
{
	for (int i = 0; i < nwatchers; i++) {
		struct out o;
		out_init(&o);
		out_str(&o, kind);
		out_field(&o, text, n);
		link_send(T_EVENT, watchers[i], 0, o.buf, o.len);
	}
}

void input_request(struct req r, uint8_t op, struct in *in)
{
	(void)op;
	char arg[8];
	if (!in_str(in, arg, sizeof arg) || (strcmp(arg, "on") && strcmp(arg, "off"))) {
		reply_err(r, EINVAL, "INPUT_WATCH wants [on] or [off]");
		return;
	}
	int at = -1;
	for (int i = 0; i < nwatchers; i++)
		if (watchers[i] == r.chan)
			at = i;
	if (!strcmp(arg, "off")) {
		if (at >= 0) {
			watchers[at] = watchers[--nwatchers];
			if (!nwatchers)
				stop();
		}
		reply_empty(r);
		return;
	}
	if (at < 0) {
		if (nwatchers == MAX_WATCHERS) {
			reply_err(r, EMFILE, "too many input watchers");
			return;
		}
		watchers[nwatchers++] = r.chan;
		if (nwatchers == 1)
			start();
	}
	/* RESP: the devices watched, one field each, `eventN\tname`. */
	struct out o;
	out_init(&o);
	for (int i = 0; i < ndevs; i++) {
		char f[128];
		int n = snprintf(f, sizeof f, "%s\t%s", devs[i].node, devs[i].name);
		if (n > 0 && out_fits(&o, (size_t)n))
			out_field(&o, f, (size_t)n < sizeof f ? (size_t)n : sizeof f - 1);
	}
	reply(r, T_RESP, &o);
}

void input_cleanup(int chan)
{
	int k = 0;
	for (int i = 0; i < nwatchers; i++)
		if (chan != ALL_CHANNELS && watchers[i] != chan)
			watchers[k++] = watchers[i];
	nwatchers = k;
	if (!nwatchers)
		stop();
}

void input_fdset(fd_set *rd, int *maxfd)
{
	if (!nwatchers)
		return;
	if (ino_fd >= 0)
		FD_ADD(ino_fd, rd, maxfd);
	if (link_room() <= 0)
		return; /* the kernel holds the events until the host acks */
	for (int i = 0; i < ndevs; i++)
		FD_ADD(devs[i].fd, rd, maxfd);
}

static void on_inotify(void)
{
	/* inotify's buffer must hold at least one event with its name. */
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(ino_fd, buf, sizeof buf);
		if (n <= 0)
			return;
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)(void *)p;
			if (e->len && is_event_node(e->name))
				open_dev(e->name);
			p += sizeof *e + e->len;
		}
	}
}

/* One read per device per loop turn, as much as fits the window: evdev reads are whole events. */
static bool read_dev(struct dev *d)
{
	struct input_event ev[8];
	int room = link_room() / nwatchers;
	size_t want = (size_t)(room < 1 ? 1 : room < 8 ? room : 8);
	ssize_t n = read(d->fd, ev, want * sizeof ev[0]);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR; /* ENODEV: unplugged */
	if (n == 0)
		return false; /* not an evdev node after all (tests use FIFOs): EOF */
	for (size_t i = 0; i < (size_t)n / sizeof ev[0]; i++) {
		unsigned long long t = (unsigned long long)ev[i].input_event_sec * 1000000ull + (unsigned long long)ev[i].input_event_usec;
		char text[200];
		int len;
		if (ev[i].type == EV_KEY) {
			len = snprintf(text, sizeof text, "dev=%s name=%s code=%u value=%d t=%llu", d->node, d->name,
				       (unsigned)ev[i].code, (int)ev[i].value, t);
			send_all("input", text, len > 0 && (size_t)len < sizeof text ? (size_t)len : sizeof text - 1);
		} else if (ev[i].type == EV_SYN && ev[i].code == SYN_DROPPED) {
			len = snprintf(text, sizeof text, "dev=%s name=%s t=%llu", d->node, d->name, t);
			send_all("input-dropped", text, len > 0 && (size_t)len < sizeof text ? (size_t)len : sizeof text - 1);
		}
	}
	return true;
}

void input_ready(fd_set *rd)
{
	if (!nwatchers)
		return;
	if (ino_fd >= 0 && FD_ISSET(ino_fd, rd))
		on_inotify();
	for (int i = ndevs - 1; i >= 0; i--)
		if (FD_ISSET(devs[i].fd, rd) && !read_dev(&devs[i]))
			close_dev(i);
}
