/* store.c - opening the SQLite database, its schema and its errors. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collate.h"
#include "conflict_id.h"
#include "i18n.h"
#include "limits.h"
#include "store.h"

#define STORE_SCHEMA_VERSION 1

static const char common_schema[] =
	"CREATE TABLE IF NOT EXISTS meta("
	"  key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS record("
	"  id TEXT PRIMARY KEY,"
	"  type TEXT NOT NULL,"
	"  branch TEXT NOT NULL,"
	"  deleted INTEGER NOT NULL DEFAULT 0,"
	"  vals TEXT NOT NULL,"
	"  clk TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS record_type ON record(type, branch);"
	"CREATE INDEX IF NOT EXISTS record_att_training ON record("
	"  json_extract(vals, '$.training_id')) WHERE type = 'attendance';"
	/* Read by no query; books of earlier versions had it. */
	"DROP INDEX IF EXISTS record_att_member;"
	"CREATE TABLE IF NOT EXISTS journal("
	"  cseq INTEGER PRIMARY KEY,"
	"  device TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  hlc INTEGER NOT NULL,"
	"  record_id TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  branch TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  hash BLOB NOT NULL,"
	"  quarantined INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE(device, seq));"
	"CREATE TABLE IF NOT EXISTS conflict("
	"  id INTEGER PRIMARY KEY,"
	"  record_id TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  branch TEXT NOT NULL,"
	"  field TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"          /* 'field' or 'delete' */
	"  winner_value TEXT NOT NULL,"
	"  winner_hlc INTEGER NOT NULL,"
	"  winner_device TEXT NOT NULL,"
	"  loser_value TEXT NOT NULL,"
	"  loser_hlc INTEGER NOT NULL,"
	"  loser_device TEXT NOT NULL,"
	"  resolved INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE(record_id, field, loser_hlc, loser_device));"
	"CREATE INDEX IF NOT EXISTS conflict_open ON conflict(record_id, field)"
	"  WHERE resolved = 0;"
	/* How much of each other device's chain the hub this book syncs
	 * with is known to hold (docs/PROTOCOL.md §13.5, relay). */
	"CREATE TABLE IF NOT EXISTS relay_head("
	"  device TEXT PRIMARY KEY,"
	"  seq INTEGER NOT NULL) WITHOUT ROWID;";

/* A collector's book also finds a record's journal (`fieldbook log ID`);
 * a hub never asks, and spares every push that index. */
static const char local_schema[] =
	"CREATE INDEX IF NOT EXISTS journal_record ON journal(record_id);";

/*
 * SQLite's own words for the failures people meet (its English, as
 * sqlite3_errstr() gives it), so that they read in the language of
 * messages too; any other text of SQLite's is shown as it is.
 */
static const char *const sqlite_words[] = {
	N_("database or disk is full"),
	N_("disk I/O error"),
	N_("attempt to write a readonly database"),
	N_("unable to open database file"),
	N_("access permission denied"),
	N_("database disk image is malformed"),
	N_("file is not a database"),
	N_("out of memory"),
	N_("string or blob too big"),
};

static const char *sqlite_text(const char *msg)
{
	size_t i;

	for (i = 0; msg && i < sizeof(sqlite_words) / sizeof(sqlite_words[0]); i++)
		if (!strcmp(msg, sqlite_words[i]))
			return _(sqlite_words[i]);
	return msg ? msg : "";
}

enum fb_code store_fail(struct fb_store *s, int rc, const char *what,
			struct fb_error *err)
{
	const char *msg = sqlite_text(s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	enum fb_code code;

	switch (rc & 0xFF) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		/* Not the disk: another command holds the write lock, and
		 * sqlite3_busy_timeout has waited for it already. */
		return fb_fail(err, FB_EBUSY, _("the database is busy: another Fieldbook command"
			         " is writing to it (waited %d s); run this one again when it"
			         " has finished"), FB_BUSY_TIMEOUT_MS / 1000);
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_PROTOCOL:
		code = FB_EIO;
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		code = FB_ECORRUPT;
		break;
	case SQLITE_NOMEM:
		code = FB_ENOMEM;
		break;
	case SQLITE_TOOBIG:
		code = FB_ETOOBIG;
		break;
	default:
		code = FB_EINTERNAL;
		break;
	}
	return fb_fail(err, code, "%s: %s", what, msg);
}

