/*
 * Resource monitor (protocol section "Monitor", ops 0x50–0x52): a sampler on the select()
 * loop's timer that streams the guest's CPU, memory, interrupt and process figures to the host
 * as compact binary records (STREAM kind 4).
 *
 * - Timer: absolute CLOCK_MONOTONIC deadlines, next = previous + interval, so the rate does
 *   not drift with the time a sample takes; ticks missed (a busy guest, a full window) are
 *   skipped rather than sent in a burst, and the sample's own timestamp tells the host when it
 *   really was taken.
 * - Cost (measured in the guest, where a syscall takes ~50 µs and generating /proc/stat
 *   ~1 ms): /proc/stat and /proc/meminfo stay open and are re-read with pread(…, 0) — an
 *   open() walks the path and allocates. Interrupt counts come from /proc/stat's "intr" line
 *   (indexed by IRQ number, generated with /proc/stat anyway); /proc/interrupts, which costs as
 *   much again, is read only with the process scans, for the line names (new or changed lines
 *   show up within a scan interval) and the few lines without an IRQ number (Err).
 * - Process scans keep each pid's /proc/<pid>/stat open (a pread instead of open/read/close:
 *   4x cheaper) and list /proc (the most expensive step) only when /proc/stat's fork counter
 *   moved: no fork, no new pid. A gone process shows as a failed pread. Its status, cmdline and
 *   exe are read only when the pid is new, was reused (start time changed) or exec'd (comm
 *   changed).
 * - Deltas: the agent remembers what it last sent per stream and sends only differences
 *   (changed numbers as zigzag deltas, changed processes, gone pids). The link is reliable and
 *   ordered, so the host's copy of that state is always the agent's; the first record of a
 *   stream starts from zero, i.e. is the full state.
 * - Flow control: a tick finding the link's window full is skipped (counted), so a slow host
 *   makes the samples sparser instead of growing a queue.
 * - Batching (optional): in this guest every wake-up of the agent costs ~0.6 ms of its CPU
 *   (a bare 10 Hz select() loop is 0.6 % of the guest), and every frame sent brings one
 *   more wake-up, for the host's ACK, and ~3 ms in all. `batch` samples per STREAM frame trade
 *   latency (batch × interval) for those frames and ACKs.
 */
#include "agent.h"
#include "procparse.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_MON 4                     /* streams at once (one per channel) */
#define OUT_MAX STREAM_CHUNK          /* record bytes per STREAM: see STREAM_CHUNK in agent.h */
#define REC_MAX (OUT_MAX - 2)         /* a record and its 2-byte length prefix fit one STREAM */
#define BATCH_MAX 50
#define IRQ_ROWS_MAX 128
#define CMDLINE_MAX 256
#define EXE_MAX 256
#define SYS_BUF (32 * 1024)           /* /proc/stat of a many-CPU host (native tests) fits */
#define IRQ_NUM_MAX 4096              /* IRQ numbers read off the "intr" line */
#define KEPT_FDS_MAX 512              /* /proc/<pid>/stat fds kept open, all streams together */

/* Record flags and item tags: docs/agent-protocol.md, "Monitor". */
enum { RF_FIRST = 1, RF_LAST = 2 };
enum { IT_IRQ_ROWS = 1, IT_IRQ_NAME = 2, IT_IRQ_COUNT = 3, IT_SCAN = 4, IT_GONE = 5, IT_PROC = 6 };
enum { SCAN_FULL = 1 };
/* PROC item field mask, in the order the fields follow. */
enum {
	PF_NEW = 1 << 0, PF_STATE = 1 << 1, PF_PPID = 1 << 2, PF_UTIME = 1 << 3, PF_STIME = 1 << 4,
	PF_START = 1 << 5, PF_VSZ = 1 << 6, PF_RSS = 1 << 7, PF_THREADS = 1 << 8, PF_UID = 1 << 9,
	PF_COMM = 1 << 10, PF_CMDLINE = 1 << 11, PF_EXE = 1 << 12,
};
enum { PV_PPID, PV_UTIME, PV_STIME, PV_START, PV_VSZ, PV_RSS, PV_THREADS, PV_UID, PV_N };

