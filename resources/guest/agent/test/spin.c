/* Debuggee for the GDB tests in the guest: prints once, then spins for ever, so a gdb
 * `continue` never comes back on its own (the agent must keep serving everyone else). */
#include <stdio.h>

volatile unsigned long counter;

int main(void)
{
	printf("spin: started\n");
	fflush(stdout);
	for (;;)
		counter++;
}
