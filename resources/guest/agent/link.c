/*
 * Link layer (protocol section 2): sequence numbers, cumulative acks, a window of 8 frames,
 * go-back-N retransmission, HELLO resets.
 *
 * Outgoing sequenced frames sit in one FIFO list. The first `inflight` (≤ 8) have a seq and
 * wait for their ack; the rest (answers queued while the window is full) get a seq when the
 * window opens. `ntx` counts how many in-flight frames went out in the current round, so
 * go-back-N is just `ntx = 0`. The UART is written one encoded frame at a time from `tx`;
 * a frame once started is always finished, so the peer never sees a torn frame from us.
 */
#include "agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

struct qf {
	struct qf *next;
	uint8_t type;
	uint16_t chan, len;
	uint32_t reqid, seq;
	uint64_t sent_ms; /* last (re)transmission; 0 = never sent */
	bool resent;      /* sent more than once: its ack gives no RTT sample (Karn) */
	uint8_t data[];
};

struct link_stats link_stats;

static struct {
	int rfd, wfd;
	struct decoder dec;
	uint8_t tx[FRAME_MAX];
	size_t txlen, txoff;
	struct qf *head, *tail;
	unsigned queued, inflight, ntx;
	uint32_t next_seq, expected;
	bool want_hello, want_hello_ack;
	bool synced;            /* a HELLO or HELLO_ACK arrived since we started */
	uint64_t hello_ms;      /* last HELLO we queued */
	bool ack_due;           /* the peer is owed an ack … */
	uint64_t ack_at;        /* … by this time */
	uint32_t last_ack_val;  /* ack value and time of the last frame we sent, */
	uint64_t last_ack_ms;   /* to send one ACK per loss, not one per frame after it */
	uint64_t progress_ms;   /* last time an ack freed frames (the RTO restarts there) */
	uint64_t rx_ms;         /* last bytes read (the decoder's stall timer) */
	uint64_t peer_ms;       /* last valid frame from the host */
	unsigned rto;           /* current RTO: srtt + 4 rttvar, ≥ 300 ms; doubled per timeout */
	unsigned srtt, rttvar;  /* smoothed RTT and its variation, ms (0 = no sample yet) */
	bool fast_resent;       /* go-back-N on a duplicate ACK: once per progress */
} L;

void link_init(int rfd, int wfd)
{
	memset(&L, 0, sizeof L);
	L.rfd = rfd;
	L.wfd = wfd;
	dec_init(&L.dec);
	L.next_seq = L.expected = 1;
	L.rto = LINK_RTO_MS;
}

static struct qf *nth(unsigned i)
{
	struct qf *q = L.head;
	while (i-- && q)
		q = q->next;
	return q;
}

/* Give seqs to queued frames while the window has room. */
static void assign(uint64_t now)
{
	if (L.inflight == 0)
		L.progress_ms = now; /* the RTO of a fresh window starts now, not at an old ack */
	for (struct qf *q = nth(L.inflight); q && L.inflight < LINK_WINDOW; q = q->next) {
		q->seq = L.next_seq++;
		L.inflight++;
	}
}

int link_room(void)
{
	return LINK_WINDOW - (int)L.queued;
}

void link_send(uint8_t type, uint16_t chan, uint32_t reqid, const void *payload, size_t len)
{
	struct qf *q = malloc(sizeof *q + len);
	if (!q) {
		/* Nothing sane to do without memory: the host times out and resets the link. */
		logmsg(0, "out of memory: frame dropped");
		return;
	}
	q->next = NULL;
	q->type = type;
	q->chan = chan;
	q->len = (uint16_t)len;
	q->reqid = reqid;
	q->seq = 0;
	q->sent_ms = 0;
	q->resent = false;
	if (len)
		memcpy(q->data, payload, len);
	if (L.tail)
		L.tail->next = q;
	else
		L.head = q;
	L.tail = q;
	L.queued++;
	assign(now_ms());
}

static void capabilities(struct out *o)
{
	struct utsname u;
	const char *arch = uname(&u) == 0 ? u.machine : "unknown";
	char text[256];
	size_t n = (size_t)snprintf(text, sizeof text,
				   "protocol=1\nagent=" AGENT_NAME "\nservices=ping,channel,fs,proc,gdb,events,monitor,input\n"
				   "arch=%s\nmax_payload=%d\nwindow=%d\n",
				   arch, FRAME_MAX_PAYLOAD, LINK_WINDOW);
	if (datachan_port() && n < sizeof text)
		n += (size_t)snprintf(text + n, sizeof text - n, "data_port=%u\n", datachan_port());
	out_raw(o, text, n < sizeof text ? n : sizeof text - 1);
}

