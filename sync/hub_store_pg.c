/*
 * hub_store_pg.c - the hub's store on PostgreSQL (libpq), for province
 * and national hubs (docs/DECISIONS.md, "PostgreSQL store"): the pool
 * of connections, the schema (created by init, migrated by version on
 * every open), and the hub's commands on units, devices and the
 * listings.  Pushes are hub_store_pg_push.c's, pulls and the other
 * reads of the protocol hub_store_pg_pull.c's, report and verify
 * hub_store_pg_report.c's and hub_store_pg_verify.c's.  What is not
 * written yet (bundles, upstream) hub_main.c refuses on a PostgreSQL
 * store before opening it, so that nothing half-works.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>

#include "conflict_id.h"
#include "hub_limits.h"
#include "i18n.h"
#include "limits.h"
#include "hub_store_pg.h"
#include "hub_store_plan.h"
#include "hub_store_rules.h"
#include "model.h"

/* PostgreSQL's type oids of the integers, for is_number in listings. */
#define PG_INT8OID 20
#define PG_INT2OID 21
#define PG_INT4OID 23

/* --- errors -------------------------------------------------------- */

/*
 * The project's code for a failed statement, with one line in err.  A
 * connection lost, a server shutting down or a transaction that lost a
 * race is temporary (FB_EBUSY: 75, a push's 503); a full disk FB_EIO.
 */
static enum fb_code pg_fail(struct pg_conn *conn, const PGresult *r, const char *what,
			    struct fb_error *err)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	enum fb_code code = FB_EIO;

	snprintf(conn->state, sizeof(conn->state), "%s", state ? state : "");
	/* A command's lock wait ran out (lock_timeout, set on the hub's
	 * commands' connection): another is writing, as SQLite says it. */
	if (state && !strcmp(state, "55P03"))
		return fb_fail(err, FB_EBUSY, _("the database is busy: another Fieldbook command"
			       " is writing to it (waited %d s); run this one again when it"
			       " has finished"), FB_BUSY_TIMEOUT_MS / 1000);
	if (!msg || !*msg)
		msg = PQerrorMessage(conn->conn);
	if (PQstatus(conn->conn) == CONNECTION_BAD || !state ||
	    !strncmp(state, "08", 2) || !strncmp(state, "57P", 3) ||
	    !strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
		code = FB_EBUSY;
	else if (!strcmp(state, "23505"))
		code = FB_EEXIST;
	else if (!strcmp(state, "23503"))
		code = FB_ENOENT;
	/* libpq's messages end in a newline: one line only. */
	return fb_fail(err, code, "%s: PostgreSQL: %.*s", what,
		       (int)strcspn(msg ? msg : "", "\n"), msg ? msg : "");
}

/*
 * Run sql with text parameters (NULL: SQL NULL); the result when its
 * status is the one expected, else NULL with err set.  The caller
 * PQclear()s it.
 */
PGresult *pg_run(struct pg_conn *conn, const char *sql, int n, const char *const *params,
			const char *what, enum fb_code *rc, struct fb_error *err)
{
	PGresult *r = PQexecParams(conn->conn, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		*rc = FB_OK;
		return r;
	}
	*rc = pg_fail(conn, r, what, err);
	PQclear(r);
	return NULL;
}

/* Run a statement whose result is not read. */
enum fb_code pg_do(struct pg_conn *conn, const char *sql, int n, const char *const *params,
			  const char *what, struct fb_error *err)
{
	enum fb_code rc;

	PQclear(pg_run(conn, sql, n, params, what, &rc, err));
	return rc;
}

/* Run statements without parameters, several in one string. */
enum fb_code pg_exec(struct pg_conn *conn, const char *sql, const char *what,
			    struct fb_error *err)
{
	PGresult *r = PQexec(conn->conn, sql);
	ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	enum fb_code rc = FB_OK;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		rc = pg_fail(conn, r, what, err);
	PQclear(r);
	return rc;
}

/* End a transaction that failed: nothing of it stays. */
void pg_rollback(struct pg_conn *conn)
{
	PQclear(PQexec(conn->conn, "ROLLBACK"));
}

enum fb_code pg_cursor_open(struct pg_cursor *k, struct pg_conn *c, const char *name,
			    const char *sql, int n, const char *const *params,
			    const char *what, struct fb_error *err)
{
	struct fb_buf q = FB_BUF_INIT(0);
	enum fb_code rc;

	memset(k, 0, sizeof(*k));
	k->c = c;
	k->name = name;
	k->what = what;
	if (buf_printf(&q, "DECLARE %s NO SCROLL CURSOR FOR %s", name, sql) != FB_OK) {
		buf_release(&q);
		return fb_fail(err, FB_ENOMEM, "out of memory");
	}
	if ((rc = pg_do(c, q.data, n, params, what, err)) == FB_OK)
		k->open = 1;
	buf_release(&q);
	return rc;
}

enum fb_code pg_cursor_next(struct pg_cursor *k, int *row, struct fb_error *err)
{
	char fetch[96];
	enum fb_code rc;

	*row = -1;
	if (k->r && ++k->row < k->nrows) {
		*row = k->row;
		return FB_OK;
	}
	if (k->done || !k->open)
		return FB_OK;
	PQclear(k->r);
	snprintf(fetch, sizeof(fetch), "FETCH FORWARD %d FROM %s", PG_CURSOR_ROWS, k->name);
	if (!(k->r = pg_run(k->c, fetch, 0, NULL, k->what, &rc, err)))
		return rc;
	k->nrows = PQntuples(k->r);
	k->row = 0;
	k->done = k->nrows < PG_CURSOR_ROWS;
	if (k->nrows > 0)
		*row = 0;
	return FB_OK;
}

