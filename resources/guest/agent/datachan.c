/*
 * The data channel (protocol section 4d): a TCP listener for bulk file bytes. The reliable
 * UART link stays the control path (PUT_BEGIN / PUT_END / GET / STREAM_END, sizes, CRCs);
 * a TCP connection only carries the bytes of one transfer, like FTP's data connection: the
 * UART moves ~0.03 MiB/s, QEMU's user network ≥ 1 MiB/s.
 *
 * This file accepts connections and reads their 28-byte header (magic, version, direction,
 * handle, token); fs.c owns the transfers and, once a header names one of its transfers with
 * the right token, the connection (fs_dc_attach). Until then a connection is one fd in the
 * select() loop, never blocking: a peer that connects and says nothing is dropped after
 * DC_HEADER_MS. Only QEMU's slirp reaches the guest's port (the host forward listens on
 * 127.0.0.1 only), and the token keeps anyone else who can connect from writing into, or
 * reading out of, somebody's transfer.
 */
#include "agent.h"

#ifndef DC_RCVBUF
#define DC_RCVBUF 6144
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DC_PENDING 4        /* connections still sending their header */
#define DC_HEADER_MS 10000 /* a connection that sends no full header in this time is closed */

struct pending {
	int fd;
	uint8_t hdr[DC_HDR_LEN];
	size_t got;
	uint64_t since;
};

static int lfd = -1;
static unsigned lport;
static struct pending pend[DC_PENDING];
static int npend;

unsigned datachan_port(void)
{
	return lfd >= 0 ? lport : 0;
}

int datachan_init(const char *spec)
{
	if (!spec || !strcmp(spec, "off"))
		return 0;
	char host[64];
	const char *colon = strrchr(spec, ':');
	if (!colon || (size_t)(colon - spec) >= sizeof host) {
		logmsg(0, "--data-listen %s: want ADDR:PORT or off", spec);
		return -1;
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = 0;
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)strtoul(colon + 1, NULL, 10));
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		logmsg(0, "--data-listen %s: bad address", spec);
		return -1;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	/* The agent may be restarted by /init while old connections sit in TIME_WAIT. */
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/*
	 * A small receive window (inherited by accepted sockets): QEMU's smc91c111 has 4 packet
	 * buffers, and once they are full slirp queues the host's segments and retries them only
	 * on a timer (~40 ms a segment: 0.06 MiB/s measured with the default window). A window of
	 * about four segments keeps the NIC from refusing one. Measured PUT of 1–4 MB, MiB/s:
	 * default 0.06 · 2048: 0.56 · 4096: 1.0 · 6144: 1.3–2.3 · 8192: 2.4–3.2 · 16384: 0.06.
	 * 6144, not 8192: the cliff is near, and a busy guest drains the NIC more slowly.
	 */
	int rcvbuf = DC_RCVBUF;
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, DC_PENDING) < 0) {
		logmsg(0, "data channel on %s: %s (transfers use the link only)", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	socklen_t len = sizeof a;
	getsockname(fd, (struct sockaddr *)&a, &len);
	lfd = fd;
	lport = ntohs(a.sin_port);
	logmsg(1, "data channel listening on %s:%u", host, lport);
	return 0;
}

void datachan_fdset(fd_set *rd, int *maxfd)
{
	if (lfd < 0)
		return;
	FD_ADD(lfd, rd, maxfd);
	for (int i = 0; i < npend; i++)
		FD_ADD(pend[i].fd, rd, maxfd);
}

int64_t datachan_deadline(void)
{
	int64_t d = -1;
	for (int i = 0; i < npend; i++) {
		int64_t t = (int64_t)(pend[i].since + DC_HEADER_MS);
		if (d < 0 || t < d)
			d = t;
	}
	return d;
}

static void drop(int i, uint8_t status)
{
	if (status != DC_OK) {
		/* One byte on a fresh socket always fits its send buffer: never blocks. */
		if (send(pend[i].fd, &status, 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			logmsg(2, "data channel: status: %s", strerror(errno));
		close(pend[i].fd);
	}
	pend[i] = pend[--npend];
}

static void on_header(int i)
{
	const uint8_t *h = pend[i].hdr;
	if (memcmp(h, DC_MAGIC, 4) || h[4] != DC_VERSION || (h[5] != DC_PUT && h[5] != DC_GET)) {
		logmsg(1, "data channel: bad header (magic/version/direction)");
		drop(i, DC_BAD_HEADER);
		return;
	}
	uint32_t handle = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 | (uint32_t)h[11] << 24;
	int fd = pend[i].fd;
	if (fs_dc_attach(h[5], handle, h + 12, fd) < 0) {
		logmsg(1, "data channel: refused (%s %u: no such transfer waiting, or a wrong token)",
		       h[5] == DC_PUT ? "put" : "get", handle);
		drop(i, DC_REFUSED);
		return;
	}
	uint8_t ok = DC_OK;
	if (send(fd, &ok, 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		logmsg(1, "data channel: status: %s", strerror(errno)); /* fs.c sees the error next */
	drop(i, DC_OK); /* fs.c owns the fd now */
}

void datachan_ready(fd_set *rd, uint64_t now)
{
	if (lfd < 0)
		return;
	for (int i = npend - 1; i >= 0; i--) {
		if (FD_ISSET(pend[i].fd, rd)) {
			ssize_t n = recv(pend[i].fd, pend[i].hdr + pend[i].got, DC_HDR_LEN - pend[i].got, MSG_DONTWAIT);
			if (n > 0) {
				pend[i].got += (size_t)n;
				if (pend[i].got == DC_HDR_LEN)
					on_header(i);
				continue;
			}
			if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(pend[i].fd);
				pend[i] = pend[--npend];
				continue;
			}
		}
		if (now >= pend[i].since + DC_HEADER_MS) {
			logmsg(1, "data channel: no header within %d ms", DC_HEADER_MS);
			drop(i, DC_BAD_HEADER);
		}
	}
	if (FD_ISSET(lfd, rd)) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (npend == DC_PENDING) {
			logmsg(1, "data channel: %d connections without a header already; refused", DC_PENDING);
			close(fd);
			return;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		pend[npend++] = (struct pending){.fd = fd, .got = 0, .since = now};
	}
}
