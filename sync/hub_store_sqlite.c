/*
 * hub_store_sqlite.c - the hub's store on SQLite: a pool of connections
 * (readers run side by side under WAL), one writer at a time (pushes
 * take a mutex, so they queue here rather than spin on SQLITE_BUSY).
 *
 * The WAL is copied back into the database by a thread of its own (the
 * checkpointer), not by whichever push's commit crossed SQLite's
 * threshold: a push pays for its own pages and one fsync, and the
 * copying overlaps the next request.  A WAL the checkpointer cannot keep
 * up with is checkpointed by the committing push itself past
 * HUB_WAL_PAGES_HARD, so it stays bounded.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>

#include "book.h"
#include "hub_store.h"
#include "hub_limits.h"
#include "hub_store_rules.h"
#include "hub_store_sqlite.h"

const char hub_schema[] =
	"CREATE TABLE IF NOT EXISTS unit("
	"  code TEXT PRIMARY KEY,"
	"  parent TEXT REFERENCES unit(code),"
	"  level TEXT NOT NULL,"
	"  name TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS unit_parent ON unit(parent);"
	"CREATE TABLE IF NOT EXISTS device("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  unit TEXT NOT NULL REFERENCES unit(code),"
	"  token_hash BLOB NOT NULL UNIQUE,"
	"  device TEXT UNIQUE,"
	"  created TEXT NOT NULL,"
	"  revoked TEXT,"
	"  last_seen TEXT,"          /* its laptop's last push (not a relay) */
	"  last_push TEXT,"          /* the last push it made (relays too) */
	"  last_pull TEXT);"
	"CREATE TABLE IF NOT EXISTS rejected("
	"  id INTEGER PRIMARY KEY,"
	"  device TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  record_id TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  branch TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  UNIQUE(device, seq));"
	/* The hub's histories (hub_store_history.c): an epoch begins at
	 * each start of serve, so a cursor names the history it is of. */
	"CREATE TABLE IF NOT EXISTS epoch("
	"  first_cseq INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE,"
	"  started TEXT NOT NULL);"
	/* Device ids a token took on when its laptop forked (book_fork). */
	"CREATE TABLE IF NOT EXISTS device_fork("
	"  device TEXT PRIMARY KEY,"
	"  owner INTEGER NOT NULL REFERENCES device(id),"
	"  forked_from TEXT NOT NULL,"
	"  at TEXT NOT NULL) WITHOUT ROWID;"
	/* Device ids a new token took over from a revoked one (a laptop
	 * enrolled again), oldest first. */
	"CREATE TABLE IF NOT EXISTS device_handover("
	"  id INTEGER PRIMARY KEY,"
	"  device TEXT NOT NULL,"
	"  from_owner INTEGER NOT NULL REFERENCES device(id),"
	"  to_owner INTEGER NOT NULL REFERENCES device(id),"
	"  at TEXT NOT NULL);"
	/* Tokens enrolled for a hub below this one (enroll --hub): they
	 * relay their laptops' changes and bind no device. */
	"CREATE TABLE IF NOT EXISTS hub_token("
	"  id INTEGER PRIMARY KEY REFERENCES device(id));"
	/* Which token relayed (or relayed again) each journal row, so that
	 * a pull never sends a row back to the hub it came from. */
	"CREATE TABLE IF NOT EXISTS relayed("
	"  cseq INTEGER NOT NULL,"
	"  token INTEGER NOT NULL,"
	"  PRIMARY KEY(cseq, token)) WITHOUT ROWID;"
	/* How far each hub below has pulled: one that asks from further
	 * back was restored, and gets what it relayed too. */
	"CREATE TABLE IF NOT EXISTS hub_pull("
	"  token INTEGER PRIMARY KEY,"
	"  pulled_to INTEGER NOT NULL);"
	/* Where a laptop without a link stood, as its last bundle said. */
	"CREATE TABLE IF NOT EXISTS bundle_cursor("
	"  device TEXT PRIMARY KEY,"
	"  token INTEGER NOT NULL,"
	"  after INTEGER NOT NULL,"
	"  epoch TEXT NOT NULL) WITHOUT ROWID;"
	/* Hubs of earlier versions had the collector's journal index. */
	"DROP INDEX IF EXISTS journal_record;";

/* The units a scope covers: the unit and all below it. */
#define SUBTREE_CTE \
	"WITH RECURSIVE sub(code) AS (SELECT ?1 UNION" \
	" SELECT unit.code FROM unit JOIN sub ON unit.parent = sub.code)"

