/*
 * pvprobe: performs pvbus(4) ioctls and XenStore requests directly, with the buffer sizes and
 * open modes a conformance check asks for, and prints what happened as one JSON document.
 *
 *   pvprobe pvbus  [-f device]... [-k key] [-w key -v value]
 *   pvprobe xenbus [-f path] op...      op: read PATH | dir PATH | write PATH VALUE
 *
 * The output format is described in README.md next to this file. The exit status is 0 whenever
 * the JSON document was printed (failed calls are data, not errors), 2 for a bad command line
 * and 1 when the probe itself cannot go on (out of memory).
 *
 * It builds with the guest's own cc on OpenBSD (using <dev/pv/pvvar.h>) and NetBSD, and on
 * Linux, where it carries its own definitions so CI can build it with -Wall -Wextra -Werror and
 * run its error paths for real.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#if defined(__linux__)
#include <sys/sysmacros.h>
#endif
#if defined(__OpenBSD__)
#include <dev/pv/pvvar.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------------ */
/* pvbus request and ioctl numbers                                                             */

#if !defined(__OpenBSD__)
/* Same members, in the same order, as OpenBSD's pvvar.h (guest-facts.md 1.1). */
struct pvbus_req {
	size_t	 pvr_keylen;
	char	*pvr_key;
	size_t	 pvr_valuelen;
	char	*pvr_value;
};
#endif

/* The 64 KiB bound came to pvvar.h in 2023 (rev 1.11); older headers lack the name. */
#if defined(PVBUS_KVOP_MAXSIZE)
#define MAXSIZE_FROM	"system"
#else
#define PVBUS_KVOP_MAXSIZE	(64 * 1024)
#define MAXSIZE_FROM	"probe"
#endif

/* OpenBSD's _IOWR('V', n, struct pvbus_req): IOC_INOUT | length << 16 | group << 8 | number. */
#define PVPROBE_IOWR(n) \
	((unsigned long)(0xC0000000UL | (((unsigned long)sizeof(struct pvbus_req) & 0x1fffUL) << 16) | \
	    ((unsigned long)'V' << 8) | (unsigned long)(n)))

/* The numbers guest-facts.md 1.1 gives, per ABI; checked against the formula above. */
#if defined(__LP64__) || defined(_LP64)
#define PVPROBE_KVREAD_NUMBER	0xC0205601UL
#define PVPROBE_KVWRITE_NUMBER	0xC0205602UL
#define PVPROBE_TYPE_NUMBER	0xC0205603UL
#else
#define PVPROBE_KVREAD_NUMBER	0xC0105601UL
#define PVPROBE_KVWRITE_NUMBER	0xC0105602UL
#define PVPROBE_TYPE_NUMBER	0xC0105603UL
#endif
typedef char pvprobe_kvread_number_matches[(PVPROBE_IOWR(1) == PVPROBE_KVREAD_NUMBER) ? 1 : -1];
typedef char pvprobe_kvwrite_number_matches[(PVPROBE_IOWR(2) == PVPROBE_KVWRITE_NUMBER) ? 1 : -1];
typedef char pvprobe_type_number_matches[(PVPROBE_IOWR(3) == PVPROBE_TYPE_NUMBER) ? 1 : -1];

/* Which names the system header defines: the manual names PVBUSIOC_KVTYPE, the header
 * PVBUSIOC_TYPE (guest-facts.md 1.1); the report says which ones this system has. */
#if defined(PVBUSIOC_KVREAD)
#define KVREAD_CMD	((unsigned long)PVBUSIOC_KVREAD)
#define KVREAD_FROM	"system"
#else
#define KVREAD_CMD	PVPROBE_KVREAD_NUMBER
#define KVREAD_FROM	"probe"
#endif
#if defined(PVBUSIOC_KVWRITE)
#define KVWRITE_CMD	((unsigned long)PVBUSIOC_KVWRITE)
#define KVWRITE_FROM	"system"
#else
#define KVWRITE_CMD	PVPROBE_KVWRITE_NUMBER
#define KVWRITE_FROM	"probe"
#endif
#if defined(PVBUSIOC_TYPE)
#define TYPE_CMD	((unsigned long)PVBUSIOC_TYPE)
#define TYPE_FROM	"system"
#else
#define TYPE_CMD	PVPROBE_TYPE_NUMBER
#define TYPE_FROM	"probe"
#endif

