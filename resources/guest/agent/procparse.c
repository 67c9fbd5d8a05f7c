/*
 * /proc text parsers for the resource monitor (see procparse.h). Hand-written scanners rather
 * than sscanf: they run ten times a second in an emulated CPU, must survive any input, and
 * the comm field of /proc/<pid>/stat (blanks, parentheses) defeats scanf patterns anyway.
 */
#include "procparse.h"

#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

/* An unsigned decimal at *pp (after blanks); advances past it. false if there is none. */
static bool take_u64(const char **pp, uint64_t *v)
{
	const char *p = skip_blanks(*pp);
	if (*p < '0' || *p > '9')
		return false;
	uint64_t x = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		x = x > (UINT64_MAX - d) / 10 ? UINT64_MAX : x * 10 + d; /* saturate */
	}
	*v = x;
	*pp = p;
	return true;
}

/* Skip one blank-separated field (the fields we do not keep may be negative, e.g. tty_pgrp -1). */
static bool take_field(const char **pp)
{
	const char *p = skip_blanks(*pp);
	if (!*p || *p == '\n')
		return false;
	while (*p && !is_blank(*p) && *p != '\n')
		p++;
	*pp = p;
	return true;
}

static const char *next_line(const char *p)
{
	const char *nl = strchr(p, '\n');
	return nl ? nl + 1 : NULL;
}

static bool starts(const char *p, const char *word)
{
	size_t n = strlen(word);
	return !strncmp(p, word, n);
}

unsigned parse_stat(const char *text, struct sys_stat *s)
{
	memset(s, 0, sizeof *s);
	unsigned found = 0;
	for (const char *p = text; p && *p && found != 31; p = next_line(p)) {
		const char *q = p;
		switch (*p) { /* one look at the first letter: this runs ten times a second */
		case 'c':
			if (starts(p, "cpu ")) {
				/* Older kernels have fewer columns: the missing ones stay 0. */
				q = p + 3;
				for (int i = 0; i < CPU_N && take_u64(&q, &s->cpu[i]); i++)
					;
				found |= 1;
			} else if (starts(p, "ctxt ") && (q = p + 4, take_u64(&q, &s->ctxt))) {
				found |= 2;
			}
			break;
		case 'i':
			if (starts(p, "intr ") && (q = p + 4, take_u64(&q, &(uint64_t){0})))
				s->intr = q;
			break;
		case 'p':
			if (starts(p, "processes ") && (q = p + 9, take_u64(&q, &s->processes)))
				found |= 4;
			else if (starts(p, "procs_running ") && (q = p + 13, take_u64(&q, &s->running)))
				found |= 8;
			else if (starts(p, "procs_blocked ") && (q = p + 13, take_u64(&q, &s->blocked)))
				found |= 16;
			break;
		}
	}
	return found;
}

int parse_intr_counts(const char *intr, uint64_t *counts, int max)
{
	int n = 0;
	if (intr)
		for (const char *q = intr; n < max && take_u64(&q, &counts[n]); n++)
			;
	for (int i = n; i < max; i++)
		counts[i] = 0;
	return n;
}

static const struct {
	const char *key;
	size_t len;
} mem_keys[MEM_N] = {
	{"MemTotal:", 9}, {"MemFree:", 8}, {"MemAvailable:", 13}, {"Buffers:", 8},
	{"Cached:", 7}, {"Shmem:", 6}, {"Slab:", 5},
};

unsigned parse_meminfo(const char *text, struct mem_info *m)
{
	memset(m, 0, sizeof *m);
	unsigned found = 0;
	/* Stops once all seven are there (Slab comes two thirds down the file). */
	for (const char *p = text; p && *p && found != (1u << MEM_N) - 1; p = next_line(p)) {
		if (*p != 'M' && *p != 'B' && *p != 'C' && *p != 'S')
			continue;
		for (int i = 0; i < MEM_N; i++) {
			if (mem_keys[i].key[0] != *p || strncmp(p, mem_keys[i].key, mem_keys[i].len))
				continue;
			const char *q = p + mem_keys[i].len;
			if (take_u64(&q, &m->kb[i]))
				found |= 1u << i;
			break;
		}
	}
	return found;
}

