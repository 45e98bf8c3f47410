/*
 * hub_store_backup.c - copies of a hub's database: taken while it serves
 * (the SQLite online backup API) and put back while it is stopped.  Each
 * copy is checked as `verify` checks the hub before it is trusted, and
 * written under another name, flushed and renamed, owner-only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub_store_sqlite.h"

#define PART_SUFFIX ".part"

/* path + suffix into out. */
static enum fb_code with_suffix(const char *path, const char *suffix, char *out,
				size_t size, struct fb_error *err)
{
	if ((size_t)snprintf(out, size, "%s%s", path, suffix) >= size)
		return fb_fail(err, FB_EINVAL, "the file name %s is too long", path);
	return FB_OK;
}

/* An empty owner-only file at path, for SQLite or a copy to fill. */
static enum fb_code fresh_file(const char *path, struct fb_error *err)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return fb_fail(err, FB_EIO, "cannot create %s: %s", path, strerror(errno));
	close(fd);
	return FB_OK;
}

enum fb_code hub_copy_begin(const char *dest, char part[HUB_COPY_PATH_MAX],
			    struct fb_error *err)
{
	enum fb_code rc = with_suffix(dest, PART_SUFFIX, part, HUB_COPY_PATH_MAX, err);

	return rc == FB_OK ? fresh_file(part, err) : rc;
}

/* fsync path, then rename it to dest. */
static enum fb_code settle(const char *path, const char *dest, struct fb_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fsync(fd)) {
		if (fd >= 0)
			close(fd);
		return fb_fail(err, FB_EIO, "cannot flush %s: %s", path, strerror(errno));
	}
	close(fd);
	if (rename(path, dest))
		return fb_fail(err, FB_EIO, "cannot write %s: %s", dest, strerror(errno));
	return FB_OK;
}

enum fb_code hub_copy_end(const char *part, const char *dest, uint64_t *entries,
			  struct fb_error *err)
{
	enum fb_code rc = hub_copy_check(part, entries, err);

	if (rc == FB_OK)
		rc = settle(part, dest, err);
	if (rc != FB_OK)
		unlink(part);
	return rc;
}

/* The copy at path is a hub's database whose chains and records all hold. */
enum fb_code hub_copy_check(const char *path, uint64_t *entries, struct fb_error *err)
{
	struct hub_store *st = NULL;
	uint64_t rows = 0, records = 0;
	char *unit = NULL;
	enum fb_code rc = hub_store_sqlite_admin(path, &st, err);

	if (rc == FB_OK)
		rc = st->ops->top_unit(st, &unit, err);
	if (rc == FB_OK)
		rc = st->ops->verify(st, &rows, entries, &records, err);
	if (rc != FB_OK)
		fb_prefix(err, "the copy does not check: ");
	free(unit);
	if (st)
		st->ops->close(st);
	return rc;
}

enum fb_code sqhub_backup(struct hub_store *s, const char *dest, uint64_t *entries,
			  struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	char part[HUB_COPY_PATH_MAX];
	sqlite3 *out = NULL;
	sqlite3_backup *bk;
	struct book *b;
	enum fb_code rc;
	int r;

	if ((rc = hub_copy_begin(dest, part, err)) != FB_OK)
		return rc;
	b = sqhub_get(h);
	r = sqlite3_open_v2(part, &out, SQLITE_OPEN_READWRITE, NULL);
	bk = r == SQLITE_OK ? sqlite3_backup_init(out, "main", b->st->db, "main") : NULL;
	if (!bk) {
		rc = fb_fail(err, FB_EIO, "cannot start the copy: %s",
			     out ? sqlite3_errmsg(out) : sqlite3_errstr(r));
	} else {
		/* All at once: a read of one snapshot; pushes go on meanwhile. */
		r = sqlite3_backup_step(bk, -1);
		if (r != SQLITE_DONE)
			rc = fb_fail(err, FB_EIO, "the copy failed: %s", sqlite3_errstr(r));
		if (sqlite3_backup_finish(bk) != SQLITE_OK && rc == FB_OK)
			rc = fb_fail(err, FB_EIO, "the copy failed: %s", sqlite3_errmsg(out));
	}
	sqhub_put(h, b);
	sqlite3_close(out);
	if (rc != FB_OK) {
		unlink(part);
		return rc;
	}
	return hub_copy_end(part, dest, entries, err);
}

/* FB_EBUSY when another process has the database at path open. */
static enum fb_code nobody_serves(const char *path, struct fb_error *err)
{
	sqlite3 *db = NULL;
	enum fb_code rc = FB_OK;
	int r;

	if (access(path, F_OK))
		return FB_OK;   /* nothing there yet: a restore creates it */
	r = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (r == SQLITE_OK)
		r = sqlite3_exec(db, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;",
				 NULL, NULL, NULL);
	if (r != SQLITE_OK)
		rc = fb_fail(err, FB_EBUSY, "%s is open in another process (is the hub"
			     " serving it?): stop the hub first, then restore", path);
	sqlite3_close(db);
	return rc;
}

/* Copy the file at from to to, whole. */
static enum fb_code copy_file(const char *from, const char *to, struct fb_error *err)
{
	char buf[1 << 16];
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1;
	enum fb_code rc = FB_OK;
	ssize_t n;

	if (in < 0)
		return fb_fail(err, FB_ENOINPUT, "cannot open %s: %s", from, strerror(errno));
	out = open(to, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (out < 0)
		rc = fb_fail(err, FB_EIO, "cannot write %s: %s", to, strerror(errno));
	while (rc == FB_OK && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(out, buf, (size_t)n) != n)
			rc = fb_fail(err, FB_EIO, "cannot copy %s: %s", from, strerror(errno));
	}
	close(in);
	if (out >= 0 && close(out) && rc == FB_OK)
		rc = fb_fail(err, FB_EIO, "cannot write %s: %s", to, strerror(errno));
	return rc;
}

enum fb_code hub_store_sqlite_restore(const char *copy, const char *target,
				      uint64_t *entries, struct fb_error *err)
{
	char part[4096], side[4096];
	enum fb_code rc;

	if (access(copy, R_OK))
		return fb_fail(err, FB_ENOINPUT, "cannot read %s: %s", copy, strerror(errno));
	if ((rc = nobody_serves(target, err)) != FB_OK ||
	    (rc = with_suffix(target, PART_SUFFIX, part, sizeof(part), err)) != FB_OK ||
	    (rc = fresh_file(part, err)) != FB_OK)
		return rc;
	/* Check a copy of the copy, so that what is checked is what is put. */
	rc = copy_file(copy, part, err);
	if (rc == FB_OK)
		rc = hub_copy_check(part, entries, err);
	/* The old database's log belongs to it, not to the copy. */
	if (rc == FB_OK && (rc = with_suffix(target, "-wal", side, sizeof(side), err)) == FB_OK)
		unlink(side);
	if (rc == FB_OK && (rc = with_suffix(target, "-shm", side, sizeof(side), err)) == FB_OK)
		unlink(side);
	if (rc == FB_OK)
		rc = settle(part, target, err);
	if (rc != FB_OK)
		unlink(part);
	return rc;
}