/* ------------------------------------------------------------------------------------------ */
/* XenStore wire protocol (xs_wire.h in Xen's public headers)                                  */

struct pvprobe_xsd_sockmsg {
	uint32_t type;
	uint32_t req_id;
	uint32_t tx_id;
	uint32_t len;
};
#define XS_DIRECTORY	1
#define XS_READ		2
#define XS_WRITE	11
#define XS_ERROR	16

/* ------------------------------------------------------------------------------------------ */
/* JSON output                                                                                  */

static int first_member = 1;

static void
json_string(const char *s, size_t len)
{
	size_t i;

	putchar('"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);	/* bytes above ASCII read as Latin-1: lossless */
		else
			putchar(c);
	}
	putchar('"');
}

static void
json_cstring(const char *s)
{
	if (s == NULL)
		fputs("null", stdout);
	else
		json_string(s, strlen(s));
}

static void
json_open(char c)
{
	putchar(c);
	first_member = 1;
}

static void
json_close(char c)
{
	putchar(c);
	first_member = 0;
}

static void
json_key(const char *key)
{
	if (!first_member)
		putchar(',');
	first_member = 0;
	if (key != NULL) {
		json_cstring(key);
		putchar(':');
	}
}

static void
member_string(const char *key, const char *value)
{
	json_key(key);
	json_cstring(value);
}

static void
member_number(const char *key, long long value)
{
	json_key(key);
	printf("%lld", value);
}

static void
member_bool(const char *key, int value)
{
	json_key(key);
	fputs(value ? "true" : "false", stdout);
}

static void
member_null(const char *key)
{
	json_key(key);
	fputs("null", stdout);
}

/* ------------------------------------------------------------------------------------------ */
/* errno by name                                                                               */

static const char *
errno_name(int e)
{
	static char unknown[32];

	switch (e) {
	case 0: return NULL;
#ifdef EPERM
	case EPERM: return "EPERM";
#endif
#ifdef ENOENT
	case ENOENT: return "ENOENT";
#endif
#ifdef EIO
	case EIO: return "EIO";
#endif
#ifdef ENXIO
	case ENXIO: return "ENXIO";
#endif
#ifdef EBADF
	case EBADF: return "EBADF";
#endif
#ifdef ENOMEM
	case ENOMEM: return "ENOMEM";
#endif
#ifdef EACCES
	case EACCES: return "EACCES";
#endif
#ifdef EFAULT
	case EFAULT: return "EFAULT";
#endif
#ifdef EBUSY
	case EBUSY: return "EBUSY";
#endif
#ifdef EEXIST
	case EEXIST: return "EEXIST";
#endif
#ifdef ENODEV
	case ENODEV: return "ENODEV";
#endif
#ifdef ENOTDIR
	case ENOTDIR: return "ENOTDIR";
#endif
#ifdef EISDIR
	case EISDIR: return "EISDIR";
#endif
#ifdef EINVAL
	case EINVAL: return "EINVAL";
#endif
#ifdef ENOTTY
	case ENOTTY: return "ENOTTY";
#endif
#ifdef ENOSPC
	case ENOSPC: return "ENOSPC";
#endif
#ifdef EROFS
	case EROFS: return "EROFS";
#endif
#ifdef ERANGE
	case ERANGE: return "ERANGE";
#endif
#ifdef EAGAIN
	case EAGAIN: return "EAGAIN";
#endif
#if defined(EWOULDBLOCK) && defined(EAGAIN) && EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK: return "EWOULDBLOCK";
#endif
#ifdef EMSGSIZE
	case EMSGSIZE: return "EMSGSIZE";
#endif
#ifdef EOPNOTSUPP
	case EOPNOTSUPP: return "EOPNOTSUPP";
#endif
#if defined(ENOTSUP) && defined(EOPNOTSUPP) && ENOTSUP != EOPNOTSUPP
	case ENOTSUP: return "ENOTSUP";
#endif
#ifdef EISCONN
	case EISCONN: return "EISCONN";
#endif
#ifdef ENAMETOOLONG
	case ENAMETOOLONG: return "ENAMETOOLONG";
#endif
#ifdef ENOTEMPTY
	case ENOTEMPTY: return "ENOTEMPTY";
#endif
#ifdef ENOSYS
	case ENOSYS: return "ENOSYS";
#endif
	default:
		snprintf(unknown, sizeof(unknown), "E#%d", e);
		return unknown;
	}
}

