/*
 * File service (protocol section 4, ops 0x10–0x17): LIST, STAT, GET, PUT_*, REMOVE.
 *
 * PUT writes `<path>.btpart.<handle>` and renames it over `<path>` only after the size and
 * CRC-32 match and the data is fsynced: a transfer cut by a reset or a DISCONNECT removes
 * its temp file, so the target name only ever holds a complete old or complete new file.
 * GET is a producer: one chunk per loop turn while the send window has room.
 */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_PUTS 16
#define MAX_GETS 16

struct put {
	bool used;
	uint16_t chan;
	uint32_t handle;
	int fd;
	char *path, *tmp;
	mode_t mode;
	unsigned long long size, done;
	uint32_t crc;
};

struct get {
	bool used;
	struct req r;
	int fd;
	unsigned long long sent;
	uint32_t crc;
};

static struct put puts_[MAX_PUTS];
static struct get gets_[MAX_GETS];
static uint32_t next_handle = 1;
static unsigned get_rr; /* round-robin start, so one big GET does not starve another */

static char type_char(mode_t m)
{
	if (S_ISREG(m)) return 'f';
	if (S_ISDIR(m)) return 'd';
	if (S_ISLNK(m)) return 'l';
	if (S_ISCHR(m)) return 'c';
	if (S_ISBLK(m)) return 'b';
	if (S_ISFIFO(m)) return 'p';
	if (S_ISSOCK(m)) return 's';
	return '?';
}

/* `type\tmode\tsize\tmtime\tname` (LIST and STAT entries). */
static size_t format_entry(char *buf, size_t cap, const struct stat *st, const char *name)
{
	int n = snprintf(buf, cap, "%c\t%04o\t%llu\t%lld\t%s", type_char(st->st_mode),
			 (unsigned)(st->st_mode & 07777), (unsigned long long)st->st_size,
			 (long long)st->st_mtime, name);
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

static void do_list(struct req r, const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		reply_err(r, errno, "%s: %s", path, strerror(errno));
		return;
	}
	struct out o;
	out_init(&o);
	struct dirent *e;
	char entry[512];
	/* Entries fill RESP_PART frames; the last batch goes in the final RESP. The whole
	 * directory is read at once: even /usr/bin is a few frames. */
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			memset(&st, 0, sizeof st); /* vanished meanwhile: type '?' */
		size_t n = format_entry(entry, sizeof entry, &st, e->d_name);
		if (!out_fits(&o, n)) {
			reply(r, T_RESP_PART, &o);
			out_init(&o);
		}
		out_field(&o, entry, n);
	}
	closedir(d);
	reply(r, T_RESP, &o);
}

static void do_stat(struct req r, const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		reply_err(r, errno, "%s: %s", path, strerror(errno));
		return;
	}
	char entry[FRAME_MAX_PAYLOAD];
	struct out o;
	out_init(&o);
	out_field(&o, entry, format_entry(entry, sizeof entry - 8, &st, path));
	reply(r, T_RESP, &o);
}

