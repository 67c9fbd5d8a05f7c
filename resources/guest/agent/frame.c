/*
 * Frame codec (protocol section 1): CRC-32, encoding, and a decoder that finds frame
 * boundaries again after lost, corrupted or inserted bytes.
 */
#include "agent.h"

#include <string.h>

unsigned long dec_skipped;

static uint32_t crc_table[256];

/* Table built on first use: 1 KiB of .bss instead of code, and no init call to forget. */
static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t crc32_update(uint32_t crc, const void *data, size_t n)
{
	const uint8_t *p = data;
	if (!crc_table[1])
		crc_init();
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (v >> (8 * i)) & 0xff;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

size_t frame_encode(uint8_t *out, uint8_t type, uint16_t chan, uint32_t reqid, uint32_t seq,
		    uint32_t ack, const uint8_t *payload, uint16_t len)
{
	out[0] = 0x42;
	out[1] = 0x54;
	out[2] = 1;
	out[3] = type;
	put16(out + 4, chan);
	put16(out + 6, len);
	put32(out + 8, reqid);
	put32(out + 12, seq);
	put32(out + 16, ack);
	if (len)
		memcpy(out + FRAME_HDR, payload, len);
	put32(out + FRAME_HDR + len, crc32_update(0, out, FRAME_HDR + (size_t)len));
	return FRAME_HDR + (size_t)len + 4;
}

bool frame_type_known(uint8_t t)
{
	switch (t) {
	case T_HELLO: case T_HELLO_ACK: case T_ACK:
	case T_REQ: case T_RESP: case T_RESP_PART: case T_ERR:
	case T_STREAM: case T_STREAM_END: case T_EVENT:
		return true;
	}
	return false;
}

void dec_init(struct decoder *d)
{
	d->start = d->end = 0;
}

uint8_t *dec_space(struct decoder *d, size_t *avail)
{
	/* Move the undecided bytes to the front only when needed: once per read at most. */
	if (d->start > 0 && (d->start == d->end || d->end > DEC_CAP - FRAME_MAX)) {
		memmove(d->buf, d->buf + d->start, d->end - d->start);
		d->end -= d->start;
		d->start = 0;
	}
	*avail = DEC_CAP - d->end;
	return d->buf + d->end;
}

void dec_commit(struct decoder *d, size_t n)
{
	d->end += n;
}

/* Drop the first byte of a rejected candidate and scan again (the spec's resync rule). */
static void skip(struct decoder *d, size_t n)
{
	d->start += n;
	dec_skipped += n;
}

int dec_next(struct decoder *d, struct frame *f)
{
	for (;;) {
		const uint8_t *p = d->buf + d->start;
		size_t have = d->end - d->start;
		/* Find the magic; keep a trailing 'B' that may be the first half of one. */
		size_t i = 0;
		while (i + 1 < have && !(p[i] == 0x42 && p[i + 1] == 0x54))
			i++;
		if (i + 1 >= have) {
			size_t keep = have && p[have - 1] == 0x42 ? 1 : 0;
			skip(d, have - keep);
			return 0;
		}
		if (i) {
			skip(d, i);
			continue;
		}
		/* Reject on each header field as soon as it is there: never wait on garbage. */
		if (have >= 3 && p[2] != 1) {
			skip(d, 1);
			continue;
		}
		if (have >= 4 && !frame_type_known(p[3])) {
			skip(d, 1);
			continue;
		}
		if (have < 8)
			return 0;
		uint16_t len = get16(p + 6);
		if (len > FRAME_MAX_PAYLOAD) {
			skip(d, 1);
			continue;
		}
		size_t total = FRAME_HDR + (size_t)len + 4;
		if (have < total)
			return 0;
		if (crc32_update(0, p, total - 4) != get32(p + total - 4)) {
			skip(d, 1);
			continue;
		}
		f->type = p[3];
		f->chan = get16(p + 4);
		f->len = len;
		f->reqid = get32(p + 8);
		f->seq = get32(p + 12);
		f->ack = get32(p + 16);
		f->payload = p + FRAME_HDR;
		d->start += total;
		return 1;
	}
}

bool dec_partial(const struct decoder *d)
{
	return d->end - d->start >= 2; /* after dec_next() returned 0, only a candidate remains */
}

/* A corrupted length field can make a candidate ask for up to 4120 bytes that are not coming
 * (the peer sent its last frame and waits for our answer): without this, the frames behind
 * it would sit in the buffer until enough retransmissions arrive to fill it. */
void dec_abandon(struct decoder *d)
{
	if (d->end > d->start)
		skip(d, 1);
}
