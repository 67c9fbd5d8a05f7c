/*
 * What one monitor sample costs in the guest, piece by piece: CPU time (CLOCK_PROCESS_CPUTIME_ID,
 * the scheduler's exact runtime) of N repetitions of each read the sampler does. A tool for
 * tuning monitor.c, not part of the agent:
 *   arm-linux-gnueabi-gcc -static -Os -o moncost test/moncost.c procparse.c
 *   moncost [N]
 */
#define _GNU_SOURCE
#include "../procparse.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

static char buf[65536];

static double cpu_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static ssize_t pread_all(int fd)
{
	ssize_t n = 0, k;
	while ((k = pread(fd, buf + n, sizeof buf - 1 - n, n)) > 0)
		n += k;
	buf[n] = 0;
	return n;
}

#define TIME(label, n, body)                                                          \
	do {                                                                          \
		double t0 = cpu_us();                                                 \
		for (int i_ = 0; i_ < (n); i_++) {                                    \
			body;                                                         \
		}                                                                     \
		printf("%-34s %8.1f us\n", label, (cpu_us() - t0) / (n));             \
	} while (0)

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200;
	int fs = open("/proc/stat", O_RDONLY), fm = open("/proc/meminfo", O_RDONLY), fi = open("/proc/interrupts", O_RDONLY);
	int fl = open("/proc/loadavg", O_RDONLY);
	struct sys_stat st;
	struct mem_info mi;
	struct irq_row rows[128];
	TIME("pread /proc/stat", n, pread_all(fs));
	TIME("pread+parse /proc/stat", n, (pread_all(fs), parse_stat(buf, &st)));
	TIME("pread /proc/meminfo", n, pread_all(fm));
	TIME("pread+parse /proc/meminfo", n, (pread_all(fm), parse_meminfo(buf, &mi)));
	TIME("pread /proc/interrupts", n, pread_all(fi));
	TIME("pread+parse /proc/interrupts", n, (pread_all(fi), parse_interrupts(buf, rows, 128)));
	TIME("pread /proc/loadavg", n, pread_all(fl));
	TIME("clock_gettime", n, cpu_us());
	TIME("select(0 fds, timeout 0)", n, ({ struct timeval tv = {0, 0}; select(0, NULL, NULL, NULL, &tv); }));
	int dn = open("/dev/null", O_WRONLY);
	TIME("write 60 B to /dev/null", n, write(dn, buf, 60));
	DIR *d = opendir("/proc");
	int np = 0;
	TIME("readdir /proc", n / 10 + 1, ({ rewinddir(d); struct dirent *e; np = 0; while ((e = readdir(d))) np++; }));
	TIME("scan: open/read/close pid stat", n / 10 + 1, ({
		rewinddir(d); struct dirent *e; struct pid_stat ps;
		while ((e = readdir(d))) {
			if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
			char p[64]; snprintf(p, sizeof p, "/proc/%s/stat", e->d_name);
			int fd = open(p, O_RDONLY); if (fd < 0) continue;
			ssize_t k = read(fd, buf, 1023); close(fd); if (k > 0) { buf[k] = 0; parse_pid_stat(buf, &ps); }
		}
	}));
	printf("(%d entries in /proc)\n", np);
	static int fds[1024];
	int nf = 0;
	rewinddir(d);
	struct dirent *e;
	while ((e = readdir(d)) && nf < 1024) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
		char p[64]; snprintf(p, sizeof p, "/proc/%s/stat", e->d_name);
		int fd = open(p, O_RDONLY); if (fd >= 0) fds[nf++] = fd;
	}
	TIME("scan: pread kept pid stat fds", n / 10 + 1, ({
		struct pid_stat ps;
		for (int k = 0; k < nf; k++) { ssize_t r = pread(fds[k], buf, 1023, 0); if (r > 0) { buf[r] = 0; parse_pid_stat(buf, &ps); } }
	}));
	nf = 0;
	rewinddir(d);
	while ((e = readdir(d)) && nf < 1024) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
		char p[64]; snprintf(p, sizeof p, "/proc/%s/schedstat", e->d_name);
		int fd = open(p, O_RDONLY); if (fd >= 0) fds[nf++] = fd;
	}
	TIME("scan: pread kept schedstat fds", n / 10 + 1, ({
		for (int k = 0; k < nf; k++) pread(fds[k], buf, 1023, 0);
	}));
	printf("(%d pids)\n", nf);
	return 0;
}