/* Now, as the hub's tables write moments: UTC ISO 8601 to the second. */
#define HUB_NOW_SQL "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

#define HUB_WAL_PAGES_SOFT  2048    /* wake the checkpointer (8 MiB) */
#define HUB_WAL_PAGES_HARD  65536   /* the committer checkpoints (256 MiB) */
#define HUB_CHECKPOINT_MS   1000    /* the checkpointer looks at least this often */

struct book *sqhub_get(struct sqlite_hub *h)
{
	struct book *b = NULL;
	int i;

	pthread_mutex_lock(&h->lock);
	while (!b) {
		for (i = 0; i < h->n; i++)
			if (!h->busy[i]) {
				h->busy[i] = 1;
				b = h->conn[i];
				break;
			}
		if (!b)
			pthread_cond_wait(&h->freed, &h->lock);
	}
	pthread_mutex_unlock(&h->lock);
	return b;
}

void sqhub_put(struct sqlite_hub *h, struct book *b)
{
	int i;

	pthread_mutex_lock(&h->lock);
	for (i = 0; i < h->n; i++)
		if (h->conn[i] == b)
			h->busy[i] = 0;
	pthread_cond_signal(&h->freed);
	pthread_mutex_unlock(&h->lock);
}

/* A device row as sq_auth and sq_find_device read it. */
#define DEVICE_COLUMNS "id, name, unit, coalesce(device, ''), revoked, token_hash," \
	" EXISTS(SELECT 1 FROM hub_token WHERE hub_token.id = device.id)"

static void device_row(sqlite3_stmt *q, struct hub_device *dev)
{
	dev->id = sqlite3_column_int64(q, 0);
	snprintf(dev->name, sizeof(dev->name), "%s", sqlite3_column_text(q, 1));
	snprintf(dev->unit, sizeof(dev->unit), "%s", sqlite3_column_text(q, 2));
	snprintf(dev->device, sizeof(dev->device), "%s", sqlite3_column_text(q, 3));
	dev->hub = sqlite3_column_int(q, 6);
}

static enum fb_code sq_find_device(struct hub_store *s, const char *device,
				   struct hub_device *dev, struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b = sqhub_get(h);
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r;

	memset(dev, 0, sizeof(*dev));
	rc = store_prepare(b->st, "SELECT " DEVICE_COLUMNS " FROM device WHERE device = ?1"
			   " OR id = (SELECT owner FROM device_fork WHERE device = ?1)"
			   " OR id = (SELECT token FROM bundle_cursor WHERE device = ?1)"
			   " ORDER BY device = ?1 DESC LIMIT 1", &q, err);
	if (rc != FB_OK)
		goto out;
	sqlite3_bind_text(q, 1, device, -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	if (r == SQLITE_DONE) {
		rc = fb_fail(err, FB_ENOENT, "no device %s has synced with this hub: it is"
			     " known once its first push (or push bundle) arrived", device);
	} else if (r != SQLITE_ROW) {
		rc = store_fail(b->st, r, "reading devices", err);
	} else {
		device_row(q, dev);
		if (sqlite3_column_type(q, 4) != SQLITE_NULL)
			rc = fb_fail(err, FB_EAUTH, "the token of device %s was revoked", device);
	}
out:
	sqlite3_finalize(q);
	sqhub_put(h, b);
	return rc;
}

static enum fb_code sq_bundle_cursor(struct hub_store *s, const char *device,
				     uint64_t *after, char epoch[WIRE_EPOCH_LEN + 1],
				     struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b = sqhub_get(h);
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r;

	*after = 0;
	epoch[0] = '\0';
	rc = store_prepare(b->st, "SELECT after, epoch FROM bundle_cursor WHERE device = ?1",
			   &q, err);
	if (rc == FB_OK) {
		sqlite3_bind_text(q, 1, device, -1, SQLITE_STATIC);
		if ((r = sqlite3_step(q)) == SQLITE_ROW) {
			*after = (uint64_t)sqlite3_column_int64(q, 0);
			snprintf(epoch, WIRE_EPOCH_LEN + 1, "%s", sqlite3_column_text(q, 1));
		} else if (r != SQLITE_DONE) {
			rc = store_fail(b->st, r, "reading bundle_cursor", err);
		}
	}
	sqlite3_finalize(q);
	sqhub_put(h, b);
	return rc;
}

static enum fb_code sq_bundle_mark(struct hub_store *s, const char *device, long long token,
				   uint64_t after, const char *epoch, struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b = sqhub_get(h);
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r;

	rc = store_prepare(b->st, "INSERT OR REPLACE INTO bundle_cursor(device, token, after,"
			   " epoch) VALUES(?1, ?4, ?2, ?3)", &q, err);
	if (rc == FB_OK) {
		sqlite3_bind_text(q, 1, device, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)after);
		sqlite3_bind_text(q, 3, epoch, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 4, token);
		if ((r = sqlite3_step(q)) != SQLITE_DONE)
			rc = store_fail(b->st, r, "noting a bundle's cursor", err);
	}
	sqlite3_finalize(q);
	sqhub_put(h, b);
	return rc;
}