/* A process as last sent to the host. */
struct mproc {
	uint32_t pid;
	int fd; /* its /proc/<pid>/stat kept open, or -1 */
	char state;
	uint64_t v[PV_N];
	char comm[COMM_MAX];
	char *cmdline, *exe; /* malloc'd, never NULL once in a table */
};

struct mon {
	bool active;
	struct req r;
	unsigned interval_ms, proc_every, until_scan, batch;
	uint64_t next_ms;
	uint32_t seq;
	unsigned long skipped;
	bool scanned; /* a scan went out: the next ones are deltas */
	/* What the host holds (deltas are against this). */
	uint64_t mono_us;
	struct sys_stat st;
	struct mem_info mem;
	struct irq_row irq[IRQ_ROWS_MAX];
	int irq_num[IRQ_ROWS_MAX]; /* the row's IRQ number (its count is in "intr"), or -1 */
	int nirq;
	struct mproc *procs;
	size_t nprocs;
	uint64_t forks_listed; /* /proc/stat "processes" when /proc was last listed */
	/* Records waiting for their STREAM frame (each with its uv length), and the complete
	 * samples among them. */
	uint8_t out[OUT_MAX];
	size_t outlen;
	unsigned batched;
};

static struct mon mons[MAX_MON];
static int fd_stat = -1, fd_mem = -1, fd_irq = -1;
static DIR *proc_dir;
static char sysbuf[SYS_BUF];
static uint64_t intr[IRQ_NUM_MAX];
static int kept_fds;
static long page_kb_num = 4, page_kb_den = 1; /* page size / 1024 as a fraction */

/* ---- record builder ---- */

struct rec {
	struct mon *m;
	uint8_t buf[REC_MAX];
	size_t len;
};