static void
member_errno(const char *key, int e)
{
	if (e == 0)
		member_null(key);
	else
		member_string(key, errno_name(e));
}

static void *
xcalloc(size_t n)
{
	void *p = calloc(1, n);

	if (p == NULL) {
		fprintf(stderr, "pvprobe: out of memory (%zu bytes)\n", n);
		exit(1);
	}
	return p;
}

/* ------------------------------------------------------------------------------------------ */
/* Common report parts                                                                          */

static void
print_platform(void)
{
	struct utsname u;

	json_key("platform");
	json_open('{');
	if (uname(&u) == 0) {
		member_string("sysname", u.sysname);
		member_string("release", u.release);
		member_string("machine", u.machine);
	} else {
		member_errno("error", errno);
	}
	member_number("uid", (long long)geteuid());
	json_close('}');
}

static void
print_stat(const char *path)
{
	struct stat st;
	struct passwd *pw;
	struct group *gr;
	char mode[8];

	json_key("stat");
	json_open('{');
	if (stat(path, &st) != 0) {
		member_bool("ok", 0);
		member_errno("errno", errno);
		json_close('}');
		return;
	}
	member_bool("ok", 1);
	member_null("errno");
	member_string("kind", S_ISCHR(st.st_mode) ? "char" : S_ISBLK(st.st_mode) ? "block" :
	    S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "directory" : "other");
	snprintf(mode, sizeof(mode), "%04o", (unsigned int)(st.st_mode & 07777));
	member_string("mode", mode);
	member_number("uid", (long long)st.st_uid);
	member_number("gid", (long long)st.st_gid);
	pw = getpwuid(st.st_uid);
	member_string("owner", pw != NULL ? pw->pw_name : NULL);
	gr = getgrgid(st.st_gid);
	member_string("group", gr != NULL ? gr->gr_name : NULL);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		member_number("major", (long long)major(st.st_rdev));
		member_number("minor", (long long)minor(st.st_rdev));
	}
	json_close('}');
}

static void
print_open(const char *key, int fd, int err)
{
	json_key(key);
	json_open('{');
	member_bool("ok", fd >= 0);
	member_errno("errno", fd >= 0 ? 0 : err);
	json_close('}');
}

/* ------------------------------------------------------------------------------------------ */
/* pvbus mode                                                                                   */

#define TYPE_KEYLEN	256	/* enough for any name in pvbus.c's table */
#define MAX_DEVICES	32

struct call {
	int	 ok;
	int	 err;
	char	*value;		/* what came back in the buffer the call fills, NUL-terminated */
	size_t	 valuelen;	/* strlen(value) */
};

/* One ioctl with the given buffer lengths; the key is copied into a buffer of exactly keylen
 * bytes (truncated when shorter), the value likewise. */
static struct call
pv_ioctl(int fd, unsigned long cmd, const char *key, size_t keylen, const char *value, size_t valuelen,
    int result_in_key)
{
	struct pvbus_req req;
	struct call c;
	char *kbuf, *vbuf;

	/* One spare byte past each stated length, so reading a result never runs off the end. */
	kbuf = xcalloc(keylen + 1);
	vbuf = xcalloc(valuelen + 1);
	if (key != NULL && keylen > 0)
		memcpy(kbuf, key, strlen(key) < keylen ? strlen(key) : keylen);
	if (value != NULL && valuelen > 0)
		memcpy(vbuf, value, strlen(value) < valuelen ? strlen(value) : valuelen);

	memset(&req, 0, sizeof(req));
	req.pvr_keylen = keylen;
	req.pvr_key = kbuf;
	req.pvr_valuelen = valuelen;
	req.pvr_value = vbuf;

	memset(&c, 0, sizeof(c));
	if (ioctl(fd, cmd, &req) == -1) {
		c.ok = 0;
		c.err = errno;
		free(kbuf);
		free(vbuf);
		return c;
	}
	c.ok = 1;
	if (result_in_key) {
		c.value = kbuf;
		free(vbuf);
	} else {
		c.value = vbuf;
		free(kbuf);
	}
	c.valuelen = strlen(c.value);
	return c;
}