static enum fb_code sq_auth(struct hub_store *s,
			    const unsigned char hash[TOKEN_HASH_LEN],
			    struct hub_device *dev, struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b = sqhub_get(h);
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r;

	memset(dev, 0, sizeof(*dev));
	rc = store_prepare(b->st, "SELECT " DEVICE_COLUMNS " FROM device WHERE token_hash = ?1",
			   &q, err);
	if (rc != FB_OK)
		goto out;
	sqlite3_bind_blob(q, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	r = sqlite3_step(q);
	if (r == SQLITE_DONE) {
		rc = fb_fail(err, FB_EAUTH, "unknown token");
	} else if (r != SQLITE_ROW) {
		rc = store_fail(b->st, r, "reading devices", err);
	} else if (sqlite3_column_bytes(q, 5) != TOKEN_HASH_LEN ||
		   CRYPTO_memcmp(sqlite3_column_blob(q, 5), hash, TOKEN_HASH_LEN)) {
		rc = fb_fail(err, FB_EAUTH, "unknown token");
	} else {
		device_row(q, dev);
		if (sqlite3_column_type(q, 4) != SQLITE_NULL)
			rc = fb_fail(err, FB_EAUTH, "revoked token");
	}
out:
	sqlite3_finalize(q);
	sqhub_put(h, b);
	return rc;
}

/*
 * Is dev's token still good, as this transaction sees the device table?
 * A push authenticated before `revoke` committed must not be applied
 * after it: the push's transaction holds the write lock, so a revoke is
 * either committed before it (seen here) or waits until it ends.
 */
static enum fb_code still_enrolled(struct book *b, const struct hub_device *dev,
				   struct hub_push_result *res, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r;

	rc = store_prepare(b->st, "SELECT revoked IS NULL FROM device WHERE id = ?1", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_int64(q, 1, dev->id);
	r = sqlite3_step(q);
	if (r == SQLITE_DONE || (r == SQLITE_ROW && !sqlite3_column_int(q, 0))) {
		res->revoked = 1;
		rc = fb_fail(err, FB_EAUTH, "revoked token");
	} else if (r != SQLITE_ROW) {
		rc = store_fail(b->st, r, "reading devices", err);
	}
	sqlite3_finalize(q);
	return rc;
}

/* Is branch the unit or below it?  Ancestors come from the unit table. */
static enum fb_code in_scope(struct book *b, const char *unit, const char *branch,
			     int *yes, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r;

	*yes = !strcmp(unit, branch);
	if (*yes)
		return FB_OK;
	rc = store_prepare(b->st,
			   "WITH RECURSIVE up(code) AS (SELECT ?1 UNION"
			   " SELECT unit.parent FROM unit JOIN up ON unit.code = up.code"
			   " WHERE unit.parent IS NOT NULL)"
			   " SELECT 1 FROM up WHERE code = ?2", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, branch, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, unit, -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	if (r == SQLITE_ROW)
		*yes = 1;
	else if (r != SQLITE_DONE)
		rc = store_fail(b->st, r, "checking scope", err);
	sqlite3_finalize(q);
	return rc;
}

/*
 * Set an invalid change aside: it stays in the journal (flagged) so the
 * device's chain goes on, and in the rejected table with its reason.
 */
static enum fb_code quarantine(struct book *b, struct jchange *c,
			       const char *reason, struct hub_push_result *res,
			       struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r, applied = 0;

	rc = book_apply(b, c, BOOK_QUARANTINE, &applied, err);
	if (rc != FB_OK)
		return rc;
	if (!applied) {
		/* Sent again: it was set aside the first time. */
		res->replayed++;
		return FB_OK;
	}
	rc = store_prepare(b->st,
			   "INSERT OR IGNORE INTO rejected(device, seq, record_id, type,"
			   " branch, reason, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6,"
			   " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, c->device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)c->seq);
	sqlite3_bind_text(q, 3, c->record_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, model_type(c->type)->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, c->branch, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, reason, -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	if (r != SQLITE_DONE)
		rc = store_fail(b->st, r, "saving rejected entry", err);
	sqlite3_finalize(q);
	if (rc == FB_OK)
		hub_note_reject(res, c->seq, reason);
	return rc;
}

/* The token `by` relayed c (taken or held already): never sent back. */
static enum fb_code note_relayed(struct book *b, const struct jchange *c,
				 long long by, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r;

	rc = store_prepare(b->st, "INSERT OR IGNORE INTO relayed(cseq, token)"
			   " SELECT cseq, ?3 FROM journal WHERE device = ?1 AND seq = ?2",
			   &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, c->device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)c->seq);
	sqlite3_bind_int64(q, 3, by);
	if ((r = sqlite3_step(q)) != SQLITE_DONE)
		rc = store_fail(b->st, r, "noting a relayed change", err);
	sqlite3_finalize(q);
	return rc;
}

static enum fb_code sq_push(struct hub_store *s, struct hub_device *dev,
			    struct wire_batch *batch, struct hub_push_result *res,
			    struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	unsigned char head[JOURNAL_HASH_LEN];
	const char *checked = NULL;
	struct book *b;
	struct fb_error e;
	enum fb_code rc;
	size_t i;
	int yes, applied;

	memset(res, 0, sizeof(*res));
	pthread_mutex_lock(&h->writer);
	b = sqhub_get(h);
	if ((rc = book_begin(b, err)) != FB_OK)
		goto out;
	/* The token again, as this transaction sees it: a revoke that
	 * committed after the head was judged is seen here. */
	if ((rc = still_enrolled(b, dev, res, err)) != FB_OK)
		goto fail;
	/* A relay carries another device's changes; it binds nothing
	 * (docs/PROTOCOL.md §6.10).  A hub's token only relays. */
	if (dev->hub && !batch->relay) {
		rc = fb_fail(err, FB_EAUTH, "this token is a hub's: it relays other"
			     " devices' changes and writes none of its own");
		goto fail;
	}
	if (!batch->relay &&
	    (rc = sqhub_bind(b, dev, batch->device, batch->forked_from, err)) != FB_OK)
		goto fail;
	/* Scope first: a batch with one record outside it applies nothing. */
	for (i = 0; i < batch->n; i++) {
		const char *br = batch->changes[i].branch;

		if (checked && !strcmp(checked, br))
			continue;
		if ((rc = in_scope(b, dev->unit, br, &yes, err)) != FB_OK)
			goto fail;
		if (!yes) {
			snprintf(res->out_of_scope, sizeof(res->out_of_scope), "%s", br);
			rc = fb_fail(err, FB_EAUTH,
				     "record %s is of branch %s, outside unit %s",
				     batch->changes[i].record_id, br, dev->unit);
			goto fail;
		}
		checked = br;
	}
	for (i = 0; i < batch->n; i++) {
		struct jchange *c = &batch->changes[i];

		fb_error_clear(&e);
		rc = book_apply(b, c, 0, &applied, &e);
		if (rc == FB_EINVAL || rc == FB_ETOOBIG) {
			/* Invalid content: set it aside, let the rest through. */
			char reason[FB_ERRMSG_MAX];

			memcpy(reason, e.msg, sizeof(reason));
			fb_error_clear(&e);
			rc = quarantine(b, c, reason, res, &e);
			if (rc == FB_OK)
				continue;
		}
		if (rc == FB_ECONFLICT || rc == FB_ECORRUPT) {
			uint64_t last = 0;

			/* Unknown (it could not be read): the laptop is
			 * asked from the start and the hub replays. */
			if (book_device_head(b, c->device, &last, head, NULL) != FB_OK)
				last = 0;
			res->expected = last + 1;
			/* Other content under numbers the hub holds. */
			if (rc == FB_ECORRUPT && c->seq <= last) {
				res->fork = c->seq;
				res->held = last;
			}
		}
		if (rc != FB_OK) {
			fb_fail(err, rc, "%s", e.msg);
			goto fail;
		}
		if (applied)
			res->applied++;
		else
			res->replayed++;
		if (batch->relay && (rc = note_relayed(b, c, dev->id, err)) != FB_OK)
			goto fail;
	}
	if (memcmp(batch->changes[batch->n - 1].hash, batch->last_hash,
		   JOURNAL_HASH_LEN)) {
		rc = fb_fail(err, FB_ECORRUPT,
			     "the batch's last_hash does not match the entries sent");
		goto fail;
	}
	if ((rc = book_device_head(b, batch->device, &res->ack, res->ack_hash, err)) != FB_OK)
		goto fail;
	{
		sqlite3_stmt *q = NULL;

		/* last_seen is a laptop's own push; last_push any push. */
		if (store_prepare(b->st, "UPDATE device SET last_push = " HUB_NOW_SQL ","
				  " last_seen = CASE WHEN ?2 THEN last_seen ELSE " HUB_NOW_SQL
				  " END WHERE id = ?1", &q, NULL) == FB_OK) {
			sqlite3_bind_int64(q, 1, dev->id);
			sqlite3_bind_int(q, 2, batch->relay);
			sqlite3_step(q);
		}
		sqlite3_finalize(q);
	}
	rc = book_commit(b, err);
	goto out;
fail:
	book_rollback(b);
out:
	sqhub_put(h, b);
	pthread_mutex_unlock(&h->writer);
	return rc;
}

static enum fb_code sq_heads(struct hub_store *s, const struct hub_device *dev,
			     struct wire_heads *h, struct fb_error *err)
{
	struct sqlite_hub *hub = (struct sqlite_hub *)s;
	unsigned char hash[JOURNAL_HASH_LEN];
	struct book *b = sqhub_get(hub);
	enum fb_code rc = FB_OK;
	size_t i;

	(void)dev;      /* a head says no more than a push's answer would */
	for (i = 0; rc == FB_OK && i < h->n; i++)
		rc = book_device_head(b, h->device[i], &h->seq[i], hash, err);
	sqhub_put(hub, b);
	return rc;
}

/* The store's chain as hub_link_runs reads it. */
static enum fb_code chain_at(void *ctx, const char *device, uint64_t seq,
			     unsigned char hash[JOURNAL_HASH_LEN], int *found,
			     struct fb_error *err)
{
	return book_chain_at(ctx, device, seq, hash, found, err);
}

/* How far the hub below with token `token` has pulled (0: never). */
static enum fb_code hub_pulled_to(struct book *b, long long token, uint64_t *to,
				  struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r;

	*to = 0;
	rc = store_prepare(b->st, "SELECT pulled_to FROM hub_pull WHERE token = ?1", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_int64(q, 1, token);
	if ((r = sqlite3_step(q)) == SQLITE_ROW)
		*to = (uint64_t)sqlite3_column_int64(q, 0);
	else if (r != SQLITE_DONE)
		rc = store_fail(b->st, r, "reading hub_pull", err);
	sqlite3_finalize(q);
	return rc;
}

/* ... and note that it has pulled to `to`, after the read. */
static enum fb_code hub_pulled_mark(struct book *b, long long token, uint64_t to,
				    struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r;

	rc = store_prepare(b->st, "INSERT INTO hub_pull(token, pulled_to) VALUES(?1, ?2)"
			   " ON CONFLICT(token) DO UPDATE SET pulled_to ="
			   " max(pulled_to, excluded.pulled_to)", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_int64(q, 1, token);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)to);
	if ((r = sqlite3_step(q)) != SQLITE_DONE)
		rc = store_fail(b->st, r, "noting a hub's pull", err);
	sqlite3_finalize(q);
	return rc;
}

/*
 * Note that device id pulled.  A pull only reads, so the note is a write
 * of its own after it: made at most once in HUB_PULL_NOTE_S per device
 * (a sync's pages in a row write once), and skipped while a push holds
 * the writer rather than making the pull wait (the device's next pull
 * notes it).  Nothing here fails the pull.
 */
static void note_pull(struct sqlite_hub *h, struct book *b, long long id)
{
	char ago[32];
	sqlite3_stmt *q = NULL;
	int due = 0;

	snprintf(ago, sizeof(ago), "-%d seconds", HUB_PULL_NOTE_S);
	if (store_prepare(b->st, "SELECT 1 FROM device WHERE id = ?1 AND (last_pull IS NULL"
			  " OR last_pull > " HUB_NOW_SQL " OR last_pull <"
			  " strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?2))", &q, NULL) == FB_OK) {
		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_text(q, 2, ago, -1, SQLITE_STATIC);
		due = sqlite3_step(q) == SQLITE_ROW;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (!due || pthread_mutex_trylock(&h->writer) != 0)
		return;
	if (store_prepare(b->st, "UPDATE device SET last_pull = " HUB_NOW_SQL " WHERE id = ?1",
			  &q, NULL) == FB_OK) {
		sqlite3_bind_int64(q, 1, id);
		sqlite3_step(q);
	}
	sqlite3_finalize(q);
	pthread_mutex_unlock(&h->writer);
}

static enum fb_code sq_pull(struct hub_store *s, const struct hub_device *dev,
			    const struct hub_pull *req, fb_hlc hub_time,
			    struct fb_buf *out, struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b = sqhub_get(h);
	const char *asking = req->version == WIRE_VERSION_OLD ? dev->device : req->device;
	struct wire_page page;
	sqlite3_stmt *q = NULL;
	uint64_t after = req->after, top = 0, pulled_to = 0;
	size_t bytes = 0;
	enum fb_code rc;
	int r;

	memset(&page, 0, sizeof(page));
	page.version = req->version;
	page.hub_time = hub_time;
	/* One read transaction: what we return and the cursor we give
	 * describe the same committed snapshot. */
	if ((rc = store_exec(b->st, "BEGIN", err)) != FB_OK)
		goto done;
	if (req->version != WIRE_VERSION_OLD &&
	    ((rc = sqhub_may_ask(b, dev, asking, err)) != FB_OK ||
	     (rc = sqhub_cursor_after(b, req->after, req->epoch, &after, err)) != FB_OK ||
	     (rc = book_device_head(b, asking, &page.held, page.held_hash, err)) != FB_OK))
		goto out;
	page.next = after;
	page.cut = after < req->after;
	page.cut_to = after;
	/* What a token relayed is left out of its pulls, unless it asks
	 * from before where it had pulled to: a hub below restored from an
	 * older copy, which may have lost what it relayed. */
	if (dev->hub && (rc = hub_pulled_to(b, dev->id, &pulled_to, err)) != FB_OK)
		goto out;
	rc = store_prepare(b->st, "SELECT coalesce(max(cseq), 0) FROM journal", &q, err);
	if (rc != FB_OK)
		goto out;
	if ((r = sqlite3_step(q)) == SQLITE_ROW)
		top = (uint64_t)sqlite3_column_int64(q, 0);
	else
		rc = store_fail(b->st, r, "reading journal", err);
	sqlite3_finalize(q);
	q = NULL;
	if (rc != FB_OK)
		goto out;
	rc = store_prepare(b->st, SUBTREE_CTE
			   " SELECT cseq, length(body), " BOOK_JOURNAL_COLUMNS
			   " FROM journal WHERE cseq > ?2 AND quarantined = 0 AND device <> ?3"
			   " AND branch IN (SELECT code FROM sub)"
			   " AND (?6 OR NOT EXISTS (SELECT 1 FROM relayed r"
			   " WHERE r.cseq = journal.cseq AND r.token = ?5)) ORDER BY cseq LIMIT ?4",
			   &q, err);
	if (rc != FB_OK)
		goto out;
	sqlite3_bind_text(q, 1, dev->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)after);
	sqlite3_bind_text(q, 3, asking, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)req->limit + 1);
	sqlite3_bind_int64(q, 5, dev->id);
	sqlite3_bind_int(q, 6, after < pulled_to);
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		struct jchange *c;

		/* A page stays well under what a client will inflate. */
		if (page.n == req->limit || bytes > WIRE_BODY_MAX / 2) {
			page.more = 1;
			break;
		}
		if (!(c = wire_page_add(&page))) {
			rc = fb_fail(err, FB_ENOMEM, "out of memory");
			break;
		}
		if ((rc = book_journal_row(q, 2, c, err)) != FB_OK)
			break;
		page.next = (uint64_t)sqlite3_column_int64(q, 0);
		bytes += (size_t)sqlite3_column_int64(q, 1) + HUB_PULL_CHANGE_BYTES;
	}
	if (rc == FB_OK && r != SQLITE_ROW && r != SQLITE_DONE)
		rc = store_fail(b->st, r, "reading journal", err);
	/* Nothing more in scope: skip past what others wrote, up to what
	 * this snapshot holds (committed, so no entry is passed over). */
	if (rc == FB_OK && !page.more && top > page.next)
		page.next = top;
	if (rc == FB_OK && ((rc = hub_link_runs(&page, chain_at, b, err)) != FB_OK ||
			    (req->version != WIRE_VERSION_OLD &&
			     (rc = sqhub_cursor_epoch(b, page.next, page.epoch, err)) != FB_OK)))
		goto out;
	if (rc == FB_OK)
		rc = wire_pull_encode(&page, out);
out:
	sqlite3_finalize(q);
	/* A read: what it read stands even if ending it fails, but the
	 * connection must not stay inside it. */
	if (store_exec(b->st, "COMMIT", NULL) != FB_OK &&
	    store_exec(b->st, "ROLLBACK", NULL) != FB_OK && rc == FB_OK)
		rc = fb_fail(err, FB_EIO, "pull: cannot end the read");
	if (rc == FB_OK && dev->hub && page.next > pulled_to)
		rc = hub_pulled_mark(b, dev->id, page.next, err);
	if (rc == FB_OK)
		note_pull(h, b, dev->id);
done:
	wire_page_release(&page);
	sqhub_put(h, b);
	return rc;
}

/*
 * After every commit on a pool connection: the WAL holds `pages` frames.
 * Replaces SQLite's automatic checkpoint on these connections.
 */
static int on_wal_commit(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct sqlite_hub *h = arg;

	if (pages >= HUB_WAL_PAGES_HARD)
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	pthread_mutex_lock(&h->lock);
	h->wal_pages = pages;
	if (pages >= HUB_WAL_PAGES_SOFT)
		pthread_cond_signal(&h->ckpt_wake);
	pthread_mutex_unlock(&h->lock);
	return SQLITE_OK;
}

/*
 * Copy the WAL into the database when a commit says it is large, or
 * every HUB_CHECKPOINT_MS when anything is in it.  PASSIVE: it never
 * waits for (or blocks) a push or a pull; what it cannot copy now it
 * copies next time.  A failure (disk full) is retried the same way.
 */
static void *checkpointer(void *arg)
{
	struct sqlite_hub *h = arg;

	pthread_mutex_lock(&h->lock);
	while (!h->ckpt_stop) {
		struct timespec until;

		if (h->wal_pages < HUB_WAL_PAGES_SOFT) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += HUB_CHECKPOINT_MS / 1000;
			pthread_cond_timedwait(&h->ckpt_wake, &h->lock, &until);
			if (h->ckpt_stop || h->wal_pages == 0)
				continue;
		}
		h->wal_pages = 0;
		pthread_mutex_unlock(&h->lock);
		sqlite3_wal_checkpoint_v2(h->ckpt_db, "main", SQLITE_CHECKPOINT_PASSIVE,
					  NULL, NULL);
		pthread_mutex_lock(&h->lock);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

static enum fb_code checkpointer_start(struct sqlite_hub *h, const char *path,
				       struct fb_error *err)
{
	int i, rc;

	rc = sqlite3_open_v2(path, &h->ckpt_db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return fb_fail(err, FB_EIO, "%s: %s", path,
			       h->ckpt_db ? sqlite3_errmsg(h->ckpt_db) : sqlite3_errstr(rc));
	if (pthread_create(&h->ckpt_thread, NULL, checkpointer, h) != 0)
		return fb_fail(err, FB_ENOMEM, "cannot start the checkpoint thread");
	h->ckpt_started = 1;
	/* Each hook replaces SQLite's automatic checkpoint on its connection. */
	for (i = 0; i < h->n; i++)
		sqlite3_wal_hook(h->conn[i]->st->db, on_wal_commit, h);
	return FB_OK;
}

static int sq_healthy(struct hub_store *s)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b = sqhub_get(h);
	int ok = store_exec(b->st, "SELECT 1", NULL) == FB_OK;

	sqhub_put(h, b);
	return ok;
}

static void sq_close(struct hub_store *s)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	int i;

	if (!h)
		return;
	if (h->ckpt_started) {
		pthread_mutex_lock(&h->lock);
		h->ckpt_stop = 1;
		pthread_cond_signal(&h->ckpt_wake);
		pthread_mutex_unlock(&h->lock);
		pthread_join(h->ckpt_thread, NULL);
	}
	sqlite3_close(h->ckpt_db);
	/* The last connection to close copies what is left in the WAL. */
	for (i = 0; i < h->n; i++)
		book_close(h->conn[i]);
	free(h->conn);
	free(h->busy);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->writer);
	pthread_cond_destroy(&h->freed);
	pthread_cond_destroy(&h->ckpt_wake);
	free(h);
}

static const struct hub_store_ops sqlite_ops = {
	.auth = sq_auth, .push = sq_push, .pull = sq_pull, .heads = sq_heads,
	.find_device = sq_find_device, .bundle_cursor = sq_bundle_cursor,
	.bundle_mark = sq_bundle_mark,
	.healthy = sq_healthy,
	.close = sq_close, .enroll = sqhub_enroll, .make_hub = sqhub_make_hub,
	.revoke = sqhub_revoke,
	.list = sqhub_list, .verify = sqhub_verify, .put_units = sqhub_put_units,
	.remove_unit = sqhub_remove_unit, .unit_tree = sqhub_unit_tree,
	.backup = sqhub_backup,
	.top_unit = sqhub_top_unit,
	.each_unit = sqhub_each_unit, .report_data = sqhub_report_data,
};

/* 1 when table has a column of that name. */
static enum fb_code has_column(struct fb_store *st, const char *table, const char *column,
			       int *yes, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc = store_prepare(st, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2",
					&q, err);
	int r;

	*yes = 0;
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, column, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(q)) == SQLITE_ROW)
		*yes = 1;
	else if (r != SQLITE_DONE)
		rc = store_fail(st, r, "reading the schema", err);
	sqlite3_finalize(q);
	return rc;
}

