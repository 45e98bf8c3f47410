/*
 * test_store.c - opening a database: a newer schema is refused
 * untouched; a database another connection is writing is "busy" (75),
 * not an I/O error (74).
 */
#include <stdio.h>
#include <sysexits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "book.h"
#include "store.h"
#include "tap.h"

/* Everything sqlite_master says about the file, as one string. */
static char *schema_of(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	size_t len = 0;
	char *all = calloc(1, 1);

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT type, name, coalesce(sql, '') FROM sqlite_master"
			       " ORDER BY type, name", -1, &q, NULL) == SQLITE_OK) {
		while (all && sqlite3_step(q) == SQLITE_ROW) {
			const char *t = (const char *)sqlite3_column_text(q, 0);
			const char *n = (const char *)sqlite3_column_text(q, 1);
			const char *s = (const char *)sqlite3_column_text(q, 2);
			size_t add = strlen(t) + strlen(n) + strlen(s) + 3;
			char *p = realloc(all, len + add + 1);

			if (!p)
				break;
			all = p;
			len += (size_t)snprintf(all + len, add + 1, "%s %s %s\n", t, n, s);
		}
	}
	sqlite3_finalize(q);
	sqlite3_close(db);
	return all;
}

static int exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open(path, &db) == SQLITE_OK &&
		 sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;

	sqlite3_close(db);
	return rc;
}

/* Remove a database and what SQLite keeps beside it. */
static void remove_db(const char *path)
{
	const char *const side[] = { "", "-wal", "-shm", "-journal" };
	char p[128];
	size_t i;

	for (i = 0; i < sizeof(side) / sizeof(side[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, side[i]);
		unlink(p);
	}
}

/* Another connection holds the write lock: busy, 75, and reads go on. */
static void test_busy(const char *path)
{
	struct fb_store *a = NULL, *b = NULL;
	struct fb_error err = { 0 };
	long long v = 0;

	if (store_open(path, 0, NULL, &a, &err) != FB_OK ||
	    store_open(path, 0, NULL, &b, &err) != FB_OK) {
		ok(0, "two connections: %s", err.msg);
		return;
	}
	/* The test need not wait the whole FB_BUSY_TIMEOUT_MS. */
	sqlite3_busy_timeout(b->db, 50);
	is_int(store_begin(a, &err), FB_OK, "one connection begins writing");
	fb_error_clear(&err);
	is_int(store_begin(b, &err), FB_EBUSY, "the other, meeting it, is busy");
	is_int(fb_exit_status(err.code), EX_TEMPFAIL, "...which exits 75, not 74");
	ok(strstr(err.msg, "another Fieldbook command is writing to it") != NULL,
	   "...and says another command is writing: %s", err.msg);
	is_int(store_meta_int(b, "schema_version", 0, &v, &err), FB_OK,
	       "reading goes on meanwhile");
	store_rollback(a);
	is_int(store_begin(b, &err), FB_OK, "once the first is done, the other writes");
	store_rollback(b);
	store_close(a);
	store_close(b);
}

/* Each program refuses the other's database, and a foreign one, untouched. */
static void test_kinds(const char *dir, const char *collector)
{
	char hub[96], other[96];
	struct fb_store *st = NULL;
	struct fb_error err = { 0 };
	char *before, *after;

	snprintf(hub, sizeof(hub), "%s/hub.db", dir);
	snprintf(other, sizeof(other), "%s/other.db", dir);
	if (store_open(hub, STORE_CREATE, "CREATE TABLE IF NOT EXISTS unit(code TEXT);",
		       &st, &err) != FB_OK || store_meta_set(st, "hub_unit", "HN", &err) != FB_OK)
		ok(0, "a hub's database: %s", err.msg);
	store_close(st);
	st = NULL;
	ok(exec(other, "CREATE TABLE contacts(name TEXT)"), "another program's database");

	before = schema_of(hub);
	is_int(store_open(hub, 0, NULL, &st, &err), FB_EINVAL, "a hub's opened as a laptop's");
	ok(strstr(err.msg, "is a hub's database, not a laptop's") != NULL, "%s", err.msg);
	is_int(store_open(hub, STORE_CREATE, NULL, &st, &err), FB_EINVAL, "...also to create one");
	after = schema_of(hub);
	ok(st == NULL && before && after && !strcmp(before, after), "...untouched");
	free(before);
	free(after);

	before = schema_of(collector);
	is_int(store_open(collector, 0, "CREATE TABLE IF NOT EXISTS unit(code TEXT);", &st, &err),
	       FB_EINVAL, "a laptop's opened as a hub's");
	ok(strstr(err.msg, "is a laptop's database, not a hub's") != NULL, "%s", err.msg);
	after = schema_of(collector);
	ok(st == NULL && before && after && !strcmp(before, after), "...untouched");
	free(before);
	free(after);

	before = schema_of(other);
	is_int(store_open(other, STORE_CREATE, NULL, &st, &err), FB_EINVAL,
	       "another program's, to create a laptop's in it");
	ok(strstr(err.msg, "is not a Fieldbook database") != NULL, "%s", err.msg);
	after = schema_of(other);
	ok(st == NULL && before && after && !strcmp(before, after), "...untouched");
	free(before);
	free(after);
	remove_db(hub);
	remove_db(other);
}

int main(void)
{
	char dir[] = "/tmp/test_store_XXXXXX", path[64];
	struct fb_error err = { 0 };
	struct fb_store *st = NULL;
	char *before, *after;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/fb.db", dir);
	is_int(book_create(path, "HN.PL.TT.03", "Chi hội 3", &err), FB_OK, "a database");
	test_busy(path);
	test_kinds(dir, path);
	/* As a newer version would leave it: a higher schema version, and
	 * an index of its own that this version's schema drops. */
	ok(exec(path, "UPDATE meta SET value = '99' WHERE key = 'schema_version';"
		      "CREATE INDEX record_att_member ON record(id);"),
	   "marked as written by a newer version, with an index of its own");
	before = schema_of(path);
	ok(before && strstr(before, "record_att_member"), "the index is there");
	is_int(store_open(path, 0, NULL, &st, &err), FB_EINVAL, "opening it is refused");
	ok(strstr(err.msg, "written by a newer Fieldbook (schema 99)") != NULL,
	   "because it is newer: %s", err.msg);
	ok(st == NULL, "and nothing is opened");
	after = schema_of(path);
	ok(after && !strcmp(before, after), "the schema is exactly as it was (no DDL ran)");
	free(before);
	free(after);
	{
		char side[96];

		unlink(path);
		snprintf(side, sizeof(side), "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", path);
		unlink(side);
	}
	rmdir(dir);
	return tap_done();
}