static void
print_call(const char *name, const char *ioctl_name, const char *fdmode, size_t keylen, size_t valuelen,
    struct call *c)
{
	json_key(name);
	json_open('{');
	member_string("ioctl", ioctl_name);
	member_string("fd", fdmode);
	member_number("keylen", (long long)keylen);
	member_number("valuelen", (long long)valuelen);
	member_bool("ok", c->ok);
	member_errno("errno", c->ok ? 0 : c->err);
	if (c->ok && c->value != NULL) {
		json_key("value");
		json_string(c->value, c->valuelen);
	} else {
		member_null("value");
	}
	json_close('}');
	free(c->value);
	c->value = NULL;
}

static void
kvread(int fd, const char *name, const char *key, size_t keylen, size_t valuelen)
{
	struct call c = pv_ioctl(fd, KVREAD_CMD, key, keylen, NULL, valuelen, 0);

	print_call(name, "KVREAD", "rdonly", keylen, valuelen, &c);
}

static void
probe_pvbus_device(const char *path, const char *key, const char *wkey, const char *wvalue)
{
	int rd, rw, rd_err, rw_err;
	size_t keylen, vlen;
	struct call c, s4k;
	int known;

	json_key(NULL);
	json_open('{');
	member_string("path", path);
	print_stat(path);

	rd = open(path, O_RDONLY);
	rd_err = errno;
	print_open("openRdonly", rd, rd_err);
	rw = open(path, O_RDWR);
	rw_err = errno;
	print_open("openRdwr", rw, rw_err);

	json_key("calls");
	json_open('{');
	if (rd >= 0) {
		/* TYPE with room for any name, then with the key buffer one byte short of name + NUL. */
		c = pv_ioctl(rd, TYPE_CMD, NULL, TYPE_KEYLEN, NULL, 0, 1);
		if (c.ok) {
			size_t short_len = c.valuelen;
			struct call s = pv_ioctl(rd, TYPE_CMD, NULL, short_len, NULL, 0, 1);
			print_call("type", "TYPE", "rdonly", TYPE_KEYLEN, 0, &c);
			print_call("type-short", "TYPE", "rdonly", short_len, 0, &s);
		} else {
			print_call("type", "TYPE", "rdonly", TYPE_KEYLEN, 0, &c);
		}

		if (key != NULL) {
			keylen = strlen(key) + 1;
			/* 64 KiB and hostctl's 4096 first: whichever works tells the value's length for the
			 * exact-fit reads (kernels before 2023 refuse anything above PAGE_SIZE). */
			c = pv_ioctl(rd, KVREAD_CMD, key, keylen, NULL, PVBUS_KVOP_MAXSIZE, 0);
			s4k = pv_ioctl(rd, KVREAD_CMD, key, keylen, NULL, 4096, 0);
			known = c.ok || s4k.ok;
			vlen = c.ok ? c.valuelen : s4k.valuelen;
			print_call("kvread-64k", "KVREAD", "rdonly", keylen, PVBUS_KVOP_MAXSIZE, &c);
			print_call("kvread-4096", "KVREAD", "rdonly", keylen, 4096, &s4k);
			if (known) {
				kvread(rd, "kvread-exact", key, keylen, vlen + 1);
				if (vlen > 0)
					kvread(rd, "kvread-short", key, keylen, vlen);
			}
			kvread(rd, "kvread-1", key, keylen, 1);
			kvread(rd, "kvread-64k+1", key, keylen, (size_t)PVBUS_KVOP_MAXSIZE + 1);
			/* Length bounds: the kernel judges the buffer length, not the string in it. */
			kvread(rd, "kvread-keylen-0", key, 0, PVBUS_KVOP_MAXSIZE);
			kvread(rd, "kvread-valuelen-0", key, keylen, 0);
			kvread(rd, "kvread-keylen-4097", key, 4097, PVBUS_KVOP_MAXSIZE);
			kvread(rd, "kvread-valuelen-4097", key, keylen, 4097);
			kvread(rd, "kvread-keylen-64k+1", key, (size_t)PVBUS_KVOP_MAXSIZE + 1, PVBUS_KVOP_MAXSIZE);
		}

		/* KVWRITE on the read-only descriptor: the key is the one the caller chose to write, so a
		 * kernel that wrongly performs the write touches nothing else. */
		{
			const char *k = wkey != NULL ? wkey : key != NULL ? key : "pvconform/readonly-write";
			const char *v = wvalue != NULL ? wvalue : "pvconform";
			c = pv_ioctl(rd, KVWRITE_CMD, k, strlen(k) + 1, v, strlen(v) + 1, 0);
			print_call("kvwrite-rdonly", "KVWRITE", "rdonly", strlen(k) + 1, strlen(v) + 1, &c);
		}
	}
	if (rw >= 0 && wkey != NULL) {
		const char *v = wvalue != NULL ? wvalue : "";
		c = pv_ioctl(rw, KVWRITE_CMD, wkey, strlen(wkey) + 1, v, strlen(v) + 1, 0);
		print_call("kvwrite-rdwr", "KVWRITE", "rdwr", strlen(wkey) + 1, strlen(v) + 1, &c);
	}
	json_close('}');
	if (rd >= 0)
		close(rd);
	if (rw >= 0)
		close(rw);
	json_close('}');
}