void pg_cursor_close(struct pg_cursor *k)
{
	char close[96];

	PQclear(k->r);
	k->r = NULL;
	if (k->open && PQtransactionStatus(k->c->conn) == PQTRANS_INTRANS) {
		snprintf(close, sizeof(close), "CLOSE %s", k->name);
		PQclear(PQexec(k->c->conn, close));
	}
	k->open = 0;
}

/* The number of rows a statement changed. */
long long pg_changed(PGresult *r)
{
	const char *n = PQcmdTuples(r);

	return n && *n ? atoll(n) : 0;
}

/* --- the schema and its versions ----------------------------------- */

/*
 * Step n takes the schema from version n-1 to n.  Only ever appended:
 * a hub of an older version migrates through the steps it lacks, and
 * one of a newer version (a step this program does not know) is refused.
 * Step 1 is the SQLite hub's tables in PostgreSQL types
 * (docs/DECISIONS.md); the journal's cseq is numbered at the commit
 * (hub_store_pg_push.c).
 */
static const char *const pg_steps[] = {
	/* 1 */
	"CREATE TABLE meta(key text PRIMARY KEY, value text NOT NULL);"
	"CREATE TABLE unit(code text PRIMARY KEY,"
	"  parent text REFERENCES unit(code) DEFERRABLE INITIALLY IMMEDIATE,"
	"  level text NOT NULL, name text NOT NULL);"
	"CREATE INDEX unit_parent ON unit(parent);"
	"CREATE TABLE record(id text PRIMARY KEY, type text NOT NULL, branch text NOT NULL,"
	"  deleted smallint NOT NULL DEFAULT 0, vals text NOT NULL, clk text NOT NULL);"
	"CREATE INDEX record_type ON record(type, branch);"
	"CREATE SEQUENCE journal_cseq;"
	"CREATE TABLE journal(cseq bigint PRIMARY KEY, device text NOT NULL,"
	"  seq bigint NOT NULL, n bigint NOT NULL, hlc bigint NOT NULL,"
	"  record_id text NOT NULL, type text NOT NULL, branch text NOT NULL,"
	"  body text NOT NULL, hash bytea NOT NULL,"
	"  quarantined smallint NOT NULL DEFAULT 0, UNIQUE(device, seq));"
	"CREATE TABLE conflict(id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  record_id text NOT NULL, type text NOT NULL, branch text NOT NULL,"
	"  field text NOT NULL, kind text NOT NULL,"
	"  winner_value text NOT NULL, winner_hlc bigint NOT NULL,"
	"  winner_device text NOT NULL, loser_value text NOT NULL,"
	"  loser_hlc bigint NOT NULL, loser_device text NOT NULL,"
	"  resolved smallint NOT NULL DEFAULT 0,"
	"  UNIQUE(record_id, field, loser_hlc, loser_device));"
	"CREATE INDEX conflict_open ON conflict(record_id, field) WHERE resolved = 0;"
	"CREATE TABLE relay_head(device text PRIMARY KEY, seq bigint NOT NULL);"
	"CREATE TABLE device(id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  name text NOT NULL, unit text NOT NULL REFERENCES unit(code),"
	"  token_hash bytea NOT NULL UNIQUE, device text UNIQUE,"
	"  created text NOT NULL, revoked text, last_seen text,"
	"  last_push text, last_pull text);"
	"CREATE TABLE rejected(id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  device text NOT NULL, seq bigint NOT NULL, record_id text NOT NULL,"
	"  type text NOT NULL, branch text NOT NULL, reason text NOT NULL,"
	"  at text NOT NULL, UNIQUE(device, seq));"
	"CREATE TABLE epoch(first_cseq bigint PRIMARY KEY, id text NOT NULL UNIQUE,"
	"  started text NOT NULL);"
	"CREATE TABLE device_fork(device text PRIMARY KEY,"
	"  owner bigint NOT NULL REFERENCES device(id),"
	"  forked_from text NOT NULL, at text NOT NULL);"
	"CREATE TABLE device_handover(id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  device text NOT NULL, from_owner bigint NOT NULL REFERENCES device(id),"
	"  to_owner bigint NOT NULL REFERENCES device(id), at text NOT NULL);"
	"CREATE TABLE hub_token(id bigint PRIMARY KEY REFERENCES device(id));"
	"CREATE TABLE relayed(cseq bigint NOT NULL, token bigint NOT NULL,"
	"  PRIMARY KEY(cseq, token));"
	"CREATE TABLE hub_pull(token bigint PRIMARY KEY, pulled_to bigint NOT NULL);"
	"CREATE TABLE bundle_cursor(device text PRIMARY KEY, token bigint NOT NULL,"
	"  after bigint NOT NULL, epoch text NOT NULL);",
	/* 2: a pull reads its scope's branches from its cursor on. */
	"CREATE INDEX journal_branch_cseq ON journal(branch, cseq);",
	/* 3: commit sequences are the highest one plus one, drawn under
	 * the commit lock (hub_store_pg_push.c): no sequence object. */
	"DROP SEQUENCE IF EXISTS journal_cseq;",
};
#define PG_SCHEMA_VERSION ((int)(sizeof(pg_steps) / sizeof(pg_steps[0])))