static void do_get(struct req r, const char *path)
{
	struct get *g = NULL;
	for (int i = 0; i < MAX_GETS && !g; i++)
		if (!gets_[i].used)
			g = &gets_[i];
	if (!g) {
		reply_err(r, EMFILE, "too many transfers");
		return;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		reply_err(r, errno, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		/* Devices and FIFOs could block the loop or never end. /proc and /sys files are
		 * regular (size 0): the STREAM_END carries the real size. */
		reply_err(r, S_ISDIR(st.st_mode) ? EISDIR : EINVAL, "%s: not a regular file", path);
		close(fd);
		return;
	}
	*g = (struct get){.used = true, .r = r, .fd = fd, .sent = 0, .crc = 0};
	struct out o;
	out_init(&o);
	out_num(&o, (unsigned long long)st.st_size);
	reply(r, T_RESP, &o);
}

static void end_get(struct get *g)
{
	close(g->fd);
	g->used = false;
}

bool fs_work(void)
{
	bool active = false;
	for (unsigned k = 0; k < MAX_GETS; k++) {
		struct get *g = &gets_[(get_rr + k) % MAX_GETS];
		if (!g->used)
			continue;
		if (link_room() <= 0)
			return false; /* window full: wait for acks (the UART fd wakes us) */
		uint8_t buf[STREAM_CHUNK];
		ssize_t n = read(g->fd, buf, sizeof buf);
		if (n > 0) {
			g->crc = crc32_update(g->crc, buf, (size_t)n);
			g->sent += (unsigned long long)n;
			send_stream(g->r, SK_FILE, buf, (size_t)n);
			active = true;
		} else if (n == 0) {
			struct out o;
			out_init(&o);
			out_num(&o, g->sent);
			out_num(&o, g->crc);
			reply(g->r, T_STREAM_END, &o);
			end_get(g);
		} else if (errno != EINTR && errno != EAGAIN) {
			/* After the RESP, a failed stream ends with ERR instead of STREAM_END. */
			reply_err(g->r, errno, "read: %s", strerror(errno));
			end_get(g);
		}
	}
	get_rr++;
	return active;
}

static struct put *find_put(struct req r, unsigned long long handle)
{
	for (int i = 0; i < MAX_PUTS; i++)
		if (puts_[i].used && puts_[i].handle == handle && puts_[i].chan == r.chan)
			return &puts_[i];
	return NULL;
}

static void drop_put(struct put *p)
{
	if (p->fd >= 0)
		close(p->fd);
	unlink(p->tmp);
	free(p->path);
	free(p->tmp);
	p->used = false;
}

static void do_put_begin(struct req r, struct in *in)
{
	unsigned long mode;
	unsigned long long size;
	char *path = in_strdup(in);
	if (!path || !*path || !in_oct(in, &mode) || !in_num(in, &size)) {
		free(path);
		reply_err(r, EINVAL, "PUT_BEGIN wants [path, mode (octal), size]");
		return;
	}
	struct put *p = NULL;
	for (int i = 0; i < MAX_PUTS && !p; i++)
		if (!puts_[i].used)
			p = &puts_[i];
	if (!p) {
		free(path);
		reply_err(r, EMFILE, "too many transfers");
		return;
	}
	uint32_t handle = next_handle++;
	char *tmp = malloc(strlen(path) + 32);
	if (!tmp) {
		free(path);
		reply_err(r, ENOMEM, "out of memory");
		return;
	}
	sprintf(tmp, "%s.btpart.%u", path, handle);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;
		reply_err(r, e, "%s: %s", tmp, strerror(e));
		free(path);
		free(tmp);
		return;
	}
	*p = (struct put){.used = true, .chan = r.chan, .handle = handle, .fd = fd, .path = path,
			  .tmp = tmp, .mode = (mode_t)mode, .size = size, .done = 0, .crc = 0};
	struct out o;
	out_init(&o);
	out_num(&o, handle);
	reply(r, T_RESP, &o);
}

static void do_put_data(struct req r, struct in *in)
{
	unsigned long long handle;
	const uint8_t *data;
	size_t n;
	if (!in_num(in, &handle) || !in_field(in, &data, &n)) {
		reply_err(r, EINVAL, "PUT_DATA wants [handle, bytes]");
		return;
	}
	struct put *p = find_put(r, handle);
	if (!p) {
		reply_err(r, EBADF, "no transfer %llu on this channel", handle);
		return;
	}
	if (p->done + n > p->size) {
		reply_err(r, EFBIG, "more than the announced %llu bytes; transfer aborted", p->size);
		drop_put(p);
		return;
	}
	for (size_t off = 0; off < n;) {
		ssize_t w = write(p->fd, data + off, n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			reply_err(r, e, "%s: %s; transfer aborted", p->tmp, strerror(e));
			drop_put(p);
			return;
		}
		off += (size_t)w;
	}
	p->crc = crc32_update(p->crc, data, n);
	p->done += n;
	struct out o;
	out_init(&o);
	out_num(&o, p->done);
	reply(r, T_RESP, &o);
}

