/*
 * Requests (protocol sections 3–4): channels, PING, and dispatch to the services.
 * Channel 0 is always open; CONNECT opens another for one host tool, and everything a tool
 * starts on its channel (processes, transfers, gdbservers, event subscriptions) is cleaned
 * up when it DISCONNECTs or the link resets.
 */
#include "agent.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_CHANNELS 32

struct channel {
	bool open;
	uint16_t id;
	char name[64];
};

static struct channel chans[MAX_CHANNELS]; /* chans[0] is channel 0 */
static uint16_t next_chan = 1;

static struct channel *find_channel(uint16_t id)
{
	if (id == 0)
		return &chans[0];
	for (int i = 1; i < MAX_CHANNELS; i++)
		if (chans[i].open && chans[i].id == id)
			return &chans[i];
	return NULL;
}

void reply(struct req r, uint8_t type, const struct out *o)
{
	link_send(type, r.chan, r.reqid, o->buf, o->len);
}

void reply_empty(struct req r)
{
	link_send(T_RESP, r.chan, r.reqid, NULL, 0);
}

void reply_err(struct req r, int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	struct out o;
	out_init(&o);
	out_num(&o, (unsigned)err);
	out_str(&o, msg);
	logmsg(1, "ERR chan %u req %u: %d %s", r.chan, r.reqid, err, msg);
	reply(r, T_ERR, &o);
}

void send_stream(struct req r, uint8_t kind, const void *data, size_t n)
{
	struct out o;
	out_init(&o);
	out_u8(&o, kind);
	out_raw(&o, data, n);
	reply(r, T_STREAM, &o);
}

static void cleanup(int chan)
{
	fs_cleanup(chan);
	proc_cleanup(chan);
	events_cleanup(chan);
	monitor_cleanup(chan);
	input_cleanup(chan);
}

void service_reset(void)
{
	cleanup(ALL_CHANNELS);
	for (int i = 1; i < MAX_CHANNELS; i++)
		chans[i].open = false;
}

static void do_connect(struct req r, struct in *in)
{
	char name[64];
	if (!in_str(in, name, sizeof name))
		snprintf(name, sizeof name, "?");
	for (int k = 0; k < 65535; k++) {
		uint16_t id = next_chan++;
		if (next_chan == 0)
			next_chan = 1;
		if (id == 0 || find_channel(id))
			continue;
		for (int i = 1; i < MAX_CHANNELS; i++) {
			if (chans[i].open)
				continue;
			chans[i].open = true;
			chans[i].id = id;
			snprintf(chans[i].name, sizeof chans[i].name, "%s", name);
			logmsg(1, "CONNECT %s: channel %u", name, id);
			struct out o;
			out_init(&o);
			out_num(&o, id);
			reply(r, T_RESP, &o);
			return;
		}
		break;
	}
	reply_err(r, EMFILE, "too many channels (%d)", MAX_CHANNELS - 1);
}

static void do_disconnect(struct req r)
{
	struct channel *c = find_channel(r.chan);
	logmsg(1, "DISCONNECT channel %u (%s)", r.chan, c ? c->name : "?");
	cleanup(r.chan);
	if (r.chan != 0 && c)
		c->open = false; /* channel 0 stays: only its resources go */
	reply_empty(r);
}

void service_deliver(const struct frame *f, uint64_t now)
{
	struct req r = {f->chan, f->reqid};
	if (f->type != T_REQ)
		return; /* the host sends only REQs; anything else is ignored (but was acked) */
	if (f->len < 1) {
		reply_err(r, EINVAL, "empty request");
		return;
	}
	uint8_t op = f->payload[0];
	struct in in = {f->payload + 1, f->len - 1u, 0};
	chans[0].open = true;
	if (!find_channel(f->chan)) {
		reply_err(r, ENOTCONN, "channel %u is not open", f->chan);
		return;
	}
	logmsg(2, "REQ chan %u id %u op 0x%02x (%u bytes)", f->chan, f->reqid, op, f->len);
	switch (op) {
	case OP_PING: {
		struct out o;
		out_init(&o);
		out_num(&o, uptime_ms());
		reply(r, T_RESP, &o);
		return;
	}
	case OP_CONNECT:
		do_connect(r, &in);
		return;
	case OP_DISCONNECT:
		do_disconnect(r);
		return;
	case OP_LIST: case OP_STAT: case OP_GET: case OP_PUT_BEGIN: case OP_PUT_DATA:
	case OP_PUT_END: case OP_PUT_ABORT: case OP_REMOVE:
		fs_request(r, op, &in);
		return;
	case OP_SPAWN: case OP_SIGNAL: case OP_STDIN:
		proc_request(r, op, &in, now);
		return;
	case OP_GDB_START: case OP_GDB_WRITE: case OP_GDB_STOP:
		gdb_request(r, op, &in, now);
		return;
	case OP_EVENTS:
		events_request(r, op);
		return;
	case OP_INPUT_WATCH:
		input_request(r, op, &in);
		return;
	case OP_MON_START: case OP_MON_CONFIG: case OP_MON_STOP:
		monitor_request(r, op, &in, now);
		return;
	}
	reply_err(r, ENOSYS, "unknown operation 0x%02x", op);
}