static void
print_header_facts(void)
{
	char buf[32];

	json_key("header");
	json_open('{');
#if defined(__OpenBSD__)
	member_string("file", "dev/pv/pvvar.h");
#else
	member_null("file");
#endif
	json_key("KVREAD");
	json_open('{');
	snprintf(buf, sizeof(buf), "0x%08lx", KVREAD_CMD);
	member_string("value", buf);
	member_string("from", KVREAD_FROM);
	json_close('}');
	json_key("KVWRITE");
	json_open('{');
	snprintf(buf, sizeof(buf), "0x%08lx", KVWRITE_CMD);
	member_string("value", buf);
	member_string("from", KVWRITE_FROM);
	json_close('}');
	json_key("TYPE");
	json_open('{');
	snprintf(buf, sizeof(buf), "0x%08lx", TYPE_CMD);
	member_string("value", buf);
	member_string("from", TYPE_FROM);
	json_close('}');
	member_bool("definesPVBUSIOC_TYPE",
#if defined(PVBUSIOC_TYPE)
	    1
#else
	    0
#endif
	);
	member_bool("definesPVBUSIOC_KVTYPE",
#if defined(PVBUSIOC_KVTYPE)
	    1
#else
	    0
#endif
	);
	member_number("maxsize", (long long)PVBUS_KVOP_MAXSIZE);
	member_string("maxsizeFrom", MAXSIZE_FROM);
	member_number("requestSize", (long long)sizeof(struct pvbus_req));
	json_close('}');
}

