/*
 * Test program for the monitor: allocates argv[1] MiB, touches every page (so it is resident,
 * not just reserved), says "ready" and waits until killed. The monitor's used-memory chart
 * must rise by about that much.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 8;
	size_t n = mib << 20;
	char *p = malloc(n);
	if (!p) {
		fprintf(stderr, "cannot allocate %zu MiB\n", mib);
		return 1;
	}
	/* Distinct bytes per page: the kernel cannot share zero pages. */
	for (size_t i = 0; i < n; i += 4096)
		p[i] = (char)(i >> 12);
	memset(p, 0x5a, n);
	printf("ready %zu MiB\n", mib);
	fflush(stdout);
	for (;;)
		pause();
}