static size_t put_uv(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* Zigzag of new - old: small changes either way take one byte. */
static size_t put_zz(uint8_t *p, uint64_t now, uint64_t before)
{
	int64_t d = (int64_t)(now - before);
	return put_uv(p, ((uint64_t)d << 1) ^ (uint64_t)(d >> 63));
}

static size_t put_str(uint8_t *p, const char *s, size_t cap)
{
	size_t n = strlen(s);
	if (n > cap)
		n = cap;
	size_t k = put_uv(p, n);
	memcpy(p + k, s, n);
	return k + n;
}

static void rec_start(struct rec *rc, uint8_t flags)
{
	rc->buf[0] = flags;
	rc->len = 1 + put_uv(rc->buf + 1, rc->m->seq);
}

static void flush_out(struct mon *m)
{
	if (m->outlen)
		send_stream(m->r, SK_MONITOR, m->out, m->outlen);
	m->outlen = 0;
	m->batched = 0;
}

/* A finished record joins the pending STREAM payload (length-prefixed); the payload goes out
 * when the next record would not fit or `batch` samples are complete. */
static void rec_send(struct rec *rc, bool last)
{
	struct mon *m = rc->m;
	if (last)
		rc->buf[0] |= RF_LAST;
	uint8_t len[4];
	size_t k = put_uv(len, rc->len);
	if (m->outlen + k + rc->len > sizeof m->out)
		flush_out(m);
	memcpy(m->out + m->outlen, len, k);
	memcpy(m->out + m->outlen + k, rc->buf, rc->len);
	m->outlen += k + rc->len;
	if (last && ++m->batched >= m->batch)
		flush_out(m);
}

/* Items never straddle records: one that does not fit ends the record, the next continues. */
static void rec_item(struct rec *rc, const uint8_t *item, size_t n)
{
	if (rc->len + n > sizeof rc->buf) {
		rec_send(rc, false);
		rec_start(rc, 0);
	}
	memcpy(rc->buf + rc->len, item, n);
	rc->len += n;
}

/* ---- reading /proc ---- */

static int open_ro(const char *path)
{
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* A whole /proc file from an fd kept open (cut at cap - 1 bytes). A read at offset 0 makes
 * the kernel generate the text afresh. A seq_file fills its page-sized buffer with whole
 * lines per read (or, for /proc/stat, the whole text at once), so a read well short of a page
 * is the end: asking again just to be told 0 would cost one more syscall per file and sample.
 * Longer texts are read on at the offset where the previous read stopped, which continues
 * the same text without generating it again. */
static ssize_t read_all(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	while (n < cap - 1) {
		ssize_t k = pread(fd, buf + n, cap - 1 - n, (off_t)n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && !n)
			return -1;
		if (k <= 0)
			break;
		n += (size_t)k;
		if (k < 2048)
			break;
	}
	buf[n] = 0;
	return (ssize_t)n;
}

/* A small file by path (/proc/<pid>/…): open, one read, close. */
static ssize_t read_path(const char *path, char *buf, size_t cap)
{
	int fd = open_ro(path);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static bool open_sources(void)
{
	if (fd_stat < 0)
		fd_stat = open_ro("/proc/stat");
	if (fd_mem < 0)
		fd_mem = open_ro("/proc/meminfo");
	if (fd_irq < 0)
		fd_irq = open_ro("/proc/interrupts");
	if (!proc_dir)
		proc_dir = opendir("/proc");
	long ps = sysconf(_SC_PAGESIZE);
	if (ps > 0) {
		page_kb_num = ps;
		page_kb_den = 1024;
	}
	return fd_stat >= 0 && fd_mem >= 0 && proc_dir;
}

/* ---- system part ---- */

/* Interrupt rows from /proc/interrupts: names, and the counts of lines without a number. */
static int irq_rows_now(struct mon *m, struct irq_row *rows, int *num)
{
	if (fd_irq < 0 || read_all(fd_irq, sysbuf, sizeof sysbuf) < 0) {
		/* Unreadable: keep the rows we have. */
		memcpy(rows, m->irq, sizeof rows[0] * (size_t)m->nirq);
		memcpy(num, m->irq_num, sizeof num[0] * (size_t)m->nirq);
		return m->nirq;
	}
	int n = parse_interrupts(sysbuf, rows, IRQ_ROWS_MAX);
	for (int i = 0; i < n; i++) {
		char *end;
		long v = strtol(rows[i].id, &end, 10);
		num[i] = *end || end == rows[i].id || v < 0 || v >= IRQ_NUM_MAX ? -1 : (int)v;
	}
	return n;
}

static void encode_system(struct mon *m, struct rec *rc, uint64_t t_us, bool names)
{
	struct sys_stat st;
	struct mem_info mem;
	static struct irq_row irq[IRQ_ROWS_MAX];
	static int num[IRQ_ROWS_MAX];
	int nintr = 0;
	if (read_all(fd_stat, sysbuf, sizeof sysbuf) >= 0 && parse_stat(sysbuf, &st)) {
		int top = 0; /* the counts up to the highest IRQ number we have a row for */
		for (int i = 0; i < m->nirq; i++)
			if (m->irq_num[i] >= top)
				top = m->irq_num[i] + 1;
		nintr = parse_intr_counts(st.intr, intr, names ? IRQ_NUM_MAX : top);
	} else {
		st = m->st; /* unreadable: repeat the last values (deltas of 0) */
	}
	if (read_all(fd_mem, sysbuf, sizeof sysbuf) < 0 || !parse_meminfo(sysbuf, &mem))
		mem = m->mem;

	uint8_t *p = rc->buf + rc->len;
	p += put_zz(p, t_us, m->mono_us);
	for (int i = 0; i < CPU_N; i++)
		p += put_zz(p, st.cpu[i], m->st.cpu[i]);
	p += put_zz(p, st.ctxt, m->st.ctxt);
	p += put_zz(p, st.processes, m->st.processes);
	p += put_zz(p, st.running, m->st.running);
	p += put_zz(p, st.blocked, m->st.blocked);
	for (int i = 0; i < MEM_N; i++)
		p += put_zz(p, mem.kb[i], m->mem.kb[i]);
	rc->len = (size_t)(p - rc->buf);
	m->mono_us = t_us;
	m->st = st;
	m->mem = mem;

	/* The rows: re-read with their names on scan samples, else the ones we know. */
	int nirq = m->nirq;
	if (names) {
		nirq = irq_rows_now(m, irq, num);
	} else {
		memcpy(irq, m->irq, sizeof irq[0] * (size_t)nirq);
		memcpy(num, m->irq_num, sizeof num[0] * (size_t)nirq);
	}
	for (int i = 0; i < nirq; i++)
		if (num[i] >= 0)
			irq[i].count = num[i] < nintr ? intr[num[i]] : 0;

	uint8_t item[8 + IRQ_ID_MAX + IRQ_DESC_MAX + 16];
	size_t n;
	if (nirq != m->nirq) {
		item[0] = IT_IRQ_ROWS;
		n = 1 + put_uv(item + 1, (uint64_t)nirq);
		rec_item(rc, item, n);
	}
	for (int i = 0; i < nirq; i++) {
		struct irq_row *was = &m->irq[i];
		bool renamed = i >= m->nirq || strcmp(was->id, irq[i].id) || strcmp(was->desc, irq[i].desc);
		if (renamed) {
			/* A new or changed line restarts from 0 on both sides. */
			item[0] = IT_IRQ_NAME;
			n = 1 + put_uv(item + 1, (uint64_t)i);
			n += put_str(item + n, irq[i].id, IRQ_ID_MAX);
			n += put_str(item + n, irq[i].desc, IRQ_DESC_MAX);
			rec_item(rc, item, n);
			was->count = 0;
		}
		if (irq[i].count != was->count) {
			item[0] = IT_IRQ_COUNT;
			n = 1 + put_uv(item + 1, (uint64_t)i);
			n += put_zz(item + n, irq[i].count, was->count);
			rec_item(rc, item, n);
		}
		*was = irq[i];
		m->irq_num[i] = num[i];
	}
	m->nirq = nirq;
}

/* ---- process part ---- */

static uint32_t *pids;
static size_t npids, cap_pids;

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void list_pids(void)
{
	npids = 0;
	rewinddir(proc_dir);
	struct dirent *e;
	while ((e = readdir(proc_dir))) {
		const char *s = e->d_name;
		if (*s < '1' || *s > '9')
			continue;
		char *end;
		unsigned long v = strtoul(s, &end, 10);
		if (*end || v > 0xffffffffu)
			continue;
		if (npids == cap_pids) {
			size_t nc = cap_pids ? cap_pids * 2 : 256;
			uint32_t *np = realloc(pids, nc * sizeof *np);
			if (!np)
				break; /* scan what we have */
			pids = np;
			cap_pids = nc;
		}
		pids[npids++] = (uint32_t)v;
	}
	/* procfs lists pids in ascending order already; sort anyway, the merge depends on it. */
	qsort(pids, npids, sizeof *pids, cmp_u32);
}

static void free_proc(struct mproc *p)
{
	free(p->cmdline);
	free(p->exe);
	p->cmdline = p->exe = NULL;
	if (p->fd >= 0) {
		close(p->fd);
		kept_fds--;
	}
	p->fd = -1;
}

/* A process's stat line: through its kept fd, or opened now (and kept while there is room).
 * false when the process is gone: a kept fd of an exited process fails (ESRCH), even if its
 * pid has been reused since. */
static bool read_pid_stat(struct mproc *p, char *buf, size_t cap)
{
	if (p->fd < 0) {
		char path[48];
		snprintf(path, sizeof path, "/proc/%u/stat", p->pid);
		int fd = open_ro(path);
		if (fd < 0)
			return false;
		if (kept_fds < KEPT_FDS_MAX) {
			p->fd = fd;
			kept_fds++;
		} else {
			ssize_t n = read(fd, buf, cap - 1);
			close(fd);
			if (n <= 0)
				return false;
			buf[n] = 0;
			return true;
		}
	}
	ssize_t n = pread(p->fd, buf, cap - 1, 0);
	if (n <= 0)
		return false;
	buf[n] = 0;
	return true;
}

/* The things that change only with exec: owner, command line, executable. */
static void read_identity(struct mproc *p)
{
	char path[48], buf[CMDLINE_MAX + 1];
	static char status[4096];
	snprintf(path, sizeof path, "/proc/%u/status", p->pid);
	uint64_t uid = 0;
	if (read_path(path, status, sizeof status) >= 0)
		parse_status_uid(status, &uid);
	p->v[PV_UID] = uid;

	snprintf(path, sizeof path, "/proc/%u/cmdline", p->pid);
	int fd = open_ro(path);
	ssize_t n = fd >= 0 ? read(fd, buf, CMDLINE_MAX) : -1;
	if (fd >= 0)
		close(fd);
	cmdline_text(buf, n > 0 ? (size_t)n : 0);
	p->cmdline = strdup(buf);

	snprintf(path, sizeof path, "/proc/%u/exe", p->pid);
	char exe[EXE_MAX + 1];
	n = readlink(path, exe, EXE_MAX);
	exe[n > 0 ? n : 0] = 0;
	p->exe = strdup(exe);
	if (!p->cmdline || !p->exe) { /* out of memory: the caller leaves the process out */
		free(p->cmdline);
		free(p->exe);
		p->cmdline = p->exe = NULL;
	}
}

static void encode_gone(struct rec *rc, uint32_t pid)
{
	uint8_t item[8];
	item[0] = IT_GONE;
	rec_item(rc, item, 1 + put_uv(item + 1, pid));
}

/* The PROC item for `cur` against what the host holds (`was`, or nothing for a new pid). */
static void encode_proc(struct rec *rc, const struct mproc *cur, const struct mproc *was)
{
	static const struct mproc zero; /* comm "", numbers 0; its strings are was_cmd / was_exe */
	const char *was_cmd = was ? was->cmdline : "", *was_exe = was ? was->exe : "";
	if (!was)
		was = &zero;
	unsigned mask = was == &zero ? PF_NEW : 0;
	if (cur->state != was->state)
		mask |= PF_STATE;
	for (int i = 0; i < PV_N; i++)
		if (cur->v[i] != was->v[i])
			mask |= PF_PPID << i;
	if (strcmp(cur->comm, was->comm))
		mask |= PF_COMM;
	if (strcmp(cur->cmdline, was_cmd))
		mask |= PF_CMDLINE;
	if (strcmp(cur->exe, was_exe))
		mask |= PF_EXE;
	if (!mask)
		return;
	uint8_t item[32 + PV_N * 10 + COMM_MAX + CMDLINE_MAX + EXE_MAX];
	size_t n = 0;
	item[n++] = IT_PROC;
	n += put_uv(item + n, cur->pid);
	n += put_uv(item + n, mask);
	if (mask & PF_STATE)
		item[n++] = (uint8_t)cur->state;
	for (int i = 0; i < PV_N; i++)
		if (mask & (PF_PPID << i))
			n += put_zz(item + n, cur->v[i], was->v[i]);
	if (mask & PF_COMM)
		n += put_str(item + n, cur->comm, COMM_MAX);
	if (mask & PF_CMDLINE)
		n += put_str(item + n, cur->cmdline, CMDLINE_MAX);
	if (mask & PF_EXE)
		n += put_str(item + n, cur->exe, EXE_MAX);
	rec_item(rc, item, n);
}

/* The pids to look at: /proc's listing when something forked since the last one (or on the
 * first scan), else the pids we have. */
static void scan_pids(struct mon *m, bool first)
{
	if (first || m->st.processes != m->forks_listed) {
		m->forks_listed = m->st.processes;
		list_pids();
		return;
	}
	if (cap_pids < m->nprocs) {
		uint32_t *np = realloc(pids, m->nprocs * sizeof *np);
		if (!np) {
			list_pids();
			return;
		}
		pids = np;
		cap_pids = m->nprocs;
	}
	npids = 0;
	for (size_t i = 0; i < m->nprocs; i++)
		pids[npids++] = m->procs[i].pid;
}

static void encode_scan(struct mon *m, struct rec *rc)
{
	bool first = !m->scanned;
	uint8_t item[2] = {IT_SCAN, first ? SCAN_FULL : 0};
	rec_item(rc, item, 2);
	m->scanned = true;
	scan_pids(m, first);
	struct mproc *table = calloc(npids ? npids : 1, sizeof *table);
	if (!table) {
		logmsg(0, "monitor: out of memory for %zu processes", npids);
		return; /* an empty scan: the host keeps its table */
	}
	size_t k = 0, j = 0;
	char buf[1024];
	struct pid_stat ps;
	for (size_t i = 0; i < npids; i++) {
		uint32_t pid = pids[i];
		for (; j < m->nprocs && m->procs[j].pid < pid; j++) {
			encode_gone(rc, m->procs[j].pid);
			free_proc(&m->procs[j]);
		}
		struct mproc *old = j < m->nprocs && m->procs[j].pid == pid ? &m->procs[j++] : NULL;
		struct mproc *cur = &table[k];
		cur->pid = pid;
		cur->fd = -1;
		bool ok;
		if (old) {
			cur->fd = old->fd; /* the fd moves to the new table */
			old->fd = -1;
			ok = read_pid_stat(cur, buf, sizeof buf);
			if (!ok && cur->fd >= 0) {
				/* Exited; the pid may live on as another process (reuse): look again. */
				close(cur->fd);
				kept_fds--;
				cur->fd = -1;
				ok = read_pid_stat(cur, buf, sizeof buf);
			}
		} else {
			ok = read_pid_stat(cur, buf, sizeof buf);
		}
		if (!ok || !parse_pid_stat(buf, &ps)) {
			if (old) {
				encode_gone(rc, pid);
				free_proc(old);
			}
			free_proc(cur);
			continue;
		}
		cur->state = ps.state;
		cur->v[PV_PPID] = ps.ppid;
		cur->v[PV_UTIME] = ps.utime;
		cur->v[PV_STIME] = ps.stime;
		cur->v[PV_START] = ps.start;
		cur->v[PV_VSZ] = ps.vsize / 1024;
		cur->v[PV_RSS] = ps.rss_pages * (uint64_t)page_kb_num / (uint64_t)page_kb_den;
		cur->v[PV_THREADS] = ps.threads;
		memcpy(cur->comm, ps.comm, sizeof cur->comm);
		if (old && old->v[PV_START] != ps.start) {
			/* The pid was reused: a different process, sent as new. */
			free_proc(old);
			old = NULL;
		}
		if (!old || strcmp(old->comm, ps.comm)) {
			read_identity(cur); /* new, or exec'd (comm changed) */
		} else {
			cur->v[PV_UID] = old->v[PV_UID];
			cur->cmdline = old->cmdline;
			cur->exe = old->exe;
		}
		if (!cur->cmdline || !cur->exe) {
			if (old) {
				encode_gone(rc, pid);
				free_proc(old);
			}
			free_proc(cur);
			continue; /* out of memory for its strings: leave it out */
		}
		encode_proc(rc, cur, old);
		if (old && cur->cmdline != old->cmdline)
			free_proc(old);
		if (old)
			old->cmdline = old->exe = NULL; /* moved or freed */
		k++;
	}
	for (; j < m->nprocs; j++) {
		encode_gone(rc, m->procs[j].pid);
		free_proc(&m->procs[j]);
	}
	free(m->procs);
	m->procs = table;
	m->nprocs = k;
}

static void take_sample(struct mon *m)
{
	struct rec rc;
	rc.m = m;
	bool scan = m->until_scan == 0;
	rec_start(&rc, RF_FIRST);
	encode_system(m, &rc, mono_us(), scan || m->seq == 0);
	if (scan) {
		encode_scan(m, &rc);
		m->until_scan = m->proc_every;
	}
	m->until_scan--;
	rec_send(&rc, true);
	m->seq++;
}

/* ---- requests, timer, cleanup ---- */

static struct mon *find_mon(uint16_t chan)
{
	for (int i = 0; i < MAX_MON; i++)
		if (mons[i].active && mons[i].r.chan == chan)
			return &mons[i];
	return NULL;
}

static void drop(struct mon *m)
{
	for (size_t i = 0; i < m->nprocs; i++)
		free_proc(&m->procs[i]);
	free(m->procs);
	memset(m, 0, sizeof *m);
}

/* [interval_ms, proc_every] or [interval_ms, proc_every, batch] */
static bool rate_args(struct req r, struct in *in, unsigned *interval, unsigned *every, unsigned *batch)
{
	unsigned long long iv, ev, b = 1;
	if (!in_num(in, &iv) || !in_num(in, &ev) || (in->off < in->len && !in_num(in, &b)) || in->off != in->len ||
	    iv < 20 || iv > 1000 || ev < 1 || ev > 1000000 || b < 1 || b > BATCH_MAX) {
		reply_err(r, EINVAL, "wants [interval_ms 20..1000, proc_every >= 1, optional batch 1..%d]", BATCH_MAX);
		return false;
	}
	*interval = (unsigned)iv;
	*every = (unsigned)ev;
	*batch = (unsigned)b;
	return true;
}

void monitor_request(struct req r, uint8_t op, struct in *in, uint64_t now)
{
	struct mon *m = find_mon(r.chan);
	unsigned iv, ev, b;
	if (op == OP_MON_START) {
		if (!rate_args(r, in, &iv, &ev, &b))
			return;
		if (m) {
			reply_err(r, EBUSY, "this channel has a monitor stream already");
			return;
		}
		for (int i = 0; i < MAX_MON && !m; i++)
			if (!mons[i].active)
				m = &mons[i];
		if (!m) {
			reply_err(r, EBUSY, "%d monitor streams are running already", MAX_MON);
			return;
		}
		if (!open_sources()) {
			reply_err(r, errno ? errno : EIO, "cannot open /proc: %s", strerror(errno));
			return;
		}
		memset(m, 0, sizeof *m);
		m->active = true;
		m->r = r;
		m->interval_ms = iv;
		m->proc_every = ev;
		m->batch = b;
		m->next_ms = now; /* the first sample right after the RESP */
		struct out o;
		out_init(&o);
		out_num(&o, (unsigned long long)sysconf(_SC_CLK_TCK));
		out_num(&o, (unsigned long long)sysconf(_SC_PAGESIZE));
		out_num(&o, mono_us());
		reply(r, T_RESP, &o);
		logmsg(1, "monitor on channel %u: every %u ms, processes every %u, %u per frame", r.chan, iv, ev, b);
	} else if (!m) {
		reply_err(r, ESRCH, "no monitor stream on this channel");
	} else if (op == OP_MON_CONFIG) {
		if (!rate_args(r, in, &iv, &ev, &b))
			return;
		m->batch = b;
		if (m->batched >= b)
			flush_out(m);
		/* Keep the phase: the next tick is one new interval after the last one. */
		m->next_ms = m->next_ms - m->interval_ms + iv;
		m->interval_ms = iv;
		m->proc_every = ev;
		if (m->until_scan > ev)
			m->until_scan = ev;
		reply_empty(r);
	} else { /* OP_MON_STOP: the stream ends first, so the host sees it over when RESP comes */
		flush_out(m);
		struct out o;
		out_init(&o);
		out_num(&o, m->seq);
		out_num(&o, m->skipped);
		reply(m->r, T_STREAM_END, &o);
		drop(m);
		reply_empty(r);
	}
}

void monitor_cleanup(int chan)
{
	for (int i = 0; i < MAX_MON; i++)
		if (mons[i].active && (chan == ALL_CHANNELS || mons[i].r.chan == chan))
			drop(&mons[i]);
}

void monitor_work(uint64_t now)
{
	for (int i = 0; i < MAX_MON; i++) {
		struct mon *m = &mons[i];
		if (!m->active || now < m->next_ms)
			continue;
		if (link_room() > 0)
			take_sample(m);
		else
			m->skipped++;
		m->next_ms += m->interval_ms;
		if (m->next_ms <= now) { /* late by whole intervals: skip them, do not burst */
			uint64_t missed = (now - m->next_ms) / m->interval_ms + 1;
			m->skipped += missed;
			m->next_ms += missed * m->interval_ms;
		}
	}
}

int64_t monitor_deadline(void)
{
	int64_t d = -1;
	for (int i = 0; i < MAX_MON; i++)
		if (mons[i].active && (d < 0 || (int64_t)mons[i].next_ms < d))
			d = (int64_t)mons[i].next_ms;
	return d;
}