/* The schema's version (0: no schema_version table, no hub). */
static enum fb_code schema_version(struct pg_conn *conn, int *version, struct fb_error *err)
{
	PGresult *r;
	enum fb_code rc;

	*version = 0;
	r = pg_run(conn, "SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN -1"
		   " ELSE 0 END", 0, NULL, "reading the schema", &rc, err);
	if (!r)
		return rc;
	if (atoi(PQgetvalue(r, 0, 0)) == 0) {
		PQclear(r);
		r = pg_run(conn, "SELECT coalesce(max(version), 0) FROM schema_version", 0,
			   NULL, "reading the schema", &rc, err);
		if (!r)
			return rc;
		*version = atoi(PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	return FB_OK;
}

/* May a store of schema `version` be opened (create: by init)?  FB_OK
 * when it is this program's or older (migrated then). */
static enum fb_code schema_judge(int version, const char *where, int create,
				 struct fb_error *err)
{
	if (version > PG_SCHEMA_VERSION)
		return fb_fail(err, FB_EINVAL, "%s was written by a newer Fieldbook (schema %d,"
			       " this program knows %d); nothing was changed", where, version,
			       PG_SCHEMA_VERSION);
	if (create && version > 0)
		return fb_fail(err, FB_EEXIST, "%s exists already", where);
	if (!create && version == 0)
		return fb_fail(err, FB_ENOINPUT, "no hub in %s (run 'fieldbook-hub --store %s"
			       " init' first)", where, where);
	return FB_OK;
}

/*
 * Bring the schema to PG_SCHEMA_VERSION, under the migration lock so
 * that two processes opening an old hub at once migrate it once.  create:
 * init, which makes the schema from nothing (and refuses a database that
 * has one); otherwise a database with none is no hub.  A newer schema
 * is refused before anything is written.
 *
 * The version is read first without the lock: a schema that is current
 * (every open but the first after an upgrade), newer or missing is
 * answered with nothing locked and nothing written, so that a read-only
 * connection or a hot standby opens a current hub (report, verify and
 * the listings run there).  A version read below the current one is
 * read again under the lock: another process may have migrated it since.
 */
static enum fb_code migrate(struct pg_conn *conn, const char *where, int create, struct fb_error *err)
{
	enum fb_code rc;
	int version = 0, step;

	if ((rc = schema_version(conn, &version, err)) != FB_OK ||
	    (rc = schema_judge(version, where, create, err)) != FB_OK ||
	    version == PG_SCHEMA_VERSION)
		return rc;
	if ((rc = pg_do(conn, "SELECT pg_advisory_lock(" PG_MIGRATE_LOCK ")", 0, NULL,
			"locking the schema", err)) != FB_OK)
		return rc;
	if ((rc = schema_version(conn, &version, err)) != FB_OK ||
	    (rc = schema_judge(version, where, create, err)) != FB_OK)
		goto out;
	/* Each step in a transaction of its own, with its row: a hub
	 * stopped half-way resumes at the next step, and an init that
	 * failed (a table of the same name there) leaves nothing. */
	for (step = version + 1; rc == FB_OK && step <= PG_SCHEMA_VERSION; step++) {
		char v[16];
		const char *p[1] = { v };

		snprintf(v, sizeof(v), "%d", step);
		if ((rc = pg_do(conn, "BEGIN", 0, NULL, "migrating", err)) != FB_OK)
			break;
		if ((step == 1 &&
		     (rc = pg_exec(conn, "CREATE TABLE schema_version(version integer PRIMARY KEY,"
				   " applied text NOT NULL)", "creating the schema",
				   err)) != FB_OK) ||
		    (rc = pg_exec(conn, pg_steps[step - 1], "migrating", err)) != FB_OK ||
		    (rc = pg_do(conn, "INSERT INTO schema_version(version, applied)"
				" VALUES($1::int, " PG_NOW ")", 1, p, "migrating", err)) != FB_OK ||
		    (rc = pg_do(conn, "COMMIT", 0, NULL, "migrating", err)) != FB_OK)
			pg_rollback(conn);
	}
out:
	PQclear(PQexec(conn->conn, "SELECT pg_advisory_unlock(" PG_MIGRATE_LOCK ")"));
	return rc;
}

/* --- opening --------------------------------------------------------- */

int hub_store_is_pg(const char *uri)
{
	return uri && (!strncmp(uri, "postgresql://", 13) || !strncmp(uri, "postgres://", 11));
}

void hub_store_pg_shown(const char *uri, char *out, size_t size)
{
	const char *user = strstr(uri, "://"), *at, *colon;

	user = user ? user + 3 : uri;
	at = strchr(user, '@');
	colon = memchr(user, ':', at ? (size_t)(at - user) : 0);
	/* user:password@host: the password is cut, the rest kept. */
	if (at && colon && !memchr(user, '/', (size_t)(at - user)))
		snprintf(out, size, "%.*s%s", (int)(colon - uri), uri, at);
	else
		snprintf(out, size, "%s", uri);
}

/* The session every connection starts with: UTF-8 texts, notices
 * (IF NOT EXISTS, ...) not the hub's to print. */
static enum fb_code pg_session(PGconn *pq, struct fb_error *err)
{
	PGresult *r;
	enum fb_code rc = FB_OK;

	PQsetNoticeProcessor(pq, NULL, NULL);
	r = PQexec(pq, "SET client_encoding = 'UTF8'");
	if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = fb_fail(err, FB_EBUSY, "connecting: PostgreSQL: %.*s",
			     (int)strcspn(PQerrorMessage(pq), "\n"), PQerrorMessage(pq));
	PQclear(r);
	return rc;
}

/* A connection to uri, named `app` in pg_stat_activity (PG_APP_SERVE:
 * a serving hub's, which restore looks for). */
static enum fb_code pg_connect(const char *uri, const char *app, struct pg_conn *out,
			       struct fb_error *err)
{
	const char *const keys[] = { "dbname", "application_name", NULL };
	const char *const values[] = { uri, app, NULL };
	PGconn *pq;
	enum fb_code rc;

	memset(out, 0, sizeof(*out));
	if (!hub_store_is_pg(uri))
		return fb_fail(err, FB_EUSAGE, "--store takes a postgresql:// URI");
	if (!(pq = PQconnectdbParams(keys, values, 1)))
		return fb_fail(err, FB_ENOMEM, "out of memory");
	if (PQstatus(pq) != CONNECTION_OK) {
		const char *msg = PQerrorMessage(pq);

		rc = fb_fail(err, FB_EBUSY, "cannot reach PostgreSQL: %.*s",
			     (int)strcspn(msg, "\n"), msg);
		PQfinish(pq);
		return rc;
	}
	if ((rc = pg_session(pq, err)) != FB_OK) {
		PQfinish(pq);
		return rc;
	}
	out->conn = pq;
	return FB_OK;
}

struct pg_conn *pg_get(struct pg_hub *h)
{
	struct pg_conn *c = NULL;
	int i;

	pthread_mutex_lock(&h->lock);
	while (!c) {
		for (i = 0; i < h->n && !c; i++)
			if (!h->pool[i].busy)
				c = &h->pool[i];
		if (!c)
			pthread_cond_wait(&h->freed, &h->lock);
	}
	c->busy = 1;
	pthread_mutex_unlock(&h->lock);
	/* One lost (PostgreSQL restarted, the link cut), or that may be
	 * (another was), is made again; if that fails too, its statements
	 * fail as a lost connection does, FB_EBUSY, and the next user
	 * tries again. */
	if (c->stale || PQstatus(c->conn) == CONNECTION_BAD) {
		c->stale = 0;
		PQreset(c->conn);
		if (PQstatus(c->conn) == CONNECTION_OK)
			pg_session(c->conn, NULL);
	}
	c->state[0] = '\0';
	return c;
}

void pg_put(struct pg_hub *h, struct pg_conn *c)
{
	int i;

	/* A connection left inside a transaction (a failure that could not
	 * roll back) is not given to the next user as it is. */
	if (PQtransactionStatus(c->conn) != PQTRANS_IDLE)
		pg_rollback(c);
	pthread_mutex_lock(&h->lock);
	c->busy = 0;
	/* A restart of PostgreSQL ends every connection at once: the others
	 * are made again before they are used, rather than each failing one
	 * request first. */
	if (PQstatus(c->conn) == CONNECTION_BAD)
		for (i = 0; i < h->n; i++)
			h->pool[i].stale = 1;
	pthread_cond_signal(&h->freed);
	pthread_mutex_unlock(&h->lock);
}

int pg_bytes(const PGresult *r, int row, int col, unsigned char *out, size_t len)
{
	const char *t = PQgetvalue(r, row, col);

	return !strncmp(t, "\\x", 2) && wire_unhex(t + 2, out, len) == FB_OK;
}

void pg_hex(const unsigned char *in, size_t len, char *out)
{
	out[0] = '\\';
	out[1] = 'x';
	wire_hex(in, len, out + 2);
}

/* --- COPY ------------------------------------------------------------- */

enum fb_code pg_copy(struct pg_conn *c, const char *sql, const char *data, size_t len,
		     const char *what, struct fb_error *err)
{
	PGresult *r = PQexec(c->conn, sql);
	enum fb_code rc = FB_OK;

	if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
		rc = pg_fail(c, r, what, err);
		PQclear(r);
		return rc;
	}
	PQclear(r);
	/* PQputCopyData takes at most INT_MAX bytes at a time. */
	while (len > 0) {
		int n = len > (1u << 30) ? 1 << 30 : (int)len;

		if (PQputCopyData(c->conn, data, n) != 1)
			break;
		data += n;
		len -= (size_t)n;
	}
	PQputCopyEnd(c->conn, len ? "the rows could not be sent" : NULL);
	while ((r = PQgetResult(c->conn))) {
		if (rc == FB_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = pg_fail(c, r, what, err);
		PQclear(r);
	}
	if (rc == FB_OK && len)
		rc = pg_fail(c, NULL, what, err);
	return rc;
}

enum fb_code pg_copy_field(struct fb_buf *b, const char *v, int last)
{
	enum fb_code rc = FB_OK;
	const char *p;

	for (p = v; rc == FB_OK && *p; p++) {
		size_t run = strcspn(p, "\\\t\n\r");

		if (run && (rc = buf_add(b, p, run)) != FB_OK)
			break;
		p += run;
		if (!*p)
			break;
		rc = buf_adds(b, *p == '\\' ? "\\\\" : *p == '\t' ? "\\t"
						     : *p == '\n' ? "\\n" : "\\r");
	}
	return rc == FB_OK ? buf_addc(b, last ? '\n' : '\t') : rc;
}

/* --- arrays of parameters ------------------------------------------- */

static void array_put(struct pg_array *a, const char *p, size_t n)
{
	if (a->failed)
		return;
	if (a->len + n + 3 > a->cap) {
		size_t cap = a->cap ? a->cap : 256;
		char *t;

		while (cap < a->len + n + 3)
			cap *= 2;
		if (!(t = realloc(a->text, cap))) {
			a->failed = 1;
			return;
		}
		a->text = t;
		a->cap = cap;
	}
	memcpy(a->text + a->len, p, n);
	a->len += n;
}

/* Each element quoted, its quotes and backslashes escaped: any text. */
void pg_array_add(struct pg_array *a, const char *value)
{
	const char *p;

	array_put(a, a->n++ ? ",\"" : "{\"", 2);
	for (p = value; *p; p++) {
		size_t run = strcspn(p, "\"\\");

		array_put(a, p, run);
		p += run;
		if (!*p)
			break;
		array_put(a, "\\", 1);
		array_put(a, p, 1);
	}
	array_put(a, "\"", 1);
}

void pg_array_addf(struct pg_array *a, const char *fmt, ...)
{
	char v[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	pg_array_add(a, v);
}

const char *pg_array_text(struct pg_array *a)
{
	if (!a->n)
		array_put(a, "{", 1);
	array_put(a, "}", 1);
	if (a->failed)
		return NULL;
	a->text[a->len] = '\0';
	return a->text;
}

void pg_array_release(struct pg_array *a)
{
	free(a->text);
	memset(a, 0, sizeof(*a));
}

/* --- units ----------------------------------------------------------- */

enum fb_code pg_top_of(struct pg_conn *conn, char **top, struct fb_error *err)
{
	PGresult *r;
	enum fb_code rc;

	*top = NULL;
	r = pg_run(conn, "SELECT value FROM meta WHERE key = 'hub_unit'", 0, NULL,
		   "reading meta", &rc, err);
	if (!r)
		return rc;
	if (PQntuples(r) == 1 && !(*top = strdup(PQgetvalue(r, 0, 0))))
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
	else if (PQntuples(r) != 1)
		rc = fb_fail(err, FB_EINVAL, "this is not a hub database");
	PQclear(r);
	return rc;
}

static enum fb_code pg_top_unit(struct hub_store *s, char **code, struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_conn *conn = pg_get(h);
	enum fb_code rc = pg_top_of(conn, code, err);

	pg_put(h, conn);
	return rc;
}

/* Every unit the hub holds, into the plan. */
static enum fb_code plan_load(struct pg_conn *conn, struct hub_plan *t, struct fb_error *err)
{
	enum fb_code rc;
	PGresult *r = pg_run(conn, "SELECT code, parent, level, name FROM unit", 0, NULL,
			     "reading units", &rc, err);
	int i;

	for (i = 0; r && rc == FB_OK && i < PQntuples(r); i++)
		if (hub_plan_held(t, PQgetvalue(r, i, 0),
				  PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1),
				  PQgetvalue(r, i, 2), PQgetvalue(r, i, 3)) != FB_OK)
			rc = fb_fail(err, FB_ENOMEM, "out of memory");
	PQclear(r);
	return rc;
}

struct plan_writer {
	struct pg_conn *conn;
	struct fb_error *err;
};

static enum fb_code write_unit(void *ctx, const char *code, const char *parent,
			       const char *level, const char *name, int is_new)
{
	struct plan_writer *w = ctx;
	const char *p[4] = { code, parent, level, name };

	if (is_new)
		return pg_do(w->conn, "INSERT INTO unit(code, parent, level, name)"
			     " VALUES($1, $2, $3, $4)", 4, p, "saving units", w->err);
	p[2] = name;
	return pg_do(w->conn, "UPDATE unit SET parent = $2, name = $3 WHERE code = $1", 3, p,
		     "saving units", w->err);
}

static enum fb_code pg_put_units(struct hub_store *s, const struct hub_unit *u, size_t n,
				 enum hub_units_mode mode, struct hub_units_outcome *out,
				 struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_conn *conn = pg_get(h);
	struct plan_writer w = { conn, err };
	struct hub_plan *t = NULL;
	char *top = NULL;
	enum fb_code rc;

	memset(out, 0, sizeof(*out));
	/* The unit table is locked for the plan's read and write: two
	 * commands changing the tree at once would each check it alone. */
	if ((rc = pg_do(conn, "BEGIN", 0, NULL, "saving units", err)) != FB_OK)
		goto done;
	if ((rc = pg_do(conn, "LOCK TABLE unit IN SHARE ROW EXCLUSIVE MODE", 0, NULL,
			"saving units", err)) != FB_OK ||
	    (rc = pg_top_of(conn, &top, err)) != FB_OK)
		goto fail;
	if (hub_plan_new(n, &t) != FB_OK) {
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = plan_load(conn, t, err)) != FB_OK)
		goto fail;
	if ((rc = hub_plan_lay(t, u, n, mode, top, out, err)) != FB_OK)
		goto fail;
	/* A child may come before its parent: the references are checked
	 * at the commit, when all are in. */
	if ((rc = pg_do(conn, "SET CONSTRAINTS ALL DEFERRED", 0, NULL, "saving units",
			err)) != FB_OK ||
	    (rc = hub_plan_write(t, write_unit, &w, out)) != FB_OK)
		goto fail;
	if (out->added + out->renamed + out->moved == 0)
		goto fail;      /* nothing to write: nothing written */
	rc = pg_do(conn, "COMMIT", 0, NULL, "saving units", err);
	goto done;
fail:
	pg_rollback(conn);
done:
	hub_plan_free(t);
	free(top);
	pg_put(h, conn);
	return rc;
}

/* One count of a query with one text parameter. */
static enum fb_code count_of(struct pg_conn *conn, const char *sql, const char *code,
			     long long *n, struct fb_error *err)
{
	enum fb_code rc;
	PGresult *r = pg_run(conn, sql, 1, &code, "counting", &rc, err);

	*n = r ? atoll(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return rc;
}

static enum fb_code pg_remove_unit(struct hub_store *s, const char *code,
				   struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_conn *conn = pg_get(h);
	long long units = 0, children = 0, devices = 0, records = 0;
	char *top = NULL;
	enum fb_code rc;

	if ((rc = pg_do(conn, "BEGIN", 0, NULL, "removing a unit", err)) != FB_OK)
		goto done;
	if ((rc = pg_do(conn, "LOCK TABLE unit IN SHARE ROW EXCLUSIVE MODE", 0, NULL,
			"removing a unit", err)) != FB_OK ||
	    (rc = pg_top_of(conn, &top, err)) != FB_OK ||
	    (rc = count_of(conn, "SELECT count(*) FROM unit WHERE code = $1", code, &units,
			   err)) != FB_OK ||
	    (rc = count_of(conn, "SELECT count(*) FROM unit WHERE parent = $1", code,
			   &children, err)) != FB_OK ||
	    (rc = count_of(conn, "SELECT count(*) FROM device WHERE unit = $1", code,
			   &devices, err)) != FB_OK ||
	    (rc = count_of(conn, "SELECT count(*) FROM record WHERE branch = $1", code,
			   &records, err)) != FB_OK ||
	    (rc = hub_unit_removable(code, top, units, children, devices, records,
				     err)) != FB_OK ||
	    (rc = pg_do(conn, "DELETE FROM unit WHERE code = $1", 1, &code,
			"removing a unit", err)) != FB_OK)
		goto fail;
	rc = pg_do(conn, "COMMIT", 0, NULL, "removing a unit", err);
	goto done;
fail:
	pg_rollback(conn);
done:
	free(top);
	pg_put(h, conn);
	return rc;
}

static enum fb_code pg_unit_tree(struct hub_store *s, const char *root, hub_tree_fn fn,
				 void *ctx, struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_conn *conn = pg_get(h);
	struct hub_plan *t = NULL;
	PGresult *r = NULL;
	char *top = NULL;
	enum fb_code rc;
	int i;

	/* One snapshot: the units and the devices agree. */
	if ((rc = pg_do(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL,
			"listing units", err)) != FB_OK)
		goto done;
	if (hub_plan_new(0, &t) != FB_OK)
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
	if (rc == FB_OK && (rc = pg_top_of(conn, &top, err)) == FB_OK &&
	    (rc = plan_load(conn, t, err)) == FB_OK)
		r = pg_run(conn, "SELECT unit, count(*) FROM device WHERE revoked IS NULL"
			   " GROUP BY unit", 0, NULL, "reading devices", &rc, err);
	for (i = 0; r && i < PQntuples(r); i++)
		hub_plan_devices(t, PQgetvalue(r, i, 0), (size_t)atoll(PQgetvalue(r, i, 1)));
	PQclear(r);
	pg_rollback(conn);      /* a read: nothing to keep */
	if (rc == FB_OK)
		rc = hub_plan_walk(t, root, top, fn, ctx, err);
done:
	hub_plan_free(t);
	free(top);
	pg_put(h, conn);
	return rc;
}

static enum fb_code pg_each_unit(struct hub_store *s, const char *root, const char *level,
				 hub_unit_fn fn, void *ctx, struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_conn *conn = pg_get(h);
	const char *p[2] = { root, level };
	enum fb_code rc;
	PGresult *r = pg_run(conn, PG_SUBTREE
			     " SELECT u.code, u.name FROM unit u JOIN sub ON u.code = sub.code"
			     " WHERE u.level = $2 ORDER BY u.code COLLATE \"C\"", 2, p,
			     "reading units", &rc, err);
	int i;

	pg_put(h, conn);
	for (i = 0; r && rc == FB_OK && i < PQntuples(r); i++)
		rc = fn(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), ctx);
	PQclear(r);
	return rc;
}

/* --- devices --------------------------------------------------------- */

static enum fb_code pg_enroll(struct hub_store *s, const char *unit, const char *name,
			      const unsigned char hash[TOKEN_HASH_LEN], long long *id,
			      struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_conn *conn = pg_get(h);
	char hex[2 * TOKEN_HASH_LEN + 3];
	const char *p[3] = { name, unit, hex };
	enum fb_code rc;
	PGresult *r;

	*id = 0;
	pg_hex(hash, TOKEN_HASH_LEN, hex);
	r = pg_run(conn, "INSERT INTO device(name, unit, token_hash, created)"
		   " SELECT $1, code, $3::bytea, " PG_NOW " FROM unit WHERE code = $2"
		   " RETURNING id", 3, p, "enrolling", &rc, err);
	pg_put(h, conn);
	if (r && PQntuples(r) == 0)
		rc = fb_fail(err, FB_ENOENT, "no unit %s (add it with 'unit add')", unit);
	else if (r)
		*id = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return rc;
}

/* Run an update of device id; FB_ENOENT when no row changed (hub: the
 * device is not one without a bound laptop). */
static enum fb_code device_update(struct pg_hub *h, const char *sql, long long id,
				  const char *what, int hub, struct fb_error *err)
{
	struct pg_conn *conn = pg_get(h);
	char v[32];
	const char *p[1] = { v };
	enum fb_code rc;
	PGresult *r;

	snprintf(v, sizeof(v), "%lld", id);
	r = pg_run(conn, sql, 1, p, what, &rc, err);
	pg_put(h, conn);
	if (r && pg_changed(r) == 0)
		rc = hub ? fb_fail(err, FB_ENOENT, "no device %lld without a bound laptop", id)
			 : fb_fail(err, FB_ENOENT, "no device %lld", id);
	PQclear(r);
	return rc;
}

static enum fb_code pg_make_hub(struct hub_store *s, long long id, struct fb_error *err)
{
	return device_update((struct pg_hub *)s, "INSERT INTO hub_token(id)"
			     " SELECT id FROM device WHERE id = $1::bigint AND device IS NULL"
			     " ON CONFLICT DO NOTHING", id, "enrolling a hub", 1, err);
}

static enum fb_code pg_revoke(struct hub_store *s, long long id, struct fb_error *err)
{
	return device_update((struct pg_hub *)s, "UPDATE device SET revoked ="
			     " coalesce(revoked, " PG_NOW ") WHERE id = $1::bigint", id,
			     "revoking", 0, err);
}

/* --- listings -------------------------------------------------------- */


/* The SQLite store's listings, column for column.  A conflict's id is
 * computed here (conflict_id.h) from the loser's stamp: the last two
 * columns read, not shown. */
static const struct {
	const char *sql;
} listings[] = {
	[HUB_LIST_DEVICES] = {
		"SELECT id, name, unit, coalesce(device, (SELECT h.device FROM device_handover h"
		" WHERE h.from_owner = device.id ORDER BY h.id DESC LIMIT 1), ''), created,"
		" coalesce(last_seen, ''), coalesce(revoked, ''), coalesce(last_push, ''),"
		" coalesce(last_pull, ''), coalesce((SELECT name FROM unit"
		" WHERE unit.code = device.unit), ''),"
		" (EXISTS(SELECT 1 FROM hub_token WHERE hub_token.id = device.id))::int"
		" FROM device WHERE $1::int IS NOT NULL ORDER BY id" },
	[HUB_LIST_CONFLICTS] = {
		"SELECT '', record_id, type, branch, field, kind, winner_value,"
		" lpad(to_hex(winner_hlc), 16, '0'), winner_device, loser_value,"
		" lpad(to_hex(loser_hlc), 16, '0'), loser_device, resolved::int, loser_hlc"
		" FROM conflict WHERE resolved = 0 OR $1::int <> 0 ORDER BY id" },
	[HUB_LIST_REJECTED] = {
		"SELECT id, device, seq, record_id, type, branch, reason, at"
		" FROM rejected WHERE $1::int IS NOT NULL ORDER BY id" },
};

static enum fb_code pg_list(struct hub_store *s, enum hub_listing what, int all,
			    hub_row_fn fn, void *ctx, struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_conn *conn = pg_get(h);
	const char *p[1] = { all ? "1" : "0" };
	char id[CONFLICT_ID_LEN + 1];
	enum fb_code rc;
	PGresult *r;
	int i, j;

	if ((unsigned)what >= sizeof(listings) / sizeof(listings[0]))
		return fb_fail(err, FB_EINTERNAL, "no listing %d", (int)what);
	r = pg_run(conn, listings[what].sql, 1, p, "listing", &rc, err);
	pg_put(h, conn);
	for (i = 0; r && rc == FB_OK && i < PQntuples(r); i++) {
		struct hub_row row = { hub_listing_cols[what].n, hub_listing_cols[what].names,
				       { 0 }, { 0 } };

		for (j = 0; j < row.ncols; j++) {
			Oid type = PQftype(r, j);

			row.values[j] = PQgetvalue(r, i, j);
			row.is_number[j] = type == PG_INT8OID || type == PG_INT4OID ||
					   type == PG_INT2OID;
		}
		if (what == HUB_LIST_CONFLICTS) {
			struct fb_stamp loser;

			memset(&loser, 0, sizeof(loser));
			loser.hlc = (fb_hlc)strtoull(PQgetvalue(r, i, 13), NULL, 10);
			snprintf(loser.device, sizeof(loser.device), "%s", PQgetvalue(r, i, 11));
			conflict_id(PQgetvalue(r, i, 1), PQgetvalue(r, i, 4), &loser, id);
			id[CONFLICT_ID_SHOWN] = '\0';
			row.values[0] = id;
		}
		rc = fn(&row, ctx);
	}
	PQclear(r);
	return rc;
}

/* --- backup: PostgreSQL's own tools ---------------------------------- */

/* --- the store ------------------------------------------------------- */

static int pg_healthy(struct hub_store *s)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_conn *conn = pg_get(h);
	PGresult *r = PQexec(conn->conn, "SELECT 1");
	int ok = r && PQresultStatus(r) == PGRES_TUPLES_OK;

