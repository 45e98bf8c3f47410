/*
 * failio.c - an LD_PRELOAD shim that makes writes and syncs fail, for
 * the I/O error tests (tests/e2e/43-ioerror.t).
 *
 * It wraps write, pwrite, pwrite64, fsync and fdatasync.  A call
 * "matches" when its name is in FAILIO_CALLS and its file descriptor's
 * /proc/self/fd link contains FAILIO_PATH.  The first FAILIO_AFTER
 * matching calls go through; every later one fails with FAILIO_ERRNO,
 * without touching the file.
 *
 *   FAILIO_CALLS   comma list: write,pwrite,pwrite64,fsync,fdatasync
 *                  ("pwrite" also covers pwrite64 and the reverse: on
 *                  64-bit glibc they are one function).  Unset or empty:
 *                  the shim does nothing.
 *   FAILIO_AFTER   matching calls that succeed first (default 0)
 *   FAILIO_TIMES   how many calls fail after that (default 0: all)
 *   FAILIO_ERRNO   EIO, ENOSPC, EDQUOT or EROFS (default EIO)
 *   FAILIO_PATH    only fds whose path contains this (default: every fd,
 *                  stderr included; give the database's name so that
 *                  the error message still gets out)
 *   FAILIO_LOG     a file to which one line is appended per injected
 *                  failure: "failio CALL fd=N errno=E path=P"
 *   FAILIO_TRACE   1: also log every matching call that goes through,
 *                  as "trace CALL fd=N size=S path=P", S the file's size
 *                  when the call is made (a sync that comes before the
 *                  last write shows a size below the final one; stdio's
 *                  own writes do not pass through the shim).  With a
 *                  large FAILIO_AFTER nothing fails.
 *
 * Built as $(BUILD)/tests/libfailio.so by tests/tools/failio.mk.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

enum { C_WRITE = 1, C_PWRITE = 2, C_FSYNC = 4, C_FDATASYNC = 8 };

static int cfg_loaded;
static int cfg_calls;
static long cfg_after;
static long cfg_times;
static int cfg_errno = EIO;
static const char *cfg_path;
static const char *cfg_log;
static int cfg_trace;
static atomic_long seen;
static atomic_long failed;

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);

static void load(void)
{
	const char *s;
	char buf[256], *tok, *save = NULL;

	if (cfg_loaded)
		return;
	real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	real_pwrite = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
	real_pwrite64 = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64");
	real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	s = getenv("FAILIO_CALLS");
	if (s && *s) {
		snprintf(buf, sizeof(buf), "%s", s);
		for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
			if (!strcmp(tok, "write"))
				cfg_calls |= C_WRITE;
			else if (!strcmp(tok, "pwrite") || !strcmp(tok, "pwrite64"))
				cfg_calls |= C_PWRITE;
			else if (!strcmp(tok, "fsync"))
				cfg_calls |= C_FSYNC;
			else if (!strcmp(tok, "fdatasync"))
				cfg_calls |= C_FDATASYNC;
		}
	}
	s = getenv("FAILIO_AFTER");
	cfg_after = s && *s ? strtol(s, NULL, 10) : 0;
	s = getenv("FAILIO_TIMES");
	cfg_times = s && *s ? strtol(s, NULL, 10) : 0;
	s = getenv("FAILIO_ERRNO");
	if (s && !strcmp(s, "ENOSPC"))
		cfg_errno = ENOSPC;
	else if (s && !strcmp(s, "EDQUOT"))
		cfg_errno = EDQUOT;
	else if (s && !strcmp(s, "EROFS"))
		cfg_errno = EROFS;
	else
		cfg_errno = EIO;
	s = getenv("FAILIO_PATH");
	cfg_path = s && *s ? s : NULL;
	s = getenv("FAILIO_LOG");
	cfg_log = s && *s ? s : NULL;
	s = getenv("FAILIO_TRACE");
	cfg_trace = s && !strcmp(s, "1");
	cfg_loaded = 1;
}

/* The path behind fd, into buf (empty when unknown). */
static void fd_path(int fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
}

static void note(const char *call, int fd, const char *path, int failing)
{
	char line[600];
	struct stat st;
	int lfd, n;

	if (!cfg_log)
		return;
	if (fstat(fd, &st) != 0)
		st.st_size = -1;
	if (failing)
		n = snprintf(line, sizeof(line), "failio %s fd=%d errno=%s path=%s\n", call, fd,
			     cfg_errno == ENOSPC ? "ENOSPC" : cfg_errno == EDQUOT ? "EDQUOT" :
			     cfg_errno == EROFS ? "EROFS" : "EIO", path);
	else
		n = snprintf(line, sizeof(line), "trace %s fd=%d size=%lld path=%s\n", call, fd,
			     (long long)st.st_size, path);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	lfd = open(cfg_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (lfd < 0)
		return;
	/* The raw system call: never counted, never failed. */
	(void)syscall(SYS_write, lfd, line, (size_t)n);
	close(lfd);
}

/* Should this call fail?  Sets errno when it should. */
static int should_fail(int kind, const char *call, int fd)
{
	char path[512];
	long k;

	load();
	if (!(cfg_calls & kind))
		return 0;
	path[0] = '\0';
	if (cfg_path || cfg_log)
		fd_path(fd, path, sizeof(path));
	if (cfg_path && !strstr(path, cfg_path))
		return 0;
	k = atomic_fetch_add(&seen, 1);
	if (k < cfg_after || (cfg_times > 0 && atomic_load(&failed) >= cfg_times)) {
		if (cfg_trace)
			note(call, fd, path, 0);
		return 0;
	}
	atomic_fetch_add(&failed, 1);
	note(call, fd, path, 1);
	errno = cfg_errno;
	return 1;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	if (should_fail(C_WRITE, "write", fd))
		return -1;
	return real_write ? real_write(fd, buf, n) : syscall(SYS_write, fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (should_fail(C_PWRITE, "pwrite", fd))
		return -1;
	return real_pwrite ? real_pwrite(fd, buf, n, off)
			   : syscall(SYS_pwrite64, fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	if (should_fail(C_PWRITE, "pwrite64", fd))
		return -1;
	return real_pwrite64 ? real_pwrite64(fd, buf, n, off)
			     : syscall(SYS_pwrite64, fd, buf, n, off);
}

int fsync(int fd)
{
	if (should_fail(C_FSYNC, "fsync", fd))
		return -1;
	return real_fsync ? real_fsync(fd) : (int)syscall(SYS_fsync, fd);
}

int fdatasync(int fd)
{
	if (should_fail(C_FDATASYNC, "fdatasync", fd))
		return -1;
	return real_fdatasync ? real_fdatasync(fd) : (int)syscall(SYS_fdatasync, fd);
}
