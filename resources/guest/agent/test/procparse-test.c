/*
 * Host test program for the monitor's /proc parsers (../procparse.c).
 *
 *   procparse-test FIXTURE_DIR   check the texts captured from the real guest (test/fixtures)
 *                                against the values read off them by hand; exit 1 on a mismatch
 *   procparse-test --batch       read inputs from stdin, print what the parsers make of them:
 *                                the property test (src-main/core/monitor/proc-parsers.test.ts)
 *                                feeds it generated /proc texts
 *
 * Batch input: repeated [kind: 1 byte][length: u32 little-endian][text]; kinds s (stat),
 * n (stat's per-IRQ counts), m (meminfo), i (interrupts), p (pid stat), u (status Uid), c (cmdline). One output line per
 * input; strings are printed in hex so that any byte survives.
 */
#include "../procparse.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                                  \
		}                                                                    \
	} while (0)

static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(2);
	}
	char *buf = malloc(1 << 16);
	size_t n = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static void check_fixtures(const char *dir)
{
	struct sys_stat st;
	char *t = slurp(dir, "stat", NULL);
	CHECK(parse_stat(t, &st) == 31);
	uint64_t cpu[CPU_N] = {35, 0, 266, 4, 0, 0, 0, 0};
	CHECK(!memcmp(st.cpu, cpu, sizeof cpu));
	CHECK(st.ctxt == 665 && st.processes == 42 && st.running == 1 && st.blocked == 0);
	uint64_t intr[400];
	CHECK(parse_intr_counts(st.intr, intr, 400) > 307);
	CHECK(intr[37] == 68 && intr[38] == 9 && intr[39] == 50 && intr[42] == 303 && intr[41] == 0);
	CHECK(parse_intr_counts(st.intr, intr, 40) == 40 && intr[39] == 50);
	CHECK(parse_intr_counts(NULL, intr, 4) == 0 && intr[3] == 0);
	free(t);

	struct mem_info m;
	t = slurp(dir, "meminfo", NULL);
	CHECK(parse_meminfo(t, &m) == 0x7f);
	uint64_t kb[MEM_N] = {57272, 39052, 40272, 16, 9520, 9520, 6040};
	CHECK(!memcmp(m.kb, kb, sizeof kb));
	free(t);

	struct irq_row rows[64];
	t = slurp(dir, "interrupts", NULL);
	int n = parse_interrupts(t, rows, 64);
	CHECK(n == 16);
	CHECK(!strcmp(rows[0].id, "19") && !strcmp(rows[0].desc, "SC 3 Edge ohci_hcd:usb1") && rows[0].count == 0);
	CHECK(!strcmp(rows[7].id, "38") && !strcmp(rows[7].desc, "SC 22 Edge UART1") && rows[7].count == 9);
	CHECK(!strcmp(rows[10].id, "42") && !strcmp(rows[10].desc, "SC 26 Edge ost0") && rows[10].count == 310);
	CHECK(!strcmp(rows[14].id, "307") && !strcmp(rows[14].desc, "pxa_cplds 3 Edge eth0"));
	CHECK(!strcmp(rows[15].id, "Err") && rows[15].desc[0] == 0 && rows[15].count == 0);
	CHECK(parse_interrupts(t, rows, 3) == 3); /* the caller's limit holds */
	free(t);

	struct pid_stat p;
	t = slurp(dir, "pid-stat-odd-comm", NULL);
	CHECK(parse_pid_stat(t, &p));
	CHECK(!strcmp(p.comm, "x) y (z") && p.state == 'S' && p.ppid == 33);
	CHECK(p.utime == 1 && p.stime == 2 && p.threads == 1 && p.start == 300 && p.vsize == 2150400 && p.rss_pages == 303);
	free(t);
	t = slurp(dir, "pid-stat-init", NULL);
	CHECK(parse_pid_stat(t, &p));
	CHECK(!strcmp(p.comm, "init") && p.ppid == 0 && p.utime == 7 && p.stime == 74 && p.start == 4 && p.rss_pages == 301);
	free(t);
	t = slurp(dir, "pid-stat-kthreadd", NULL);
	CHECK(parse_pid_stat(t, &p));
	CHECK(!strcmp(p.comm, "kthreadd") && p.stime == 1 && p.vsize == 0 && p.rss_pages == 0);
	free(t);

	/* Every line of a whole /proc listing parses; the agent's own line has its values. */
	t = slurp(dir, "pid-stat-all", NULL);
	int lines = 0, agent = 0;
	for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
		lines++;
		CHECK(parse_pid_stat(line, &p));
		if (!strcmp(p.comm, "benchtop-agent")) {
			agent++;
			CHECK(p.ppid == 30 && p.utime == 3 && p.stime == 14 && p.start == 241 && p.vsize == 872448 && p.rss_pages == 128);
		}
	}
	CHECK(lines == 30 && agent == 1);
	free(t);

	uint64_t uid = 99;
	t = slurp(dir, "pid-status", NULL);
	CHECK(parse_status_uid(t, &uid) && uid == 0);
	free(t);

	char cmd[] = "/bin/busybox\0sh\0/init\0";
	CHECK(cmdline_text(cmd, sizeof cmd - 1) == 21 && !strcmp(cmd, "/bin/busybox sh /init"));

	/* Truncated and empty texts: nothing found, nothing read past the end. */
	CHECK(!parse_pid_stat("41 (x) y (z) S 33 41", &p));
	CHECK(!parse_pid_stat("", &p));
	CHECK(parse_stat("", &st) == 0 && parse_meminfo("MemTotal:", &m) == 0);
	CHECK(parse_interrupts("", rows, 64) == 0);
}