/*
 * The columns that hubs of earlier versions lack.  Only ever added, so
 * an older program still reads the file.  The check is repeated inside
 * the transaction: of two processes that open an old hub at once, the
 * second finds the work done.
 */
enum fb_code sqhub_migrate(struct fb_store *st, struct fb_error *err)
{
	static const struct {
		const char *column, *sql;
	} added[] = {
		/* Until then last_seen was the only push noted. */
		{ "last_push", "ALTER TABLE device ADD COLUMN last_push TEXT;"
			       "UPDATE device SET last_push = last_seen;" },
		{ "last_pull", "ALTER TABLE device ADD COLUMN last_pull TEXT;" },
	};
	enum fb_code rc;
	size_t i;
	int yes = 1, all = 1;

	for (i = 0; i < sizeof(added) / sizeof(added[0]); i++) {
		if ((rc = has_column(st, "device", added[i].column, &yes, err)) != FB_OK)
			return rc;
		all &= yes;
	}
	if (all)
		return FB_OK;
	if ((rc = store_begin(st, err)) != FB_OK)
		return rc;
	for (i = 0; rc == FB_OK && i < sizeof(added) / sizeof(added[0]); i++)
		if ((rc = has_column(st, "device", added[i].column, &yes, err)) == FB_OK && !yes)
			rc = store_exec(st, added[i].sql, err);
	if (rc == FB_OK)
		return store_commit(st, err);
	store_rollback(st);
	return rc;
}

