/*
 * Payload fields (protocol section 3): a sequence of `u32 length + bytes`, numbers as ASCII
 * decimal, modes as octal. Builders never write past one payload (4096 bytes): they set
 * `overflow` instead, and parsers reject anything malformed instead of guessing.
 */
#include "agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void out_init(struct out *o)
{
	o->len = 0;
	o->overflow = false;
}

void out_raw(struct out *o, const void *p, size_t n)
{
	if (o->overflow || n > sizeof o->buf - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

void out_u8(struct out *o, uint8_t v)
{
	out_raw(o, &v, 1);
}

bool out_fits(const struct out *o, size_t field_len)
{
	return !o->overflow && 4 + field_len <= sizeof o->buf - o->len;
}

void out_field(struct out *o, const void *p, size_t n)
{
	if (!out_fits(o, n)) {
		o->overflow = true;
		return;
	}
	uint8_t l[4] = {n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >> 24) & 0xff};
	out_raw(o, l, 4);
	out_raw(o, p, n);
}

void out_str(struct out *o, const char *s)
{
	out_field(o, s, strlen(s));
}

void out_num(struct out *o, unsigned long long v)
{
	char b[24];
	out_field(o, b, (size_t)snprintf(b, sizeof b, "%llu", v));
}

bool in_field(struct in *in, const uint8_t **p, size_t *n)
{
	if (in->len - in->off < 4)
		return false;
	const uint8_t *l = in->p + in->off;
	uint32_t len = (uint32_t)l[0] | (uint32_t)l[1] << 8 | (uint32_t)l[2] << 16 | (uint32_t)l[3] << 24;
	if (len > in->len - in->off - 4)
		return false;
	*p = l + 4;
	*n = len;
	in->off += 4 + len;
	return true;
}

bool in_str(struct in *in, char *dst, size_t cap)
{
	const uint8_t *p;
	size_t n;
	if (!in_field(in, &p, &n) || n >= cap || memchr(p, 0, n))
		return false;
	memcpy(dst, p, n);
	dst[n] = 0;
	return true;
}

char *in_strdup(struct in *in)
{
	const uint8_t *p;
	size_t n;
	if (!in_field(in, &p, &n) || memchr(p, 0, n))
		return NULL;
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	memcpy(s, p, n);
	s[n] = 0;
	return s;
}

static bool in_base(struct in *in, unsigned long long *v, unsigned base)
{
	const uint8_t *p;
	size_t n;
	if (!in_field(in, &p, &n) || n == 0 || n > 20)
		return false;
	unsigned long long x = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)p[i] - '0';
		if (d >= base)
			return false;
		if (x > (~0ULL - d) / base)
			return false; /* overflow */
		x = x * base + d;
	}
	*v = x;
	return true;
}

bool in_num(struct in *in, unsigned long long *v)
{
	return in_base(in, v, 10);
}

bool in_oct(struct in *in, unsigned long *v)
{
	unsigned long long x;
	if (!in_base(in, &x, 8) || x > 07777)
		return false;
	*v = (unsigned long)x;
	return true;
}