enum fb_code store_exec(struct fb_store *s, const char *sql,
			struct fb_error *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? FB_OK : store_fail(s, rc, _("database"), err);
}

enum fb_code store_prepare(struct fb_store *s, const char *sql,
			   sqlite3_stmt **out, struct fb_error *err)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, out, NULL);

	return rc == SQLITE_OK ? FB_OK : store_fail(s, rc, _("preparing query"), err);
}

/* mkdir -p for the parent of path, owner-only. */
/* Milliseconds this process has waited for another's write lock. */
static uint64_t busy_waited;

uint64_t store_busy_waited_ms(void)
{
	return __atomic_load_n(&busy_waited, __ATOMIC_RELAXED);
}

/*
 * SQLite's busy handler: wait for another command's write in short
 * growing naps, FB_BUSY_TIMEOUT_MS in all, and count the wait.
 */
static int on_busy(void *ctx, int count)
{
	static const unsigned naps[] = { 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 };
	unsigned nap = naps[count < 12 ? count : 11];
	uint64_t *waited = ctx;
	struct timespec ts = { 0, (long)nap * 1000000 }, t0, t1;

	if (count == 0)
		*waited = 0;    /* a new wait for a lock */
	if (*waited + nap > FB_BUSY_TIMEOUT_MS)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	nap = (unsigned)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	*waited += nap;
	__atomic_fetch_add(&busy_waited, nap, __ATOMIC_RELAXED);
	return 1;
}

static enum fb_code make_parent(const char *path, struct fb_error *err)
{
	char *dir = strdup(path), *p;
	enum fb_code rc = FB_OK;

	if (!dir)
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	p = strrchr(dir, '/');
	if (!p || p == dir)
		goto out;
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
				rc = fb_fail(err, FB_EIO, _("cannot create %s: %s"),
					     dir, strerror(errno));
				goto out;
			}
			*p = c;
			if (!c)
				break;
		}
	}
out:
	free(dir);
	return rc;
}

/* What a file holds, read before anything is changed in it. */
enum store_kind {
	KIND_NEW,               /* nothing yet: no table at all, or an init cut short */
	KIND_COLLECTOR,         /* a laptop's book: meta has its branch */
	KIND_HUB,               /* a hub's: meta has hub_unit */
	KIND_FOREIGN,           /* tables, but no meta: another program's */
};

/* 1 when meta holds key; *rc set on failure. */
static int has_meta(struct fb_store *s, const char *key, enum fb_code *rc,
		    struct fb_error *err)
{
	char *v = NULL;

	*rc = store_meta_get(s, key, &v, err);
	free(v);
	return *rc == FB_OK && v != NULL;
}

/*
 * The kind of the file and the schema version it was written with (0:
 * none yet), read before anything is changed: a newer file, or one of
 * the other program (or of none), is refused untouched.
 */
static enum fb_code file_kind(struct fb_store *s, enum store_kind *kind,
			      long long *version, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r, tables = 0, meta = 0;

	*version = 0;
	*kind = KIND_NEW;
	rc = store_prepare(s, "SELECT count(*), count(CASE WHEN name = 'meta' THEN 1 END)"
			   " FROM sqlite_master WHERE type = 'table'", &q, err);
	if (rc != FB_OK)
		return rc;
	r = sqlite3_step(q);
	if (r == SQLITE_ROW) {
		tables = sqlite3_column_int(q, 0);
		meta = sqlite3_column_int(q, 1);
	} else {
		rc = store_fail(s, r, _("reading the schema"), err);
	}
	sqlite3_finalize(q);
	if (rc != FB_OK || !tables)
		return rc;
	if (!meta) {
		*kind = KIND_FOREIGN;
		return FB_OK;
	}
	if ((rc = store_meta_int(s, "schema_version", 0, version, err)) != FB_OK)
		return rc;
	if (has_meta(s, "hub_unit", &rc, err))
		*kind = KIND_HUB;
	else if (rc == FB_OK && has_meta(s, "branch", &rc, err))
		*kind = KIND_COLLECTOR;
	return rc;
}

