/*
 * Guest test program: print every EV_KEY event of one input device, one line each:
 * "key <code> <value>" (value 1 = press, 0 = release, 2 = autorepeat). The device is the
 * /dev/input/event* whose name contains argv[1] (e.g. "keypad", "USB Keyboard"), so the test
 * does not depend on the order the kernel probed the devices in. Prints "ready <path> <name>"
 * once it reads, so the host knows when keys can be sent.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/input.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
	const char *want = argc > 1 ? argv[1] : "";
	char path[300], name[128];
	int fd = -1;
	DIR *d = opendir("/dev/input");
	struct dirent *e;
	if (!d) { perror("/dev/input"); return 1; }
	while (fd < 0 && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "event", 5) != 0) continue;
		snprintf(path, sizeof path, "/dev/input/%s", e->d_name);
		int f = open(path, O_RDONLY);
		if (f < 0) continue;
		memset(name, 0, sizeof name);
		if (ioctl(f, EVIOCGNAME(sizeof name - 1), name) >= 0 && strstr(name, want)) fd = f;
		else close(f);
	}
	closedir(d);
	if (fd < 0) { fprintf(stderr, "no input device named like '%s'\n", want); return 2; }
	printf("ready %s %s\n", path, name);
	fflush(stdout);
	struct input_event ev;
	while (read(fd, &ev, sizeof ev) == (ssize_t)sizeof ev) {
		if (ev.type != EV_KEY) continue;
		printf("key %u %d\n", ev.code, ev.value);
		fflush(stdout);
	}
	perror("read");
	return 3;
}