/* fsync the directory too, so the rename itself survives a power cut of the board. */
static void sync_dir_of(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

static void do_put_end(struct req r, struct in *in)
{
	unsigned long long handle, crc;
	if (!in_num(in, &handle) || !in_num(in, &crc)) {
		reply_err(r, EINVAL, "PUT_END wants [handle, crc32]");
		return;
	}
	struct put *p = find_put(r, handle);
	if (!p) {
		reply_err(r, EBADF, "no transfer %llu on this channel", handle);
		return;
	}
	if (p->done != p->size) {
		reply_err(r, EIO, "size mismatch: got %llu of %llu bytes; transfer aborted", p->done, p->size);
		drop_put(p);
		return;
	}
	if (crc != p->crc) {
		reply_err(r, EIO, "CRC mismatch: host %llu, agent %u; transfer aborted", crc, p->crc);
		drop_put(p);
		return;
	}
	/* fchmod, not the open mode: the umask must not change what the host asked for. */
	if (fchmod(p->fd, p->mode) < 0 || fsync(p->fd) < 0 || close(p->fd) < 0) {
		p->fd = -1;
		int e = errno;
		reply_err(r, e, "%s: %s; transfer aborted", p->tmp, strerror(e));
		drop_put(p);
		return;
	}
	p->fd = -1;
	if (rename(p->tmp, p->path) < 0) {
		int e = errno;
		reply_err(r, e, "rename to %s: %s; transfer aborted", p->path, strerror(e));
		drop_put(p);
		return;
	}
	sync_dir_of(p->path);
	free(p->path);
	free(p->tmp);
	p->used = false;
	reply_empty(r);
}

static void do_put_abort(struct req r, struct in *in)
{
	unsigned long long handle;
	if (!in_num(in, &handle)) {
		reply_err(r, EINVAL, "PUT_ABORT wants [handle]");
		return;
	}
	struct put *p = find_put(r, handle);
	if (!p) {
		reply_err(r, EBADF, "no transfer %llu on this channel", handle);
		return;
	}
	drop_put(p);
	reply_empty(r);
}

static void do_remove(struct req r, const char *path)
{
	if (unlink(path) == 0 || ((errno == EISDIR || errno == EPERM) && rmdir(path) == 0)) {
		reply_empty(r);
		return;
	}
	reply_err(r, errno, "%s: %s", path, strerror(errno));
}

void fs_request(struct req r, uint8_t op, struct in *in)
{
	char *path;
	switch (op) {
	case OP_PUT_BEGIN: do_put_begin(r, in); return;
	case OP_PUT_DATA: do_put_data(r, in); return;
	case OP_PUT_END: do_put_end(r, in); return;
	case OP_PUT_ABORT: do_put_abort(r, in); return;
	}
	path = in_strdup(in);
	if (!path || !*path) {
		reply_err(r, EINVAL, "a path is needed");
	} else if (op == OP_LIST) {
		do_list(r, path);
	} else if (op == OP_STAT) {
		do_stat(r, path);
	} else if (op == OP_GET) {
		do_get(r, path);
	} else {
		do_remove(r, path);
	}
	free(path);
}

void fs_cleanup(int chan)
{
	for (int i = 0; i < MAX_PUTS; i++)
		if (puts_[i].used && (chan == ALL_CHANNELS || puts_[i].chan == chan)) {
			logmsg(1, "removing unfinished %s", puts_[i].tmp);
			drop_put(&puts_[i]);
		}
	for (int i = 0; i < MAX_GETS; i++)
		if (gets_[i].used && (chan == ALL_CHANNELS || gets_[i].r.chan == chan))
			end_get(&gets_[i]);
}
