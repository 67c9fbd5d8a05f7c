/*
 * File service (protocol section 4, ops 0x10–0x17): LIST, STAT, GET, PUT_*, REMOVE.
 *
 * PUT writes `<path>.btpart.<handle>` and renames it over `<path>` only after the size and
 * CRC-32 match and the data is fsynced: a transfer cut by a reset or a DISCONNECT removes
 * its temp file, so the target name only ever holds a complete old or complete new file.
 * GET is a producer: one chunk per loop turn while the send window has room.
 *
 * Data channel (spec section 4d): a PUT_BEGIN or GET that asks for it gets a handle and a
 * random token; the host then connects to datachan.c's TCP port, names the transfer, and the
 * bytes go over TCP instead of the link. Same temp file, same size + CRC check at PUT_END,
 * same STREAM_END [size, crc] for GET. The socket is one non-blocking fd in the loop: at
 * most DC_IO bytes per loop turn, so PINGs and everything else keep their turns.
 */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_PUTS 16
#define MAX_GETS 16
/* Bytes per data-channel read or write per loop turn: large enough that syscalls (~50 µs each
 * in the emulated guest) are few, small enough that a turn stays around a millisecond. */
#define DC_IO 65536

struct put {
	bool used;
	uint16_t chan;
	uint32_t handle;
	int fd;
	char *path, *tmp;
	mode_t mode;
	unsigned long long size, done;
	uint32_t crc;
	/* data channel */
	bool dc, attached;        /* attached: a connection was accepted (only one ever is) */
	int dfd;                  /* that connection while bytes are due; -1 otherwise */
	uint8_t token[DC_TOKEN_LEN];
	bool end_pending;         /* PUT_END came before the last bytes: answer when they are in */
	struct req end_req;
	unsigned long long end_crc;
	int err;                  /* failed on the data channel: temp removed; PUT_END gets ERR */
	char errmsg[200];
	uint8_t ack[8];           /* the u64 count being sent back on the connection, */
	size_t ackoff;            /* ack[ackoff..8) still to go (8: nothing pending) */
};

struct get {
	bool used;
	struct req r;
	int fd;
	unsigned long long sent;
	uint32_t crc;
	/* data channel */
	bool dc, attached;
	uint32_t handle;
	int dfd;
	uint8_t token[DC_TOKEN_LEN];
	uint8_t *buf; /* DC_IO bytes read from the file, buf[boff, blen) not yet sent */
	size_t blen, boff;
	bool eof;
};

static struct put puts_[MAX_PUTS];
static struct get gets_[MAX_GETS];
static uint32_t next_handle = 1;
static unsigned get_rr; /* round-robin start, so one big GET does not starve another */
static uint8_t iobuf[DC_IO];

/* The token only has to be unguessable for whoever else can reach the port in the next few
 * seconds. GRND_INSECURE never blocks (the guest's CRNG may take seconds to initialise after
 * boot, spec section 4d); the clock and a counter are mixed in if even that is missing. */
static void make_token(uint8_t *t)
{
	static uint32_t counter;
	ssize_t n = -1;
#ifdef GRND_INSECURE
	n = getrandom(t, DC_TOKEN_LEN, GRND_INSECURE);
#endif
	if (n != DC_TOKEN_LEN)
		n = getrandom(t, DC_TOKEN_LEN, GRND_NONBLOCK);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint32_t mix[4] = {(uint32_t)ts.tv_nsec, (uint32_t)ts.tv_sec, (uint32_t)getpid(), ++counter};
	if (n != DC_TOKEN_LEN)
		memset(t, 0, DC_TOKEN_LEN);
	for (int i = 0; i < DC_TOKEN_LEN; i++)
		t[i] ^= (uint8_t)(crc32_update(mix[i % 4] + (uint32_t)i, mix, sizeof mix) >> (8 * (i % 4)));
}

static void token_hex(const uint8_t *t, char *out)
{
	for (int i = 0; i < DC_TOKEN_LEN; i++)
		sprintf(out + 2 * i, "%02x", t[i]);
}

static bool token_eq(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0; /* constant time: how many bytes matched is not told by the timing */
	for (int i = 0; i < DC_TOKEN_LEN; i++)
		d |= (uint8_t)(a[i] ^ b[i]);
	return d == 0;
}

static bool want_data(struct in *in)
{
	char how[8];
	return in->off < in->len && in_str(in, how, sizeof how) && !strcmp(how, "data");
}

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

static void do_get(struct req r, const char *path, bool dc)
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
	*g = (struct get){.used = true, .r = r, .fd = fd, .sent = 0, .crc = 0, .dfd = -1};
	struct out o;
	out_init(&o);
	out_num(&o, (unsigned long long)st.st_size);
	if (dc) {
		g->buf = malloc(DC_IO);
		if (!g->buf) {
			close(fd);
			g->used = false;
			reply_err(r, ENOMEM, "out of memory");
			return;
		}
		g->dc = true;
		g->handle = next_handle++;
		make_token(g->token);
		char hex[2 * DC_TOKEN_LEN + 1];
		token_hex(g->token, hex);
		out_num(&o, g->handle);
		out_str(&o, hex);
	}
	reply(r, T_RESP, &o);
}