/* Section 2, HELLO: forget every frame in both directions, and every service resource. */
static void reset(void)
{
	while (L.head) {
		struct qf *q = L.head;
		L.head = q->next;
		free(q);
	}
	L.tail = NULL;
	L.queued = L.inflight = L.ntx = 0;
	L.next_seq = L.expected = 1;
	L.ack_due = false;
	L.rto = LINK_RTO_MS;
	L.srtt = L.rttvar = 0;
	L.fast_resent = false;
	service_reset();
}

void link_start(uint64_t now)
{
	L.want_hello = true;
	L.hello_ms = now;
}

/* Jacobson/Karn as in TCP, with the spec's 300 ms as the floor: the host reads the UART
 * through QEMU and its own event loop, and a fixed 300 ms resends frames that are merely
 * slow to be acknowledged (each resend then costs the line a whole window). */
static void rtt_sample(unsigned r)
{
	if (!L.srtt) {
		L.srtt = r ? r : 1;
		L.rttvar = r / 2;
	} else {
		unsigned d = L.srtt > r ? L.srtt - r : r - L.srtt;
		L.rttvar = (3 * L.rttvar + d) / 4;
		L.srtt = (7 * L.srtt + r) / 8;
		if (!L.srtt)
			L.srtt = 1;
	}
}

static unsigned rto_from_rtt(void)
{
	unsigned r = L.srtt + 4 * L.rttvar;
	return r < LINK_RTO_MS ? LINK_RTO_MS : r > LINK_RTO_MAX_MS ? LINK_RTO_MAX_MS : r;
}

/* The peer acknowledged everything up to `ack`. */
static void on_ack(uint32_t ack, bool standalone, uint64_t now)
{
	if (L.inflight == 0 || ack >= L.next_seq)
		return; /* nothing outstanding, or an ack from before a reset */
	unsigned n = 0;
	int64_t sample = -1;
	while (L.head && n < L.inflight && L.head->seq <= ack) {
		struct qf *q = L.head;
		L.head = q->next;
		if (!L.head)
			L.tail = NULL;
		if (!q->resent && q->sent_ms)
			sample = (int64_t)(now - q->sent_ms);
		free(q);
		n++;
	}
	if (n) {
		L.inflight -= n;
		L.queued -= n;
		L.ntx = L.ntx > n ? L.ntx - n : 0;
		L.progress_ms = now;
		L.fast_resent = false;
		if (sample >= 0)
			rtt_sample((unsigned)sample);
		L.rto = rto_from_rtt();
		assign(now);
	} else if (standalone && L.ntx > 0 && !L.fast_resent) {
		/* An ACK that acknowledges nothing new: the peer is missing our oldest frame. Resend
		 * once; the further duplicate ACKs of the same loss must not restart the round. */
		L.ntx = 0;
		L.fast_resent = true;
		link_stats.resent++;
	}
}

static void ack_soon(uint64_t at)
{
	if (!L.ack_due || at < L.ack_at) {
		L.ack_due = true;
		L.ack_at = at;
	}
}

static void on_frame(const struct frame *f, uint64_t now)
{
	link_stats.frames_in++;
	L.peer_ms = now;
	switch (f->type) {
	case T_HELLO:
		reset();
		L.synced = true;
		L.want_hello = false;
		L.want_hello_ack = true;
		logmsg(1, "HELLO: link reset");
		return;
	case T_HELLO_ACK:
		/* Only ends our HELLO: we reset when we sent it. Resetting here too would wipe
		 * whatever the host sent after a crossing HELLO (spec section 2). */
		L.synced = true;
		L.want_hello = false;
		logmsg(1, "HELLO_ACK");
		return;
	case T_ACK:
		on_ack(f->ack, true, now);
		return;
	}
	on_ack(f->ack, false, now);
	if (f->seq == 0)
		return; /* a sequenced type must carry a seq */
	if (f->seq == L.expected) {
		L.expected++;
		ack_soon(now + LINK_ACK_DELAY_MS); /* an answer queued meanwhile carries it */
		service_deliver(f, now);
		return;
	}
	if (f->seq < L.expected)
		link_stats.dup_in++;
	else
		link_stats.gap_in++;
	if (!L.synced) {
		/* Frames numbered from before our start: our start-up HELLO was lost while the
		 * host stayed connected. Say HELLO again (at most every 500 ms) instead of acking. */
		if (now - L.hello_ms >= 500) {
			reset(); /* the sender of a HELLO starts afresh */
			L.want_hello = true;
			L.hello_ms = now;
		}
		return;
	}
	/* Duplicate or gap: ack at once so the peer resends from the right frame — but only one
	 * ACK per loss, not one for every frame of the round behind it. */
	if (!(L.last_ack_val == L.expected - 1 && now - L.last_ack_ms < 100))
		ack_soon(now);
}