/* Open with `connections` pooled connections; serving: start the checkpointer. */
static enum fb_code open_pool(const char *path, int connections, int serving,
			      struct hub_store **out, struct fb_error *err)
{
	struct sqlite_hub *h = calloc(1, sizeof(*h));
	enum fb_code rc = FB_OK;
	int i;

	*out = NULL;
	if (!h)
		return fb_fail(err, FB_ENOMEM, "out of memory");
	h->base.ops = &sqlite_ops;
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->writer, NULL);
	pthread_cond_init(&h->freed, NULL);
	pthread_cond_init(&h->ckpt_wake, NULL);
	h->conn = calloc((size_t)connections, sizeof(*h->conn));
	h->busy = calloc((size_t)connections, sizeof(*h->busy));
	if (!h->conn || !h->busy) {
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < connections; i++) {
		if ((rc = book_open(path, hub_schema, &h->conn[i], err)) != FB_OK)
			goto fail;
		h->n++;
		if (i == 0 && (rc = sqhub_migrate(h->conn[0]->st, err)) != FB_OK)
			goto fail;
	}
	if (serving && ((rc = sqhub_new_epoch(h->conn[0], err)) != FB_OK ||
			(rc = checkpointer_start(h, path, err)) != FB_OK))
		goto fail;
	*out = &h->base;
	return FB_OK;
fail:
	sq_close(&h->base);
	return rc;
}

enum fb_code hub_store_sqlite_open(const char *path, int connections,
				   struct hub_store **out, struct fb_error *err)
{
	return open_pool(path, connections, 1, out, err);
}

enum fb_code hub_store_sqlite_admin(const char *path, struct hub_store **out,
				    struct fb_error *err)
{
	return open_pool(path, 1, 0, out, err);
}
