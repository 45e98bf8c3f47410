/*
 * synclock.h - one sync of a database at a time.
 *
 * A sync takes an exclusive flock(2) on the file DB.sync-lock beside the
 * database, without waiting.  A second sync of the same database finds
 * it held and stops at once (FB_EBUSY, exit 75) before it has sent or
 * changed anything.  The kernel lets go of the lock when its process
 * ends, however it ends (kill -9 too), so a lock is never left stale;
 * the file itself stays, empty but for the holder's pid.  Recording is
 * not locked out: the lock is the sync's alone, and the database's own
 * transactions keep a sync's writes short (docs/RELIABILITY.md).
 */
#ifndef FB_SYNCLOCK_H
#define FB_SYNCLOCK_H

#include "error.h"

#define SYNC_LOCK_SUFFIX ".sync-lock"

/* Take the lock of db_path: *fd holds it until sync_lock_release. */
enum fb_code sync_lock_take(const char *db_path, int *fd, struct fb_error *err)
	FB_MUST_CHECK;

/* Let it go (fd < 0: nothing to do). */
void sync_lock_release(int fd);

#endif