	PQclear(r);
	pg_put(h, conn);
	return ok;
}

static void pg_close(struct hub_store *s)
{
	struct pg_hub *h = (struct pg_hub *)s;
	int i;

	if (!h)
		return;
	for (i = 0; i < h->n; i++)
		PQfinish(h->pool[i].conn);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->freed);
	free(h->pool);
	free(h);
}

static const struct hub_store_ops pg_ops = {
	.auth = pg_auth, .push = pg_push, .pull = pg_pull, .heads = pg_heads,
	.find_device = pg_find_device, .bundle_cursor = pg_bundle_cursor,
	.bundle_mark = pg_bundle_mark,
	.healthy = pg_healthy,
	.close = pg_close, .enroll = pg_enroll, .make_hub = pg_make_hub,
	.revoke = pg_revoke,
	.list = pg_list, .verify = pg_verify, .put_units = pg_put_units,
	.remove_unit = pg_remove_unit, .unit_tree = pg_unit_tree,
	.backup = pg_backup,
	.top_unit = pg_top_unit,
	.each_unit = pg_each_unit, .report_data = pg_report_data,
};

/* The store of uri with a pool of n connections, its schema migrated
 * first (on the first connection, under the migration lock). */
static enum fb_code pg_open(const char *uri, int n, const char *app, struct pg_hub **out,
			    struct fb_error *err)
{
	char shown[HUB_PG_SHOWN_MAX];
	struct pg_hub *h;
	enum fb_code rc = FB_OK;
	int i;