static void decode(uint64_t now)
{
	struct frame f;
	while (dec_next(&L.dec, &f))
		on_frame(&f, now);
	link_stats.bad_bytes = dec_skipped;
}

int link_on_readable(uint64_t now)
{
	for (;;) {
		size_t avail;
		uint8_t *p = dec_space(&L.dec, &avail);
		ssize_t n = read(L.rfd, p, avail);
		if (n == 0)
			return -1;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			logmsg(0, "read: %s", strerror(errno));
			return -1;
		}
		dec_commit(&L.dec, (size_t)n);
		L.rx_ms = now;
		decode(now);
	}
}

/* Encode the next frame to go out into `tx`, by priority. false = nothing to send. */
static bool fill(uint64_t now)
{
	if (L.txoff < L.txlen)
		return true;
	L.txoff = L.txlen = 0;
	uint32_t ack = L.expected - 1;
	if (L.want_hello_ack || L.want_hello) {
		struct out o;
		out_init(&o);
		capabilities(&o);
		uint8_t t = L.want_hello_ack ? T_HELLO_ACK : T_HELLO;
		if (L.want_hello_ack)
			L.want_hello_ack = false;
		else
			L.want_hello = false;
		L.txlen = frame_encode(L.tx, t, 0, 0, 0, 0, o.buf, (uint16_t)o.len);
		return true;
	}
	if (L.ntx < L.inflight) {
		struct qf *q = nth(L.ntx++);
		L.txlen = frame_encode(L.tx, q->type, q->chan, q->reqid, q->seq, ack, q->data, q->len);
		if (q->sent_ms)
			q->resent = true;
		q->sent_ms = now;
	} else if (L.ack_due && now >= L.ack_at) {
		L.txlen = frame_encode(L.tx, T_ACK, 0, 0, 0, ack, NULL, 0);
	} else {
		return false;
	}
	L.ack_due = false; /* every frame carries the ack */
	L.last_ack_val = ack;
	L.last_ack_ms = now;
	link_stats.frames_out++;
	return true;
}

void link_flush(uint64_t now)
{
	while (fill(now)) {
		ssize_t n = write(L.wfd, L.tx + L.txoff, L.txlen - L.txoff);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				/* EIO on a hung-up tty and the like: drop this copy; the RTO resends it. */
				logmsg(0, "write: %s", strerror(errno));
				L.txoff = L.txlen = 0;
			}
			return;
		}
		L.txoff += (size_t)n;
	}
}

bool link_blocked(void)
{
	return L.txoff < L.txlen;
}

static int64_t rto_deadline(void)
{
	if (L.inflight == 0 || L.ntx == 0)
		return -1; /* nothing sent and unacked: no timer, the loop may sleep for ever */
	uint64_t base = L.head->sent_ms > L.progress_ms ? L.head->sent_ms : L.progress_ms;
	return (int64_t)(base + L.rto);
}

void link_tick(uint64_t now)
{
	if (dec_partial(&L.dec) && now >= L.rx_ms + LINK_STALL_MS) {
		dec_abandon(&L.dec);
		decode(now);
		L.rx_ms = now; /* a further candidate behind it gets its own full stall time */
	}
	int64_t d = rto_deadline();
	if (d >= 0 && now >= (uint64_t)d) {
		/* Go-back-N. While the host is silent, double the RTO: an absent host (QEMU drops
		 * our bytes while nobody is connected) must not cost guest CPU. While it talks, it
		 * is there and merely lost a frame: doubling would only stretch a lossy stretch of
		 * line into pauses of seconds. */
		L.ntx = 0;
		L.progress_ms = now;
		if (now - L.peer_ms >= LINK_PEER_QUIET_MS)
			L.rto = L.rto * 2 > LINK_RTO_MAX_MS ? LINK_RTO_MAX_MS : L.rto * 2;
		else
			L.rto = rto_from_rtt();
		L.fast_resent = false;
		link_stats.resent++;
		logmsg(2, "RTO: resending %u frames (next RTO %u ms)", L.inflight, L.rto);
	}
}

int64_t link_deadline(void)
{
	int64_t d = rto_deadline();
	if (L.ack_due && (d < 0 || (int64_t)L.ack_at < d))
		d = (int64_t)L.ack_at;
	if (dec_partial(&L.dec) && (d < 0 || (int64_t)(L.rx_ms + LINK_STALL_MS) < d))
		d = (int64_t)(L.rx_ms + LINK_STALL_MS);
	return d;
}
