/*
 * synclock.c - one sync of a database at a time (synclock.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <linux/limits.h>

#include "i18n.h"
#include "synclock.h"

/* The pid the holder wrote, or 0. */
static long holder(int fd)
{
	char text[32];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);

	if (n <= 0)
		return 0;
	text[n] = '\0';
	return strtol(text, NULL, 10);
}

enum fb_code sync_lock_take(const char *db_path, int *fd, struct fb_error *err)
{
	char path[PATH_MAX], pid[32];
	int n = snprintf(path, sizeof(path), "%s" SYNC_LOCK_SUFFIX, db_path), len;

	*fd = -1;
	if (n < 0 || (size_t)n >= sizeof(path))
		return fb_fail(err, FB_EUSAGE, _("the database path is too long"));
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd < 0)
		return fb_fail(err, errno == ENOENT ? FB_ENOINPUT : FB_EIO,
			       _("cannot open the sync lock %s: %s"), path, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		long other = holder(*fd);

		close(*fd);
		*fd = -1;
		if (e == EWOULDBLOCK) {
			if (other > 0)
				return fb_fail(err, FB_EBUSY, _("a sync of this database is"
					       " already running (process %ld); nothing was sent"
					       " twice, try again when it ends"), other);
			return fb_fail(err, FB_EBUSY, _("a sync of this database is already"
				       " running; nothing was sent twice, try again when it ends"));
		}
		return fb_fail(err, FB_EIO, _("cannot lock %s: %s"), path, strerror(e));
	}
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	/* The pid is for the message of a sync that finds the lock held. */
	if (ftruncate(*fd, 0) != 0 || pwrite(*fd, pid, (size_t)len, 0) != len) {
		/* the lock holds without it */
	}
	return FB_OK;
}

void sync_lock_release(int fd)
{
	if (fd < 0)
		return;
	if (ftruncate(fd, 0) != 0) {
		/* the next holder writes its own */
	}
	close(fd);
}