static int
mode_pvbus(int argc, char **argv)
{
	const char *devices[MAX_DEVICES];
	int ndevices = 0, ch, i;
	const char *key = NULL, *wkey = NULL, *wvalue = NULL;
	char path[64];
	struct stat st;

	while ((ch = getopt(argc, argv, "f:k:w:v:")) != -1) {
		switch (ch) {
		case 'f':
			if (ndevices == MAX_DEVICES) {
				fprintf(stderr, "pvprobe: at most %d devices\n", MAX_DEVICES);
				return 2;
			}
			devices[ndevices++] = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'w':
			wkey = optarg;
			break;
		case 'v':
			wvalue = optarg;
			break;
		default:
			fprintf(stderr, "usage: pvprobe pvbus [-f device]... [-k key] [-w key -v value]\n");
			return 2;
		}
	}
	if (optind != argc || (wvalue != NULL && wkey == NULL)) {
		fprintf(stderr, "usage: pvprobe pvbus [-f device]... [-k key] [-w key -v value]\n");
		return 2;
	}

	json_open('{');
	member_string("probe", "pvprobe");
	member_number("version", 1);
	member_string("mode", "pvbus");
	print_platform();
	print_header_facts();
	member_string("key", key);
	member_string("writeKey", wkey);
	member_string("writeValue", wvalue);
	json_key("devices");
	json_open('[');
	if (ndevices > 0) {
		for (i = 0; i < ndevices; i++)
			probe_pvbus_device(devices[i], key, wkey, wvalue);
	} else {
		/* Every /dev/pvbusN node that exists; pvbus0 even when absent, so absence shows. */
		for (i = 0; i < MAX_DEVICES; i++) {
			snprintf(path, sizeof(path), "/dev/pvbus%d", i);
			if (i == 0 || stat(path, &st) == 0)
				probe_pvbus_device(path, key, wkey, wvalue);
		}
	}
	json_close(']');
	json_close('}');
	putchar('\n');
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* xenbus mode                                                                                  */

static const char *
xs_type_name(uint32_t type)
{
	switch (type) {
	case XS_DIRECTORY: return "DIRECTORY";
	case XS_READ: return "READ";
	case XS_WRITE: return "WRITE";
	case XS_ERROR: return "ERROR";
	default: return NULL;
	}
}

/* Reads exactly n bytes; the kernel may need a moment to queue the reply, so EAGAIN is retried
 * for up to about two seconds. Returns the count read, with *err set on failure. */
static size_t
read_fully(int fd, char *buf, size_t n, int *err)
{
	size_t got = 0;
	int tries = 0;
	struct timespec pause = { 0, 10 * 1000 * 1000 };

	*err = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r == 0)
			break;		/* end of file: not a xenbus device */
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN && tries++ < 200) {
			nanosleep(&pause, NULL);
			continue;
		}
		*err = errno;
		break;
	}
	return got;
}

static uint32_t next_req_id = 1;

static void
xs_op(int fd, const char *op, uint32_t type, const char *path, const char *value)
{
	struct pvprobe_xsd_sockmsg hdr, reply;
	size_t plen = strlen(path) + 1, vlen = value != NULL ? strlen(value) : 0, got;
	char *msg, *payload = NULL;
	ssize_t w;
	int err = 0;

	json_key(NULL);
	json_open('{');
	member_string("op", op);
	member_string("path", path);
	member_string("value", value);

	/* An oversized request (above the kernel's 4096-byte staging buffer) is sent as it is: the
	 * kernel's answer is the point. */
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.req_id = next_req_id++;
	hdr.tx_id = 0;
	hdr.len = (uint32_t)(plen + vlen);
	msg = xcalloc(sizeof(hdr) + plen + vlen);
	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), path, plen);
	if (vlen > 0)
		memcpy(msg + sizeof(hdr) + plen, value, vlen);	/* XS_WRITE: the value without its NUL */

	w = write(fd, msg, sizeof(hdr) + plen + vlen);
	err = errno;
	free(msg);
	if (w < 0 || (size_t)w != sizeof(hdr) + plen + vlen) {
		member_bool("ok", 0);
		member_string("stage", "write");
		member_errno("errno", w < 0 ? err : 0);
		member_string("detail", w < 0 ? "write() failed" : "short write");
		json_close('}');
		return;
	}

	got = read_fully(fd, (char *)&reply, sizeof(reply), &err);
	if (got != sizeof(reply)) {
		char detail[96];
		snprintf(detail, sizeof(detail), "reply header: got %zu of %zu bytes%s", got, sizeof(reply),
		    err == 0 ? " (end of file)" : "");
		member_bool("ok", 0);
		member_string("stage", "read");
		member_errno("errno", err);
		member_string("detail", detail);
		json_close('}');
		return;
	}
	if (reply.len > 65536) {
		member_bool("ok", 0);
		member_string("stage", "read");
		member_null("errno");
		member_string("detail", "reply length above 64 KiB: not a XenStore reply");
		json_close('}');
		return;
	}
	payload = xcalloc((size_t)reply.len + 1);
	got = read_fully(fd, payload, reply.len, &err);
	if (got != reply.len) {
		char detail[96];
		snprintf(detail, sizeof(detail), "reply payload: got %zu of %u bytes", got, (unsigned int)reply.len);
		member_bool("ok", 0);
		member_string("stage", "read");
		member_errno("errno", err);
		member_string("detail", detail);
		free(payload);
		json_close('}');
		return;
	}

	member_bool("ok", reply.type != XS_ERROR);
	member_null("stage");
	member_null("errno");
	member_null("detail");
	json_key("reply");
	json_open('{');
	member_number("type", (long long)reply.type);
	member_string("typeName", xs_type_name(reply.type));
	member_number("reqId", (long long)reply.req_id);
	member_number("len", (long long)reply.len);
	json_key("payload");
	json_string(payload, reply.len);
	json_close('}');

	if (reply.type == XS_ERROR) {
		/* In-band error: the payload is an errno name such as "ENOENT", NUL-terminated. */
		member_string("error", payload);
	} else {
		member_null("error");
	}
	if (reply.type == XS_DIRECTORY) {
		size_t off = 0;
		json_key("entries");
		json_open('[');
		while (off < reply.len) {
			size_t n = strnlen(payload + off, reply.len - off);
			if (n > 0) {
				json_key(NULL);
				json_string(payload + off, n);
			}
			off += n + 1;
		}
		json_close(']');
	}
	free(payload);
	json_close('}');
}

