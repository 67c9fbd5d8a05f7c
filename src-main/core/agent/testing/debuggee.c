/*
 * Debuggee for the agent's integration tests (cross-compiled static, -O0 -g).
 *   debuggee spin        endless loop (a gdb `continue` never comes back by itself)
 *   debuggee one N       calls bp_one(N * 6) once, then spins
 *   debuggee two N       calls bp_two(N * 7) once, then spins
 * `answer` holds the last argument a bp_* function got, for gdb to read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile unsigned long counter;
volatile int answer;

void __attribute__((noinline)) bp_one(int v)
{
	answer = v;
}

void __attribute__((noinline)) bp_two(int v)
{
	answer = v + 1000;
}

static void __attribute__((noinline)) spin(void)
{
	for (;;)
		counter++;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 7;
	printf("debuggee %s: started\n", argc > 1 ? argv[1] : "spin");
	fflush(stdout);
	for (int i = 0; i < 1000; i++)
		counter++;
	if (argc > 1 && !strcmp(argv[1], "one"))
		bp_one(n * 6);
	else if (argc > 1 && !strcmp(argv[1], "two"))
		bp_two(n * 7);
	spin();
	return 0;
}