/* The file's kind against the program's (extra_schema: the hub's). */
static enum fb_code check_kind(const char *path, enum store_kind kind, int hub,
			       struct fb_error *err)
{
	if (kind == KIND_FOREIGN)
		return fb_fail(err, FB_EINVAL, _("%s is not a Fieldbook database (it holds"
			         " another program's tables); nothing was changed"), path);
	if (kind == KIND_HUB && !hub)
		return fb_fail(err, FB_EINVAL, _("%s is a hub's database, not a laptop's:"
			         " fieldbook does not use it (use fieldbook-hub --db %s);"
			         " nothing was changed"), path, path);
	if (kind == KIND_COLLECTOR && hub)
		return fb_fail(err, FB_EINVAL, _("%s is a laptop's database, not a hub's:"
			         " fieldbook-hub does not use it (use fieldbook --db %s);"
			         " nothing was changed"), path, path);
	return FB_OK;
}

enum fb_code store_open(const char *path, int flags, const char *extra_schema,
			struct fb_store **out, struct fb_error *err)
{
	struct fb_store *s;
	struct stat st;
	int oflags, rc;
	enum store_kind kind;
	long long version;
	enum fb_code code;

	*out = NULL;
	if (!(flags & STORE_CREATE) && stat(path, &st) != 0)
		return fb_fail(err, FB_ENOINPUT,
			       _("no database at %s (run 'init' first, or give --db)"),
			       path);
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	}
	if (flags & STORE_CREATE) {
		int fd;

		if ((code = make_parent(path, err)) != FB_OK)
			goto fail;
		/* Create the file ourselves so that it is 0600 from birth. */
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			code = fb_fail(err, FB_EIO, _("cannot create %s: %s"), path,
				       strerror(errno));
			goto fail;
		}
		close(fd);
	}
	oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY
					  : SQLITE_OPEN_READWRITE;
	rc = sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		code = store_fail(s, rc, path, err);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_handler(s->db, on_busy, &s->busy_ms);
	/* Conflicts are listed and looked up by their number (conflict_id.h). */
	if ((rc = conflict_id_register(s->db)) != SQLITE_OK) {
		code = store_fail(s, rc, _("registering conflict ids"), err);
		goto fail;
	}
	/* Lists in Vietnamese order (collate.h): COLLATE VI, VI_NAME. */
	if ((code = fb_collate_register(s->db, err)) != FB_OK)
		goto fail;
	if ((code = file_kind(s, &kind, &version, err)) != FB_OK ||
	    (code = check_kind(path, kind, extra_schema != NULL, err)) != FB_OK)
		goto fail;
	if (version > STORE_SCHEMA_VERSION) {
		code = fb_fail(err, FB_EINVAL,
			       _("%s was written by a newer Fieldbook (schema %lld); nothing was changed"),
			       path, version);
		goto fail;
	}
	if (!(flags & STORE_READONLY)) {
		code = store_exec(s, "PRAGMA journal_mode=WAL;", err);
		if (code != FB_OK)
			goto fail;
	}
	/* 16 MiB of page cache: a push batch touches many B-tree pages. */
	code = store_exec(s, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			  " PRAGMA cache_size=-16384;", err);
	if (code != FB_OK)
		goto fail;
	if (!(flags & STORE_READONLY)) {
		code = store_exec(s, common_schema, err);
		if (code == FB_OK)
			code = store_exec(s, extra_schema ? extra_schema : local_schema,
					  err);
		if (code != FB_OK)
			goto fail;
		if (version == 0 &&
		    (code = store_meta_set_int(s, "schema_version",
					       STORE_SCHEMA_VERSION, err)) != FB_OK)
			goto fail;
	}
	*out = s;
	return FB_OK;