static int
mode_xenbus(int argc, char **argv)
{
	const char *path = "/kern/xen/xenbus";
	int ch, fd, err, i;

	while ((ch = getopt(argc, argv, "f:")) != -1) {
		switch (ch) {
		case 'f':
			path = optarg;
			break;
		default:
			goto usage;
		}
	}
	/* Check the whole operation list before touching the device. */
	for (i = optind; i < argc;) {
		if (strcmp(argv[i], "read") == 0 || strcmp(argv[i], "dir") == 0) {
			if (i + 1 >= argc)
				goto usage;
			i += 2;
		} else if (strcmp(argv[i], "write") == 0) {
			if (i + 2 >= argc)
				goto usage;
			i += 3;
		} else {
			goto usage;
		}
	}

	json_open('{');
	member_string("probe", "pvprobe");
	member_number("version", 1);
	member_string("mode", "xenbus");
	print_platform();
	json_key("device");
	json_open('{');
	member_string("path", path);
	print_stat(path);
	fd = open(path, O_RDWR);
	err = errno;
	print_open("open", fd, err);
	json_close('}');
	json_key("ops");
	json_open('[');
	if (fd >= 0) {
		for (i = optind; i < argc;) {
			if (strcmp(argv[i], "read") == 0) {
				xs_op(fd, "read", XS_READ, argv[i + 1], NULL);
				i += 2;
			} else if (strcmp(argv[i], "dir") == 0) {
				xs_op(fd, "dir", XS_DIRECTORY, argv[i + 1], NULL);
				i += 2;
			} else {
				xs_op(fd, "write", XS_WRITE, argv[i + 1], argv[i + 2]);
				i += 3;
			}
		}
		close(fd);
	}
	json_close(']');
	json_close('}');
	putchar('\n');
	return 0;

usage:
	fprintf(stderr, "usage: pvprobe xenbus [-f path] {read PATH | dir PATH | write PATH VALUE}...\n");
	return 2;
}

int
main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: pvprobe pvbus|xenbus [options]\n");
		return 2;
	}
	/* getopt starts after the mode word. */
	if (strcmp(argv[1], "pvbus") == 0)
		rc = mode_pvbus(argc - 1, argv + 1);
	else if (strcmp(argv[1], "xenbus") == 0)
		rc = mode_xenbus(argc - 1, argv + 1);
	else {
		fprintf(stderr, "pvprobe: unknown mode \"%s\" (pvbus or xenbus)\n", argv[1]);
		return 2;
	}
	if (fflush(stdout) != 0)
		return 1;
	return rc;
}
