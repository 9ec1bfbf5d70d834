/*
 * xs-client: one XenStore request from a Linux domU, spoken on /dev/xen/xenbus in the wire
 * protocol (xs_wire.h: a 16-byte header, then the payload), so a check sees xenstored's own
 * answer, including the XS_ERROR name (EACCES, ENOENT...), which the stock tools hide.
 *
 *   xs-client read  PATH          -> "ok VALUE"
 *   xs-client write PATH VALUE    -> "ok"
 *   xs-client dir   PATH          -> "ok CHILD CHILD ..."
 *   xs-client rm    PATH          -> "ok"
 * On an XS_ERROR reply: "error NAME", exit 1. On a local failure: "fail WHAT: strerror", exit 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { XS_DIRECTORY = 1, XS_READ = 2, XS_WRITE = 11, XS_RM = 13, XS_ERROR = 16 };
enum { MAX_PAYLOAD = 4096 };

struct header {
	uint32_t type;
	uint32_t req_id;
	uint32_t tx_id;
	uint32_t len;
};

static int fail(const char *what) {
	printf("fail %s: %s\n", what, strerror(errno));
	return 2;
}

static int read_full(int fd, void *buf, size_t len) {
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int main(int argc, char **argv) {
	if (argc < 3) {
		fprintf(stderr, "usage: xs-client read|write|dir|rm PATH [VALUE]\n");
		return 2;
	}
	const char *op = argv[1], *path = argv[2];
	uint32_t type;
	if (!strcmp(op, "read"))
		type = XS_READ;
	else if (!strcmp(op, "dir"))
		type = XS_DIRECTORY;
	else if (!strcmp(op, "rm"))
		type = XS_RM;
	else if (!strcmp(op, "write") && argc == 4)
		type = XS_WRITE;
	else {
		fprintf(stderr, "xs-client: unknown request %s\n", op);
		return 2;
	}

	/* Payload: PATH NUL, then for a write the value without its NUL. */
	static char msg[sizeof(struct header) + MAX_PAYLOAD];
	size_t plen = strlen(path) + 1;
	size_t vlen = type == XS_WRITE ? strlen(argv[3]) : 0;
	if (plen + vlen > MAX_PAYLOAD) {
		errno = E2BIG;
		return fail("request");
	}
	struct header h = { type, 0x70766331u, 0, (uint32_t)(plen + vlen) };
	memcpy(msg, &h, sizeof h);
	memcpy(msg + sizeof h, path, plen);
	if (vlen)
		memcpy(msg + sizeof h + plen, argv[3], vlen);

	int fd = open("/dev/xen/xenbus", O_RDWR);
	if (fd < 0)
		return fail("open /dev/xen/xenbus");
	if (write(fd, msg, sizeof h + plen + vlen) != (ssize_t)(sizeof h + plen + vlen))
		return fail("write");
	struct header r;
	static char body[MAX_PAYLOAD + 1];
	if (read_full(fd, &r, sizeof r) < 0)
		return fail("read header");
	if (r.len > MAX_PAYLOAD) {
		errno = EMSGSIZE;
		return fail("reply");
	}
	if (read_full(fd, body, r.len) < 0)
		return fail("read payload");
	body[r.len] = '\0';
	close(fd);

	if (r.type == XS_ERROR) {
		printf("error %s\n", body);
		return 1;
	}
	if (r.type != type) {
		printf("fail reply: type %u to a request of type %u\n", r.type, type);
		return 2;
	}
	if (type == XS_DIRECTORY) {
		/* NUL-separated names. */
		fputs("ok", stdout);
		for (uint32_t i = 0; i < r.len; i += (uint32_t)strlen(body + i) + 1)
			if (body[i])
				printf(" %s", body + i);
		putchar('\n');
	} else if (type == XS_READ) {
		printf("ok %s\n", body);
	} else {
		puts("ok");
	}
	return 0;
}
