/*
 * Parsers of the /proc texts the resource monitor reads (monitor.c). Pure functions on a
 * NUL-terminated buffer, no I/O and nothing else of the agent, so that a host test binary
 * (test/procparse-main.c) can drive them with captured and generated texts.
 *
 * Every parser accepts any input: truncated or garbled text yields "not found" / zeros, never
 * a read past the buffer. Numbers saturate at UINT64_MAX instead of wrapping.
 */
#ifndef BENCHTOP_PROCPARSE_H
#define BENCHTOP_PROCPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* /proc/stat: the aggregate "cpu" line and four counters. */
enum { CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE, CPU_IOWAIT, CPU_IRQ, CPU_SOFTIRQ, CPU_STEAL, CPU_N };
struct sys_stat {
	uint64_t cpu[CPU_N];
	uint64_t ctxt, processes, running, blocked;
	const char *intr; /* the per-IRQ counts of the "intr" line (after its total), or NULL */
};
/* Returns a bit set of what was found: 1 cpu, 2 ctxt, 4 processes, 8 procs_running, 16 procs_blocked. */
unsigned parse_stat(const char *text, struct sys_stat *s);
/* The "intr" line's counts by IRQ number: counts[i] for IRQ i < max (what the line has; the
 * rest 0). The kernel generates them with /proc/stat anyway, so the sampler takes its
 * interrupt counts from here instead of regenerating /proc/interrupts for every sample.
 * Returns how many numbers were there (at most max). */
int parse_intr_counts(const char *intr, uint64_t *counts, int max);

/* /proc/meminfo, KiB. */
enum { MEM_TOTAL, MEM_FREE, MEM_AVAILABLE, MEM_BUFFERS, MEM_CACHED, MEM_SHMEM, MEM_SLAB, MEM_N };
struct mem_info {
	uint64_t kb[MEM_N];
};
/* Returns a bit set of the keys found (bit i = kb[i]). */
unsigned parse_meminfo(const char *text, struct mem_info *m);

/* /proc/interrupts: one row per line after the CPU header. */
#define IRQ_ID_MAX 16    /* "42", "Err", "IPI0": longer ids are cut */
#define IRQ_DESC_MAX 64  /* the rest of the line, runs of blanks collapsed; longer is cut */
struct irq_row {
	char id[IRQ_ID_MAX];
	char desc[IRQ_DESC_MAX];
	uint64_t count; /* summed over the CPU columns */
};
/* Fills up to `max` rows; returns how many. */
int parse_interrupts(const char *text, struct irq_row *rows, int max);

/* /proc/<pid>/stat. */
#define COMM_MAX 64 /* the kernel's TASK_COMM_LEN is 16; room for anything odd */
struct pid_stat {
	char comm[COMM_MAX];
	char state;
	uint64_t ppid, utime, stime, threads, start, vsize, rss_pages;
};
/* The comm lies between the first '(' and the LAST ')' (it may contain both, and blanks). */
bool parse_pid_stat(const char *text, struct pid_stat *p);

/* /proc/<pid>/status: the real uid (first number of the "Uid:" line). */
bool parse_status_uid(const char *text, uint64_t *uid);

/* /proc/<pid>/cmdline in place: NULs between arguments become blanks, trailing NULs go.
 * buf must have room for n + 1 bytes. Returns the new length (the text is NUL-terminated at it). */
size_t cmdline_text(char *buf, size_t n);

#endif