static void hex(const char *s, size_t n)
{
	if (!n)
		putchar('-');
	for (size_t i = 0; i < n; i++)
		printf("%02x", (unsigned char)s[i]);
}

static void batch(void)
{
	static char buf[1 << 20];
	static struct irq_row rows[256];
	unsigned char hdr[5];
	while (fread(hdr, 1, 5, stdin) == 5) {
		uint32_t n = hdr[1] | hdr[2] << 8 | hdr[3] << 16 | (uint32_t)hdr[4] << 24;
		if (n >= sizeof buf || fread(buf, 1, n, stdin) != n)
			exit(3);
		buf[n] = 0;
		switch (hdr[0]) {
		case 's': {
			struct sys_stat st;
			unsigned f = parse_stat(buf, &st);
			printf("s %u", f);
			for (int i = 0; i < CPU_N; i++)
				printf(" %" PRIu64, st.cpu[i]);
			printf(" %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", st.ctxt, st.processes, st.running, st.blocked);
			break;
		}
		case 'n': {
			struct sys_stat st;
			static uint64_t intr[4096];
			parse_stat(buf, &st);
			int k = parse_intr_counts(st.intr, intr, 4096);
			printf("n %d", k);
			for (int i = 0; i < k; i++)
				printf(" %" PRIu64, intr[i]);
			putchar('\n');
			break;
		}
		case 'm': {
			struct mem_info m;
			unsigned f = parse_meminfo(buf, &m);
			printf("m %u", f);
			for (int i = 0; i < MEM_N; i++)
				printf(" %" PRIu64, m.kb[i]);
			putchar('\n');
			break;
		}
		case 'i': {
			int k = parse_interrupts(buf, rows, 256);
			printf("i %d", k);
			for (int i = 0; i < k; i++) {
				putchar(' ');
				hex(rows[i].id, strlen(rows[i].id));
				putchar(' ');
				hex(rows[i].desc, strlen(rows[i].desc));
				printf(" %" PRIu64, rows[i].count);
			}
			putchar('\n');
			break;
		}
		case 'p': {
			struct pid_stat p;
			bool ok = parse_pid_stat(buf, &p);
			printf("p %d ", ok);
			hex(p.comm, strlen(p.comm));
			printf(" %d %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", (unsigned char)p.state,
			       p.ppid, p.utime, p.stime, p.threads, p.start, p.vsize, p.rss_pages);
			break;
		}
		case 'u': {
			uint64_t uid = 0;
			bool ok = parse_status_uid(buf, &uid);
			printf("u %d %" PRIu64 "\n", ok, uid);
			break;
		}
		case 'c': {
			size_t k = cmdline_text(buf, n);
			printf("c ");
			hex(buf, k);
			putchar('\n');
			break;
		}
		default:
			exit(3);
		}
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--batch")) {
		batch();
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: procparse-test FIXTURE_DIR | --batch\n");
		return 2;
	}
	check_fixtures(argv[1]);
	if (failures) {
		fprintf(stderr, "procparse: %d checks failed\n", failures);
		return 1;
	}
	printf("procparse: fixtures from the guest parse as expected\n");
	return 0;
}