fail:
	if (err && code == FB_ECORRUPT)
		fb_fail(err, FB_ECORRUPT, _("%s is not a Fieldbook database or is damaged"),
			path);
	store_close(s);
	return code;
}

void store_close(struct fb_store *s)
{
	if (!s)
		return;
	if (s->in_tx)
		store_rollback(s);
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

enum fb_code store_begin(struct fb_store *s, struct fb_error *err)
{
	enum fb_code rc = store_exec(s, "BEGIN IMMEDIATE", err);

	if (rc == FB_OK) {
		s->in_tx = 1;
		s->tx_count++;
	}
	return rc;
}

enum fb_code store_commit(struct fb_store *s, struct fb_error *err)
{
	int rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		enum fb_code code = store_fail(s, rc, _("saving"), err);

		store_rollback(s);
		return code;
	}
	s->in_tx = 0;
	return FB_OK;
}

void store_rollback(struct fb_store *s)
{
	if (sqlite3_get_autocommit(s->db) == 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
}

enum fb_code store_meta_get(struct fb_store *s, const char *key, char **out,
			    struct fb_error *err)
{
	sqlite3_stmt *st = NULL;
	enum fb_code code;
	int rc;

	*out = NULL;
	code = store_prepare(s, "SELECT value FROM meta WHERE key = ?1", &st, err);
	if (code != FB_OK)
		return code;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = strdup((const char *)sqlite3_column_text(st, 0));
		code = *out ? FB_OK : fb_fail(err, FB_ENOMEM, _("out of memory"));
	} else if (rc != SQLITE_DONE) {
		code = store_fail(s, rc, _("reading settings"), err);
	}
	sqlite3_finalize(st);
	return code;
}

enum fb_code store_meta_int(struct fb_store *s, const char *key, long long def,
			    long long *out, struct fb_error *err)
{
	char *v = NULL, *end;
	enum fb_code code = store_meta_get(s, key, &v, err);

	*out = def;
	if (code != FB_OK || !v)
		return code;
	errno = 0;
	*out = strtoll(v, &end, 10);
	if (errno || *end || end == v)
		code = fb_fail(err, FB_ECORRUPT, _("setting %s is damaged: '%s'"), key, v);
	free(v);
	return code;
}

enum fb_code store_meta_set(struct fb_store *s, const char *key,
			    const char *value, struct fb_error *err)
{
	sqlite3_stmt *st = NULL;
	enum fb_code code;
	int rc;

	code = store_prepare(s, "INSERT INTO meta(key, value) VALUES(?1, ?2)"
			     " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
			     &st, err);
	if (code != FB_OK)
		return code;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? FB_OK : store_fail(s, rc, _("saving settings"), err);
}

enum fb_code store_meta_set_int(struct fb_store *s, const char *key,
				long long value, struct fb_error *err)
{
	char v[24];

	snprintf(v, sizeof(v), "%lld", value);
	return store_meta_set(s, key, v, err);
}

enum fb_code store_integrity(struct fb_store *s, struct fb_error *err)
{
	sqlite3_stmt *st = NULL;
	enum fb_code code;
	int rc;

	code = store_prepare(s, "PRAGMA integrity_check", &st, err);
	if (code != FB_OK)
		return code;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);

		if (!r || strcmp(r, "ok"))
			code = fb_fail(err, FB_ECORRUPT, _("database integrity: %s"),
				       r ? r : "?");
	} else {
		code = store_fail(s, rc, _("integrity check"), err);
	}
	sqlite3_finalize(st);
	return code;
}
