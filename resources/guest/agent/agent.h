/*
 * benchtop-agent: the target agent in the guest. Shared declarations.
 * The protocol is docs/agent-protocol.md (version 1); section numbers below refer to it.
 *
 * One process, one select() loop, no threads: every fd is non-blocking, the UART is written
 * from a queue, and producers (child pipes, files, the event FIFO) are read only while the
 * link's send window has room, so a slow host makes producers wait and nothing is dropped.
 */
#ifndef BENCHTOP_AGENT_H
#define BENCHTOP_AGENT_H

#define _GNU_SOURCE /* pipe2, O_CLOEXEC, cfmakeraw, strsignal, mkdtemp: the language stays C99 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/select.h>
#include <sys/types.h>

#define AGENT_NAME "benchtop-agent 0.1"

/* ---- frame codec (frame.c), section 1 ---- */
#define FRAME_HDR 20
#define FRAME_MAX_PAYLOAD 4096
#define FRAME_MAX (FRAME_HDR + FRAME_MAX_PAYLOAD + 4) /* 4120 */
#define STREAM_MAX (FRAME_MAX_PAYLOAD - 1)            /* a STREAM is kind byte + data */
/* What we put in one STREAM: 1 KiB, not the 4095 allowed. QEMU loses guest → host bytes
 * whenever the host reads its socket late (spec section 4a); with go-back-N a loss costs the
 * rest of the window, and a resend round of 8 × 4 KiB rarely got through on a busy host
 * (GETs stalled for 20 s). 8 × 1 KiB still outruns the UART; the header costs 2.4 %. */
#define STREAM_CHUNK 1024

enum frame_type {
	T_HELLO = 0x01,
	T_HELLO_ACK = 0x02,
	T_ACK = 0x03,
	T_REQ = 0x10,
	T_RESP = 0x11,
	T_RESP_PART = 0x12,
	T_ERR = 0x13,
	T_STREAM = 0x20,
	T_STREAM_END = 0x21,
	T_EVENT = 0x30,
};

struct frame {
	uint8_t type;
	uint16_t chan;
	uint16_t len;
	uint32_t reqid, seq, ack;
	const uint8_t *payload; /* points into the decoder's buffer: valid until the next dec_next() */
};

uint32_t crc32_update(uint32_t crc, const void *data, size_t n); /* zlib's crc32(crc, …) */
size_t frame_encode(uint8_t *out, uint8_t type, uint16_t chan, uint32_t reqid, uint32_t seq,
		    uint32_t ack, const uint8_t *payload, uint16_t len);
bool frame_type_known(uint8_t type);

/* Two maximal frames: a frame cut short by a lost byte plus the next complete one fit. */
#define DEC_CAP (2 * FRAME_MAX)
struct decoder {
	uint8_t buf[DEC_CAP];
	size_t start, end; /* undecided bytes are buf[start, end) */
};
void dec_init(struct decoder *d);
uint8_t *dec_space(struct decoder *d, size_t *avail); /* where to read() the next bytes */
void dec_commit(struct decoder *d, size_t n);
int dec_next(struct decoder *d, struct frame *f); /* 1 = a valid frame in *f, 0 = need bytes */
bool dec_partial(const struct decoder *d); /* a candidate frame is waiting for more bytes */
void dec_abandon(struct decoder *d);       /* give up on it: skip one byte, rescan */
extern unsigned long dec_skipped;                /* bytes thrown away while resyncing */

/* ---- payload fields (fields.c), section 3: u32 length + bytes ---- */
struct out {
	uint8_t buf[FRAME_MAX_PAYLOAD];
	size_t len;
	bool overflow; /* a field did not fit: the caller answers with an error */
};
void out_init(struct out *o);
void out_u8(struct out *o, uint8_t v);
void out_raw(struct out *o, const void *p, size_t n);
void out_field(struct out *o, const void *p, size_t n);
void out_str(struct out *o, const char *s);
void out_num(struct out *o, unsigned long long v);
bool out_fits(const struct out *o, size_t field_len);

struct in {
	const uint8_t *p;
	size_t len, off;
};
bool in_field(struct in *in, const uint8_t **p, size_t *n);
bool in_str(struct in *in, char *dst, size_t cap); /* NUL-terminated; no embedded NUL */
bool in_num(struct in *in, unsigned long long *v); /* ASCII decimal */
bool in_oct(struct in *in, unsigned long *v);      /* ASCII octal (modes) */
char *in_strdup(struct in *in);                    /* malloc'd; NULL on a bad field */

/* ---- link layer (link.c), section 2 ---- */
#define LINK_WINDOW 8
#define LINK_RTO_MS 300
#define LINK_RTO_MAX_MS 5000 /* back-off cap while the host is away (idle cost) */
#define LINK_PEER_QUIET_MS 3000 /* silent this long: the host is away, back off */
#define LINK_ACK_DELAY_MS 20
#define LINK_STALL_MS 200 /* a half candidate frame with no new bytes for this long is garbage */
void link_init(int rfd, int wfd);
void link_start(uint64_t now);                 /* queue the start-up HELLO */
int link_on_readable(uint64_t now);            /* -1 on EOF / fatal read error */
void link_flush(uint64_t now);                 /* write queued frames until the fd would block */
bool link_blocked(void);                       /* a frame is half written: wait for POLLOUT */
void link_tick(uint64_t now);                  /* retransmit timer */
int64_t link_deadline(void);                   /* next timer (ms, monotonic) or -1 */
int link_room(void);                           /* frames that can still enter the window now */
void link_send(uint8_t type, uint16_t chan, uint32_t reqid, const void *payload, size_t len);
struct link_stats {
	unsigned long frames_in, frames_out, resent, dup_in, gap_in, bad_bytes;
};
extern struct link_stats link_stats;