	*out = NULL;
	hub_store_pg_shown(uri, shown, sizeof(shown));
	if (!(h = calloc(1, sizeof(*h))) || !(h->pool = calloc((size_t)n, sizeof(*h->pool)))) {
		free(h);
		return fb_fail(err, FB_ENOMEM, "out of memory");
	}
	h->base.ops = &pg_ops;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->freed, NULL);
	for (i = 0; i < n && rc == FB_OK; i++)
		if ((rc = pg_connect(uri, app, &h->pool[i], err)) == FB_OK)
			h->n++;
	if (rc == FB_OK)
		rc = migrate(&h->pool[0], shown, 0, err);
	if (rc != FB_OK) {
		pg_close(&h->base);
		return rc;
	}
	*out = h;
	return FB_OK;
}

enum fb_code hub_store_pg_admin(const char *uri, struct hub_store **out,
				struct fb_error *err)
{
	char sql[64];
	struct pg_hub *h;
	enum fb_code rc = pg_open(uri, 1, PG_APP, &h, err);

	/* A command that meets another writing waits as long as it would
	 * on SQLite, then says so (75); serve's pushes wait for each other. */
	snprintf(sql, sizeof(sql), "SET lock_timeout = %d", FB_BUSY_TIMEOUT_MS);
	if (rc == FB_OK && (rc = pg_exec(&h->pool[0], sql, "connecting", err)) != FB_OK)
		pg_close(&h->base);
	*out = rc == FB_OK ? &h->base : NULL;
	return rc;
}