/* Copy [p, end) to dst (cap bytes with the NUL), collapsing runs of blanks, trimming both
 * ends; a text that does not fit is cut (and a blank left at the cut dropped). */
static void copy_collapsed(char *dst, size_t cap, const char *p, const char *end)
{
	size_t n = 0;
	bool blank = false;
	p = skip_blanks(p);
	for (; p < end && *p && n + 1 < cap; p++) {
		if (is_blank(*p)) {
			blank = true;
			continue;
		}
		if (blank) {
			dst[n++] = ' ';
			blank = false;
			if (n + 1 >= cap)
				break;
		}
		dst[n++] = *p;
	}
	while (n && dst[n - 1] == ' ')
		n--;
	dst[n] = 0;
}

int parse_interrupts(const char *text, struct irq_row *rows, int max)
{
	/* Header: one "CPUn" column per CPU: a row has at most that many counts. */
	int ncpu = 0;
	const char *p = text;
	const char *line_end = strchr(p, '\n');
	if (!line_end)
		return 0;
	for (const char *q = p; q < line_end; q++)
		if (starts(q, "CPU"))
			ncpu++;
	if (ncpu == 0)
		ncpu = 1;
	int n = 0;
	for (p = line_end + 1; p && *p && n < max; p = next_line(p)) {
		const char *eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		const char *q = skip_blanks(p);
		const char *colon = memchr(q, ':', (size_t)(eol - q));
		if (!colon || colon == q)
			continue;
		struct irq_row *r = &rows[n];
		size_t idlen = (size_t)(colon - q);
		if (idlen >= IRQ_ID_MAX)
			idlen = IRQ_ID_MAX - 1;
		memcpy(r->id, q, idlen);
		r->id[idlen] = 0;
		r->count = 0;
		q = colon + 1;
		uint64_t c;
		for (int i = 0; i < ncpu && q < eol && take_u64(&q, &c); i++)
			r->count = r->count > UINT64_MAX - c ? UINT64_MAX : r->count + c;
		if (q > eol)
			q = eol;
		copy_collapsed(r->desc, sizeof r->desc, q, eol);
		n++;
	}
	return n;
}

bool parse_pid_stat(const char *text, struct pid_stat *p)
{
	memset(p, 0, sizeof *p);
	const char *open = strchr(text, '(');
	const char *close = strrchr(text, ')');
	if (!open || !close || close < open)
		return false;
	size_t n = (size_t)(close - open - 1);
	if (n >= COMM_MAX)
		n = COMM_MAX - 1;
	memcpy(p->comm, open + 1, n);
	p->comm[n] = 0;
	const char *q = skip_blanks(close + 1);
	if (!*q || *q == '\n' || is_blank(*q))
		return false;
	p->state = *q++;
	/* Fields after the state, numbered as in proc(5): ppid is 4 … rss is 24. */
	uint64_t *want[25] = {0};
	want[4] = &p->ppid;
	want[14] = &p->utime;
	want[15] = &p->stime;
	want[20] = &p->threads;
	want[22] = &p->start;
	want[23] = &p->vsize;
	want[24] = &p->rss_pages;
	for (int field = 4; field <= 24; field++) {
		if (want[field]) {
			if (!take_u64(&q, want[field]))
				return false;
			/* "-1" style values never occur in the fields we keep; a sign or junk right
			 * after the digits means the line is not what we think. */
			if (*q && !is_blank(*q) && *q != '\n')
				return false;
		} else if (!take_field(&q)) {
			return false;
		}
	}
	return true;
}

bool parse_status_uid(const char *text, uint64_t *uid)
{
	for (const char *p = text; p && *p; p = next_line(p))
		if (starts(p, "Uid:")) {
			const char *q = p + 4;
			return take_u64(&q, uid);
		}
	return false;
}

size_t cmdline_text(char *buf, size_t n)
{
	while (n && buf[n - 1] == 0)
		n--;
	for (size_t i = 0; i < n; i++)
		if (buf[i] == 0)
			buf[i] = ' ';
	buf[n] = 0;
	return n;
}