static void end_get(struct get *g)
{
	close(g->fd);
	if (g->dfd >= 0)
		close(g->dfd);
	free(g->buf);
	*g = (struct get){.used = false, .dfd = -1};
}

bool fs_work(void)
{
	bool active = false;
	for (unsigned k = 0; k < MAX_GETS; k++) {
		struct get *g = &gets_[(get_rr + k) % MAX_GETS];
		if (!g->used || g->dc)
			continue; /* data-channel GETs move when their socket is writable */
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
	if (p->dfd >= 0)
		close(p->dfd);
	if (p->tmp)
		unlink(p->tmp);
	free(p->path);
	free(p->tmp);
	*p = (struct put){.used = false, .fd = -1, .dfd = -1};
}

/* A data-channel PUT went wrong: remove the temp file now (never a half file anywhere); the
 * next PUT_END (or the one waiting) gets the error, PUT_ABORT and cleanup just free the slot. */
static void fail_put(struct put *p, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail_put(struct put *p, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->errmsg, sizeof p->errmsg, fmt, ap);
	va_end(ap);
	p->err = err;
	logmsg(1, "PUT %s: %s", p->path, p->errmsg);
	if (p->fd >= 0)
		close(p->fd);
	if (p->dfd >= 0)
		close(p->dfd);
	p->fd = p->dfd = -1;
	unlink(p->tmp);
	if (p->end_pending) {
		reply_err(p->end_req, p->err, "%s; transfer aborted", p->errmsg);
		drop_put(p);
	}
}

static void do_put_begin(struct req r, struct in *in)
{
	unsigned long mode;
	unsigned long long size;
	char *path = in_strdup(in);
	if (!path || !*path || !in_oct(in, &mode) || !in_num(in, &size)) {
		free(path);
		reply_err(r, EINVAL, "PUT_BEGIN wants [path, mode (octal), size] or [path, mode, size, data]");
		return;
	}
	bool dc = want_data(in);
	if (dc && !datachan_port()) {
		free(path);
		reply_err(r, EOPNOTSUPP, "no data channel (the agent could not listen)");
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
			  .tmp = tmp, .mode = (mode_t)mode, .size = size, .done = 0, .crc = 0, .dc = dc, .dfd = -1,
			  .ackoff = 8};
	struct out o;
	out_init(&o);
	out_num(&o, handle);
	if (dc) {
		char hex[2 * DC_TOKEN_LEN + 1];
		make_token(p->token);
		token_hex(p->token, hex);
		out_str(&o, hex);
	}
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
	if (p->dc) {
		reply_err(r, EINVAL, "transfer %llu takes its bytes from the data channel", handle);
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

/* Size and CRC match: fsync, rename over the target, fsync the directory; answer r. */
static void finish_put(struct put *p, struct req r, unsigned long long crc)
{
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
	free(p->tmp);
	p->tmp = NULL;
	drop_put(p); /* tmp is NULL: the file has its name now, nothing to remove */
	reply_empty(r);
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
	if (p->err) {
		reply_err(r, p->err, "%s; transfer aborted", p->errmsg);
		drop_put(p);
		return;
	}
	if (p->dc && p->dfd >= 0 && p->done < p->size && !p->end_pending) {
		/* The link can overtake the TCP bytes: answer once they are in (or the connection
		 * fails). */
		p->end_pending = true;
		p->end_req = r;
		p->end_crc = crc;
		return;
	}
	finish_put(p, r, crc);
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
		/* A data-channel GET ends the same way (its stream ends with ERR). */
		for (int i = 0; i < MAX_GETS; i++) {
			struct get *g = &gets_[i];
			if (g->used && g->dc && g->handle == handle && g->r.chan == r.chan) {
				reply_err(g->r, ECANCELED, "GET aborted by the host");
				end_get(g);
				reply_empty(r);
				return;
			}
		}
		reply_err(r, EBADF, "no transfer %llu on this channel", handle);
		return;
	}
	if (p->end_pending)
		reply_err(p->end_req, ECANCELED, "PUT aborted by the host");
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
	bool dc = op == OP_GET && path && want_data(in);
	if (dc && !datachan_port()) {
		reply_err(r, EOPNOTSUPP, "no data channel (the agent could not listen)");
	} else if (!path || !*path) {
		reply_err(r, EINVAL, "a path is needed");
	} else if (op == OP_LIST) {
		do_list(r, path);
	} else if (op == OP_STAT) {
		do_stat(r, path);
	} else if (op == OP_GET) {
		do_get(r, path, dc);
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

int fs_dc_attach(uint8_t direction, uint32_t handle, const uint8_t token[DC_TOKEN_LEN], int fd)
{
	if (direction == DC_PUT) {
		for (int i = 0; i < MAX_PUTS; i++) {
			struct put *p = &puts_[i];
			if (p->used && p->dc && p->handle == handle && !p->attached && !p->err && token_eq(p->token, token)) {
				p->attached = true;
				p->dfd = fd;
				return 0;
			}
		}
	} else {
		for (int i = 0; i < MAX_GETS; i++) {
			struct get *g = &gets_[i];
			if (g->used && g->dc && g->handle == handle && !g->attached && token_eq(g->token, token)) {
				g->attached = true;
				g->dfd = fd;
				return 0;
			}
		}
	}
	return -1;
}

void fs_dc_fdset(fd_set *rd, fd_set *wr, int *maxfd)
{
	for (int i = 0; i < MAX_PUTS; i++)
		if (puts_[i].used && puts_[i].dfd >= 0)
			FD_ADD(puts_[i].dfd, rd, maxfd);
	for (int i = 0; i < MAX_GETS; i++)
		if (gets_[i].used && gets_[i].dfd >= 0)
			FD_ADD(gets_[i].dfd, wr, maxfd);
}

/* Tell the host how many bytes are in the temp file (u64 LE, spec section 4d): its progress and
 * its idle timeout go by these, not by what its kernel took. A count not fully sent yet is
 * finished first; a newer one replaces a count not started. Never blocks: the socket's send
 * buffer always has room for 8 bytes unless the host stopped reading, and then it may miss
 * counts but still gets the last one before the close (or the close itself says enough). */
static void send_count(struct put *p)
{
	if (p->ackoff == 8 || p->ackoff == 0) {
		for (int i = 0; i < 8; i++)
			p->ack[i] = (uint8_t)(p->done >> (8 * i));
		p->ackoff = 0;
	}
	ssize_t w = send(p->dfd, p->ack + p->ackoff, 8 - p->ackoff, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w > 0)
		p->ackoff += (size_t)w;
}

static void put_bytes(struct put *p)
{
	ssize_t n = recv(p->dfd, iobuf, sizeof iobuf, MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			fail_put(p, EIO, "data connection: %s after %llu of %llu bytes", strerror(errno), p->done, p->size);
		return;
	}
	if (n == 0 && p->done == p->size) { /* a 0-byte file: the host just closes */
		close(p->dfd);
		p->dfd = -1;
		if (p->end_pending)
			finish_put(p, p->end_req, p->end_crc);
		return;
	}
	if (n == 0) {
		fail_put(p, EIO, "data connection closed after %llu of %llu bytes", p->done, p->size);
		return;
	}
	if ((unsigned long long)n > p->size - p->done) {
		fail_put(p, EFBIG, "more than the announced %llu bytes on the data connection", p->size);
		return;
	}
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(p->fd, iobuf + off, (size_t)(n - off));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			fail_put(p, errno, "%s: %s", p->tmp, strerror(errno));
			return;
		}
		off += w;
	}
	p->crc = crc32_update(p->crc, iobuf, (size_t)n);
	p->done += (unsigned long long)n;
	send_count(p);
	if (p->done == p->size) {
		/* everything is in: the connection has done its job (close() still sends the last
		 * count queued in the socket, then FIN) */
		close(p->dfd);
		p->dfd = -1;
		if (p->end_pending)
			finish_put(p, p->end_req, p->end_crc);
	}
}

static void get_bytes(struct get *g)
{
	if (g->boff == g->blen && !g->eof) {
		ssize_t n = read(g->fd, g->buf, DC_IO);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				return;
			reply_err(g->r, errno, "read: %s", strerror(errno));
			end_get(g);
			return;
		}
		if (n == 0) {
			g->eof = true;
		} else {
			g->crc = crc32_update(g->crc, g->buf, (size_t)n);
			g->sent += (unsigned long long)n;
			g->blen = (size_t)n;
			g->boff = 0;
		}
	}
	if (g->boff < g->blen) {
		ssize_t w = send(g->dfd, g->buf + g->boff, g->blen - g->boff, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			reply_err(g->r, EIO, "data connection: %s after %llu bytes", strerror(errno), g->sent - (g->blen - g->boff));
			end_get(g);
			return;
		}
		g->boff += (size_t)w;
	}
	if (g->eof && g->boff == g->blen) {
		/* close() sends what is still queued, then FIN: the host's end of stream. */
		close(g->dfd);
		g->dfd = -1;
		struct out o;
		out_init(&o);
		out_num(&o, g->sent);
		out_num(&o, g->crc);
		reply(g->r, T_STREAM_END, &o);
		end_get(g);
	}
}

void fs_dc_ready(fd_set *rd, fd_set *wr)
{
	for (int i = 0; i < MAX_PUTS; i++)
		if (puts_[i].used && puts_[i].dfd >= 0 && FD_ISSET(puts_[i].dfd, rd))
			put_bytes(&puts_[i]);
	for (int i = 0; i < MAX_GETS; i++)
		if (gets_[i].used && gets_[i].dfd >= 0 && FD_ISSET(gets_[i].dfd, wr))
			get_bytes(&gets_[i]);
}