enum fb_code hub_store_pg_open(const char *uri, int connections, struct hub_store **out,
			       struct fb_error *err)
{
	struct pg_hub *h;
	enum fb_code rc = pg_open(uri, connections, PG_APP_SERVE, &h, err);

	*out = NULL;
	if (rc == FB_OK && (rc = pg_new_epoch(&h->pool[0], err)) != FB_OK)
		pg_close(&h->base);
	else if (rc == FB_OK)
		*out = &h->base;
	return rc;
}

enum fb_code hub_store_pg_create(const char *uri, const struct hub_unit *top,
				 struct fb_error *err)
{
	const char *p[3] = { top->code, top->level, top->name };
	char shown[HUB_PG_SHOWN_MAX];
	struct pg_conn c, *conn = &c;
	enum fb_code rc;

	hub_store_pg_shown(uri, shown, sizeof(shown));
	if ((rc = pg_connect(uri, PG_APP, conn, err)) != FB_OK)
		return rc;
	/* The schema first, then the top unit: a hub whose schema was made
	 * but whose init stopped before its unit is taken by init again. */
	if ((rc = migrate(conn, shown, 1, err)) == FB_EEXIST) {
		PGresult *r = pg_run(conn, "SELECT 1 FROM meta WHERE key = 'hub_unit'", 0, NULL,
				     "reading meta", &rc, err);

		if (r && PQntuples(r) == 0)
			rc = FB_OK;
		else if (r)
			rc = fb_fail(err, FB_EEXIST, "%s exists already", shown);
		PQclear(r);
		if (rc == FB_OK)
			rc = migrate(conn, shown, 0, err);
	}
	if (rc == FB_OK && (rc = pg_do(conn, "BEGIN", 0, NULL, "creating the hub",
				       err)) == FB_OK) {
		if ((rc = pg_do(conn, "INSERT INTO unit(code, parent, level, name)"
				" VALUES($1, NULL, $2, $3)", 3, p, "creating the hub",
				err)) != FB_OK ||
		    (rc = pg_do(conn, "INSERT INTO meta(key, value) VALUES('hub_unit', $1)",
				1, p, "creating the hub", err)) != FB_OK ||
		    (rc = pg_do(conn, "COMMIT", 0, NULL, "creating the hub", err)) != FB_OK)
			pg_rollback(conn);
	}
	PQfinish(conn->conn);
	return rc;
}