/* ---- services (service.c + fs.c, proc.c, gdb.c, events.c), sections 3–4 ---- */
enum op {
	OP_PING = 0x01,
	OP_CONNECT = 0x02,
	OP_DISCONNECT = 0x03,
	OP_LIST = 0x10,
	OP_STAT = 0x11,
	OP_GET = 0x12,
	OP_PUT_BEGIN = 0x13,
	OP_PUT_DATA = 0x14,
	OP_PUT_END = 0x15,
	OP_PUT_ABORT = 0x16,
	OP_REMOVE = 0x17,
	OP_SPAWN = 0x20,
	OP_SIGNAL = 0x21,
	OP_STDIN = 0x22,
	OP_GDB_START = 0x30,
	OP_GDB_WRITE = 0x31,
	OP_GDB_STOP = 0x32,
	OP_EVENTS = 0x40,
	OP_INPUT_WATCH = 0x41,
	OP_MON_START = 0x50,
	OP_MON_CONFIG = 0x51,
	OP_MON_STOP = 0x52,
};

enum stream_kind { SK_FILE = 0, SK_STDOUT = 1, SK_STDERR = 2, SK_GDB = 3, SK_MONITOR = 4 };

/* Who asked: answers go to the same channel with the same request id. */
struct req {
	uint16_t chan;
	uint32_t reqid;
};

#define ALL_CHANNELS (-1)

void service_deliver(const struct frame *f, uint64_t now); /* an in-order REQ from the host */
void service_reset(void);                                 /* link reset: clean up everything */
void reply(struct req r, uint8_t type, const struct out *o);
void reply_empty(struct req r);
void reply_err(struct req r, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void send_stream(struct req r, uint8_t kind, const void *data, size_t n);

/* Each service: requests, then hooks for the main loop. `chan` ALL_CHANNELS = every channel. */
void fs_request(struct req r, uint8_t op, struct in *in);
void fs_cleanup(int chan);
bool fs_work(void); /* stream file chunks while the window has room; true = more to do now */

void proc_init(void);
void proc_request(struct req r, uint8_t op, struct in *in, uint64_t now);
void proc_cleanup(int chan);
void proc_fdset(fd_set *rd, fd_set *wr, int *maxfd);
void proc_ready(fd_set *rd, fd_set *wr, uint64_t now);
void proc_work(uint64_t now);
int64_t proc_deadline(void);
int proc_sigfd(void); /* the SIGCHLD self-pipe */

/* gdb.c sits on proc.c's child machinery: it builds the gdbserver argv, proc.c runs it. */
void gdb_request(struct req r, uint8_t op, struct in *in, uint64_t now);

void events_init(const char *fifo_path);
void events_request(struct req r, uint8_t op);
void events_cleanup(int chan);
void events_fdset(fd_set *rd, int *maxfd);
void events_ready(fd_set *rd);
void events_emit(const char *kind, const char *text);

/* input.c: key events from /dev/input/event* with the kernel's CLOCK_MONOTONIC stamps. */
extern const char *input_dir; /* /dev/input; tests point it elsewhere (--input-dir) */
void input_request(struct req r, uint8_t op, struct in *in);
void input_cleanup(int chan);
void input_fdset(fd_set *rd, int *maxfd);
void input_ready(fd_set *rd);

/* datachan.c: the data channel's TCP listener and connection headers (spec section 4d). */
#define DC_MAGIC "BTDC"
#define DC_VERSION 1
#define DC_PUT 1 /* host → agent: the file's bytes follow the header */
#define DC_GET 2 /* agent → host: the agent sends the file's bytes after the status byte */
#define DC_HDR_LEN 28 /* magic 4, version 1, direction 1, reserved 2, handle u32 LE, token 16 */
#define DC_TOKEN_LEN 16
enum dc_status { DC_OK = 0, DC_BAD_HEADER = 1, DC_REFUSED = 2 };
#define DC_GUEST_PORT 7777
int datachan_init(const char *spec); /* "ADDR:PORT" or "off" */
unsigned datachan_port(void);        /* 0: no data channel */
void datachan_fdset(fd_set *rd, int *maxfd);
void datachan_ready(fd_set *rd, uint64_t now);
int64_t datachan_deadline(void);
/* fs.c: a connection named a transfer; 0 = fs.c owns fd now, -1 = refused (caller closes). */
int fs_dc_attach(uint8_t direction, uint32_t handle, const uint8_t token[DC_TOKEN_LEN], int fd);
void fs_dc_fdset(fd_set *rd, fd_set *wr, int *maxfd);
void fs_dc_ready(fd_set *rd, fd_set *wr);

/* monitor.c: the resource sampler runs on the loop's timer (monitor_deadline / monitor_work). */
void monitor_request(struct req r, uint8_t op, struct in *in, uint64_t now);
void monitor_cleanup(int chan);
void monitor_work(uint64_t now);
int64_t monitor_deadline(void);

/* ---- utilities (main.c) ---- */
extern int verbose;
uint64_t now_ms(void);
uint64_t uptime_ms(void);
int set_nonblock(int fd);
void logmsg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define FD_ADD(fd, set, maxfd)                  \
	do {                                    \
		FD_SET((fd), (set));            \
		if ((fd) > *(maxfd))            \
			*(maxfd) = (fd);        \
	} while (0)

#endif
