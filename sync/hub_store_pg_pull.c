/*
 * hub_store_pg_pull.c - the PostgreSQL store's reads of the protocol:
 * tokens, pulls, heads, the device ids a token holds, epochs and the
 * cursors of bundles.  What each does is what the SQLite store does
 * (hub_store_sqlite.c, hub_store_history.c); docs/DECISIONS.md,
 * "PostgreSQL store", says how the cursor keeps to commit order here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "apply.h"
#include "hub_limits.h"
#include "hub_store_pg.h"
#include "hub_store_rules.h"

/* A device row as pg_auth and pg_find_device read it. */
#define PG_DEVICE_COLUMNS "id, name, unit, coalesce(device, ''), revoked IS NOT NULL," \
	" token_hash, EXISTS(SELECT 1 FROM hub_token WHERE hub_token.id = device.id)"

static void device_row(const PGresult *r, struct hub_device *dev)
{
	dev->id = atoll(PQgetvalue(r, 0, 0));
	snprintf(dev->name, sizeof(dev->name), "%s", PQgetvalue(r, 0, 1));
	snprintf(dev->unit, sizeof(dev->unit), "%s", PQgetvalue(r, 0, 2));
	snprintf(dev->device, sizeof(dev->device), "%s", PQgetvalue(r, 0, 3));
	dev->hub = !strcmp(PQgetvalue(r, 0, 6), "t");
}

/* A number as a statement's parameter. */
#define PG_NUM_MAX 24
static const char *num(char buf[PG_NUM_MAX], unsigned long long v)
{
	snprintf(buf, PG_NUM_MAX, "%llu", v);
	return buf;
}

/* The integer in the first column of the first row, *found 0 when
 * there is no row or it is NULL. */
static enum fb_code query_int(struct pg_conn *c, const char *sql, int n,
			      const char *const *p, long long *out, int *found,
			      struct fb_error *err)
{
	enum fb_code rc;
	PGresult *r = pg_run(c, sql, n, p, "reading the hub's history", &rc, err);

	*found = 0;
	if (r && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
		*out = atoll(PQgetvalue(r, 0, 0));
		*found = 1;
	}
	PQclear(r);
	return rc;
}

enum fb_code pg_auth(struct hub_store *s, const unsigned char hash[TOKEN_HASH_LEN],
		     struct hub_device *dev, struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_conn *c = pg_get(h);
	unsigned char held[TOKEN_HASH_LEN];
	char hex[2 * TOKEN_HASH_LEN + 3];
	const char *p[1] = { hex };
	enum fb_code rc;
	PGresult *r;

	memset(dev, 0, sizeof(*dev));
	pg_hex(hash, TOKEN_HASH_LEN, hex);
	r = pg_run(c, "SELECT " PG_DEVICE_COLUMNS " FROM device WHERE token_hash = $1::bytea",
		   1, p, "reading devices", &rc, err);
	if (r && (PQntuples(r) != 1 || !pg_bytes(r, 0, 5, held, sizeof(held)) ||
		  CRYPTO_memcmp(held, hash, TOKEN_HASH_LEN))) {
		rc = fb_fail(err, FB_EAUTH, "unknown token");
	} else if (r) {
		device_row(r, dev);
		if (!strcmp(PQgetvalue(r, 0, 4), "t"))
			rc = fb_fail(err, FB_EAUTH, "revoked token");
	}
	PQclear(r);
	pg_put(h, c);
	return rc;
}

enum fb_code pg_find_device(struct hub_store *s, const char *device,
			    struct hub_device *dev, struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_conn *c = pg_get(h);
	const char *p[1] = { device };
	enum fb_code rc;
	PGresult *r;

	memset(dev, 0, sizeof(*dev));
	r = pg_run(c, "SELECT " PG_DEVICE_COLUMNS " FROM device WHERE device = $1"
		   " OR id = (SELECT owner FROM device_fork WHERE device = $1)"
		   " OR id = (SELECT token FROM bundle_cursor WHERE device = $1)"
		   " ORDER BY device = $1 DESC NULLS LAST LIMIT 1", 1, p, "reading devices",
		   &rc, err);
	if (r && PQntuples(r) == 0) {
		rc = fb_fail(err, FB_ENOENT, "no device %s has synced with this hub: it is"
			     " known once its first push (or push bundle) arrived", device);
	} else if (r) {
		device_row(r, dev);
		if (!strcmp(PQgetvalue(r, 0, 4), "t"))
			rc = fb_fail(err, FB_EAUTH, "the token of device %s was revoked", device);
	}
	PQclear(r);
	pg_put(h, c);
	return rc;
}

enum fb_code pg_bundle_cursor(struct hub_store *s, const char *device, uint64_t *after,
			      char epoch[WIRE_EPOCH_LEN + 1], struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_conn *c = pg_get(h);
	const char *p[1] = { device };
	enum fb_code rc;
	PGresult *r = pg_run(c, "SELECT after, epoch FROM bundle_cursor WHERE device = $1", 1,
			     p, "reading bundle_cursor", &rc, err);

	*after = 0;
	epoch[0] = '\0';
	if (r && PQntuples(r) == 1) {
		*after = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
		snprintf(epoch, WIRE_EPOCH_LEN + 1, "%s", PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	pg_put(h, c);
	return rc;
}

enum fb_code pg_bundle_mark(struct hub_store *s, const char *device, long long token,
			    uint64_t after, const char *epoch, struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_conn *c = pg_get(h);
	char t[PG_NUM_MAX], a[PG_NUM_MAX];
	const char *p[4] = { device, num(t, (unsigned long long)token), num(a, after), epoch };
	enum fb_code rc = pg_do(c, "INSERT INTO bundle_cursor(device, token, after, epoch)"
				" VALUES($1, $2, $3, $4) ON CONFLICT (device) DO UPDATE SET"
				" token = excluded.token, after = excluded.after,"
				" epoch = excluded.epoch", 4, p, "noting a bundle's cursor", err);

	pg_put(h, c);
	return rc;
}

/* --- chains ---------------------------------------------------------- */

/* The journal row of device at or before seq: its last sequence and hash. */
static enum fb_code row_at(struct pg_conn *c, const char *device, const char *before,
			   uint64_t *last, unsigned char hash[JOURNAL_HASH_LEN], int *found,
			   struct fb_error *err)
{
	const char *p[2] = { device, before };
	enum fb_code rc;
	PGresult *r = pg_run(c, before
			     ? "SELECT seq + n - 1, hash FROM journal WHERE device = $1"
			       " AND seq <= $2 ORDER BY seq DESC LIMIT 1"
			     : "SELECT seq + n - 1, hash FROM journal WHERE device = $1"
			       " ORDER BY seq DESC LIMIT 1", before ? 2 : 1, p,
			     "reading journal", &rc, err);

	*found = 0;
	if (r && PQntuples(r) == 1) {
		*last = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
		if (!pg_bytes(r, 0, 1, hash, JOURNAL_HASH_LEN))
			rc = fb_fail(err, FB_ECORRUPT, "journal hash of %s is damaged", device);
		*found = 1;
	}
	PQclear(r);
	return rc;
}

enum fb_code pg_device_head(struct pg_conn *c, const char *device, uint64_t *last,
			    unsigned char hash[JOURNAL_HASH_LEN], struct fb_error *err)
{
	int found;

	*last = 0;
	memset(hash, 0, JOURNAL_HASH_LEN);
	return row_at(c, device, NULL, last, hash, &found, err);
}

enum fb_code pg_chain_at(struct pg_conn *c, const char *device, uint64_t seq,
			 unsigned char hash[JOURNAL_HASH_LEN], int *found,
			 struct fb_error *err)
{
	unsigned char h[JOURNAL_HASH_LEN];
	char s[PG_NUM_MAX];
	uint64_t last = 0;
	enum fb_code rc = row_at(c, device, num(s, seq), &last, h, found, err);

	/* The row ends at seq, or the chain has no boundary there. */
	*found = rc == FB_OK && *found && last == seq;
	if (*found)
		memcpy(hash, h, JOURNAL_HASH_LEN);
	return rc;
}

/* --- epochs ---------------------------------------------------------- */

static enum fb_code insert_epoch(struct pg_conn *c, long long first, struct fb_error *err)
{
	unsigned char raw[WIRE_EPOCH_LEN / 2];
	char id[WIRE_EPOCH_LEN + 1], f[PG_NUM_MAX];
	const char *p[2] = { num(f, (unsigned long long)first), id };

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return fb_fail(err, FB_EINTERNAL, "no random bytes for an epoch");
	wire_hex(raw, sizeof(raw), id);
	return pg_do(c, "INSERT INTO epoch(first_cseq, id, started) VALUES($1, $2, " PG_NOW ")",
		     2, p, "starting an epoch", err);
}

enum fb_code pg_new_epoch(struct pg_conn *c, struct fb_error *err)
{
	long long top = 0, any = 0;
	char t[PG_NUM_MAX];
	const char *p[1];
	enum fb_code rc;
	int found;

	if ((rc = pg_do(c, "BEGIN", 0, NULL, "starting an epoch", err)) != FB_OK)
		return rc;
	/* Under the commit lock: no push numbers rows while it is read. */
	if ((rc = pg_do(c, "SELECT pg_advisory_xact_lock(" PG_COMMIT_LOCK ")", 0, NULL,
			"starting an epoch", err)) == FB_OK &&
	    (rc = query_int(c, "SELECT coalesce(max(cseq), 0) FROM journal", 0, NULL, &top,
			    &found, err)) == FB_OK)
		rc = query_int(c, "SELECT count(*) FROM epoch", 0, NULL, &any, &found, err);
	if (rc == FB_OK && !any && top > 0)
		rc = insert_epoch(c, 1, err);
	/* An epoch that numbered nothing gives way to this one. */
	p[0] = num(t, (unsigned long long)top);
	if (rc == FB_OK)
		rc = pg_do(c, "DELETE FROM epoch WHERE first_cseq > $1", 1, p,
			   "starting an epoch", err);
	if (rc == FB_OK)
		rc = insert_epoch(c, top + 1, err);
	if (rc == FB_OK)
		rc = pg_do(c, "COMMIT", 0, NULL, "starting an epoch", err);
	if (rc != FB_OK)
		pg_rollback(c);
	return rc;
}

/* The commit sequence a pull may start after (hub_store_sqlite.h,
 * sqhub_cursor_after, says why). */
static enum fb_code cursor_after(struct pg_conn *c, uint64_t after, const char *epoch,
				 uint64_t *out, struct fb_error *err)
{
	long long first = 0, next = 0;
	char f[PG_NUM_MAX];
	const char *p[1] = { epoch };
	enum fb_code rc;
	int found;

	*out = 0;
	if (after == 0)
		return FB_OK;
	rc = epoch && *epoch
	     ? query_int(c, "SELECT first_cseq FROM epoch WHERE id = $1", 1, p, &first,
			 &found, err)
	     : query_int(c, "SELECT min(first_cseq) FROM epoch", 0, NULL, &first, &found, err);
	if (rc != FB_OK || !found)
		return rc;      /* a history this hub never held: from the start */
	p[0] = num(f, (unsigned long long)first);
	rc = query_int(c, "SELECT min(first_cseq) FROM epoch WHERE first_cseq > $1", 1, p,
		       &next, &found, err);
	if (rc == FB_OK)
		*out = found && (uint64_t)next - 1 < after ? (uint64_t)next - 1 : after;
	return rc;
}

static enum fb_code cursor_epoch(struct pg_conn *c, uint64_t cseq,
				 char epoch[WIRE_EPOCH_LEN + 1], struct fb_error *err)
{
	char n[PG_NUM_MAX];
	const char *p[1] = { num(n, cseq) };
	enum fb_code rc;
	PGresult *r;

	epoch[0] = '\0';
	if (cseq == 0)
		return FB_OK;
	r = pg_run(c, "SELECT id FROM epoch WHERE first_cseq <= $1 ORDER BY first_cseq DESC"
		   " LIMIT 1", 1, p, "reading epochs", &rc, err);
	if (r && PQntuples(r) == 1 && strlen(PQgetvalue(r, 0, 0)) == WIRE_EPOCH_LEN)
		memcpy(epoch, PQgetvalue(r, 0, 0), WIRE_EPOCH_LEN + 1);
	else if (r)
		rc = fb_fail(err, FB_EINTERNAL, "commit %llu belongs to no epoch",
			     (unsigned long long)cseq);
	PQclear(r);
	return rc;
}

/* --- the device ids a token holds ----------------------------------- */

static enum fb_code token_holds(struct pg_conn *c, const struct hub_device *dev,
				const char *device, int *yes, struct fb_error *err)
{
	char id[PG_NUM_MAX];
	const char *p[2] = { device, num(id, (unsigned long long)dev->id) };
	long long one;

	*yes = dev->device[0] && !strcmp(dev->device, device);
	if (*yes)
		return FB_OK;
	return query_int(c, "SELECT 1 FROM device_fork WHERE device = $1 AND owner = $2", 2,
			 p, &one, yes, err);
}

static enum fb_code holder_of(struct pg_conn *c, const char *device, struct hub_holder *h,
			      struct fb_error *err)
{
	const char *p[1] = { device };
	enum fb_code rc;
	PGresult *r;

	memset(h, 0, sizeof(*h));
	r = pg_run(c, "SELECT d.id, d.revoked IS NOT NULL, d.unit, d.name, 0"
		   " FROM device d WHERE d.device = $1 UNION ALL"
		   " SELECT d.id, d.revoked IS NOT NULL, d.unit, d.name, 1"
		   " FROM device_fork f JOIN device d ON d.id = f.owner WHERE f.device = $1"
		   " LIMIT 1", 1, p, "reading devices", &rc, err);
	if (r && PQntuples(r) == 1) {
		h->found = 1;
		h->id = atoll(PQgetvalue(r, 0, 0));
		h->revoked = !strcmp(PQgetvalue(r, 0, 1), "t");
		snprintf(h->unit, sizeof(h->unit), "%s", PQgetvalue(r, 0, 2));
		snprintf(h->name, sizeof(h->name), "%s", PQgetvalue(r, 0, 3));
		h->by_fork = atoi(PQgetvalue(r, 0, 4));
	}
	PQclear(r);
	return rc;
}

/* Bind `device` to dev's token, which holds none yet. */
static enum fb_code bind_free(struct pg_conn *c, struct hub_device *dev, const char *device,
			      struct fb_error *err)
{
	char id[PG_NUM_MAX];
	const char *p[2] = { device, num(id, (unsigned long long)dev->id) };
	enum fb_code rc;
	PGresult *r = pg_run(c, "UPDATE device SET device = $1 WHERE id = $2 AND device IS NULL",
			     2, p, "binding a device", &rc, err);

	if (r && pg_changed(r) != 1)
		rc = fb_fail(err, FB_EAUTH, "this token is bound to another device already");
	PQclear(r);
	if (rc == FB_OK)
		snprintf(dev->device, sizeof(dev->device), "%s", device);
	return rc;
}

enum fb_code pg_bind(struct pg_conn *c, struct hub_device *dev, const char *device,
		     const char *forked_from, struct fb_error *err)
{
	char from[PG_NUM_MAX], to[PG_NUM_MAX];
	const char *p[3];
	struct hub_holder h;
	enum fb_code rc;
	int yes;

	if ((rc = token_holds(c, dev, device, &yes, err)) != FB_OK || yes)
		return rc;
	if ((rc = holder_of(c, device, &h, err)) != FB_OK)
		return rc;
	if (h.found) {
		/* A laptop enrolled again, under a new token of its unit: the
		 * revoked token lets go of the id, this one binds it, and the
		 * handover is noted. */
		if ((rc = hub_may_take_on(dev, device, &h, err)) != FB_OK)
			return rc;
		p[0] = device;
		p[1] = num(from, (unsigned long long)h.id);
		p[2] = num(to, (unsigned long long)dev->id);
		rc = pg_do(c, h.by_fork ? "DELETE FROM device_fork WHERE device = $1 AND owner = $2"
				       : "UPDATE device SET device = NULL WHERE device = $1"
					 " AND id = $2", 2, p, "binding a device", err);
		if (rc == FB_OK)
			rc = pg_do(c, "INSERT INTO device_handover(device, from_owner, to_owner, at)"
				   " VALUES($1, $2, $3, " PG_NOW ")", 3, p, "noting a handover", err);
		return rc == FB_OK ? bind_free(c, dev, device, err) : rc;
	}
	if (!dev->device[0])
		return bind_free(c, dev, device, err);
	if (forked_from && *forked_from) {
		if ((rc = token_holds(c, dev, forked_from, &yes, err)) != FB_OK)
			return rc;
		p[0] = device;
		p[1] = num(to, (unsigned long long)dev->id);
		p[2] = forked_from;
		if (yes)
			return pg_do(c, "INSERT INTO device_fork(device, owner, forked_from, at)"
				     " VALUES($1, $2, $3, " PG_NOW ")", 3, p, "binding a device",
				     err);
	}
	return hub_not_its_device(dev, device, err);
}

enum fb_code pg_may_ask(struct pg_conn *c, const struct hub_device *dev,
			const char *device, struct fb_error *err)
{
	struct hub_holder h;
	enum fb_code rc;
	int yes;

	if ((rc = token_holds(c, dev, device, &yes, err)) != FB_OK || yes)
		return rc;
	if ((rc = holder_of(c, device, &h, err)) != FB_OK || !h.found)
		return rc;
	/* A laptop enrolled again may pull before its first push binds. */
	return hub_may_take_on(dev, device, &h, err);
}

/* --- heads and pulls ------------------------------------------------- */

enum fb_code pg_heads(struct hub_store *s, const struct hub_device *dev,
		      struct wire_heads *heads, struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_conn *c = pg_get(h);
	unsigned char hash[JOURNAL_HASH_LEN];
	enum fb_code rc = FB_OK;
	size_t i;

	(void)dev;      /* a head says no more than a push's answer would */
	for (i = 0; rc == FB_OK && i < heads->n; i++)
		rc = pg_device_head(c, heads->device[i], &heads->seq[i], hash, err);
	pg_put(h, c);
	return rc;
}

/* The store's chain as hub_link_runs reads it. */
static enum fb_code chain_at(void *ctx, const char *device, uint64_t seq,
			     unsigned char hash[JOURNAL_HASH_LEN], int *found,
			     struct fb_error *err)
{
	return pg_chain_at(ctx, device, seq, hash, found, err);
}

void pg_journal_row(const PGresult *r, int i, int col,
		    unsigned char hash[JOURNAL_HASH_LEN], struct journal_row *out)
{
	out->device = PQgetvalue(r, i, col);
	out->seq = strtoull(PQgetvalue(r, i, col + 1), NULL, 10);
	out->n = strtoull(PQgetvalue(r, i, col + 2), NULL, 10);
	out->hlc = (fb_hlc)strtoull(PQgetvalue(r, i, col + 3), NULL, 10);
	out->record_id = PQgetvalue(r, i, col + 4);
	out->type = PQgetvalue(r, i, col + 5);
	out->branch = PQgetvalue(r, i, col + 6);
	out->body = PQgetvalue(r, i, col + 7);
	out->hash = pg_bytes(r, i, col + 8, hash, JOURNAL_HASH_LEN) ? hash : NULL;
}

/* The rows of a page into it; *more when there are more than it holds. */
static enum fb_code page_rows(const PGresult *r, size_t limit, struct wire_page *page,
			      struct fb_error *err)
{
	unsigned char hash[JOURNAL_HASH_LEN];
	size_t bytes = 0;
	int i;

	for (i = 0; i < PQntuples(r); i++) {
		struct journal_row row;
		struct jchange *ch;
		enum fb_code rc;

		/* A page stays well under what a client will inflate. */
		if (page->n == limit || bytes > WIRE_BODY_MAX / 2) {
			page->more = 1;
			break;
		}
		if (!(ch = wire_page_add(page)))
			return fb_fail(err, FB_ENOMEM, "out of memory");
		pg_journal_row(r, i, 2, hash, &row);
		if ((rc = journal_row_fill(ch, &row, err)) != FB_OK)
			return rc;
		page->next = strtoull(PQgetvalue(r, i, 0), NULL, 10);
		bytes += (size_t)atoll(PQgetvalue(r, i, 1)) + HUB_PULL_CHANGE_BYTES;
	}
	return FB_OK;
}

/*
 * Note that device id pulled, at most once in HUB_PULL_NOTE_S, after
 * the read; a row a push holds is skipped (its next pull notes it).
 * Nothing here fails the pull.
 */
static void note_pull(struct pg_conn *c, long long id)
{
	char i[PG_NUM_MAX], ago[PG_NUM_MAX];
	const char *p[2] = { num(i, (unsigned long long)id), num(ago, HUB_PULL_NOTE_S) };

	pg_do(c, "UPDATE device SET last_pull = " PG_NOW " WHERE id IN (SELECT id FROM device"
	      " WHERE id = $1 AND (last_pull IS NULL OR last_pull > " PG_NOW " OR last_pull <"
	      " to_char((now() - make_interval(secs => $2)) AT TIME ZONE 'UTC',"
	      " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) FOR UPDATE SKIP LOCKED)", 2, p,
	      "noting a pull", NULL);
}

enum fb_code pg_pull(struct hub_store *s, const struct hub_device *dev,
		     const struct hub_pull *req, fb_hlc hub_time,
		     struct fb_buf *out, struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_conn *c = pg_get(h);
	const char *asking = req->version == WIRE_VERSION_OLD ? dev->device : req->device;
	char a[PG_NUM_MAX], lim[PG_NUM_MAX], id[PG_NUM_MAX];
	const char *p[6];
	struct wire_page page;
	uint64_t after = req->after;
	long long top = 0, pulled_to = 0;
	PGresult *r = NULL;
	enum fb_code rc;
	int found;

	memset(&page, 0, sizeof(page));
	page.version = req->version;
	page.hub_time = hub_time;
	/* One snapshot: what we return and the cursor we give describe the
	 * same commits, and (the commit lock) every cseq below the highest
	 * it sees is in it. */
	if ((rc = pg_do(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL,
			"reading journal", err)) != FB_OK)
		goto done;
	if (req->version != WIRE_VERSION_OLD &&
	    ((rc = pg_may_ask(c, dev, asking, err)) != FB_OK ||
	     (rc = cursor_after(c, req->after, req->epoch, &after, err)) != FB_OK ||
	     (rc = pg_device_head(c, asking, &page.held, page.held_hash, err)) != FB_OK))
		goto out;
	page.next = after;
	page.cut = after < req->after;
	page.cut_to = after;
	/* What a token relayed is left out of its pulls, unless it asks
	 * from before where it had pulled to (a hub below restored). */
	p[0] = num(id, (unsigned long long)dev->id);
	if (dev->hub && (rc = query_int(c, "SELECT pulled_to FROM hub_pull WHERE token = $1",
					1, p, &pulled_to, &found, err)) != FB_OK)
		goto out;
	if ((rc = query_int(c, "SELECT coalesce(max(cseq), 0) FROM journal", 0, NULL, &top,
			    &found, err)) != FB_OK)
		goto out;
	p[0] = dev->unit;
	p[1] = num(a, after);
	p[2] = asking;
	p[3] = num(lim, req->limit + 1);
	p[4] = id;
	p[5] = after < (uint64_t)pulled_to ? "t" : "f";
	r = pg_run(c, PG_SUBTREE
		   " SELECT cseq, length(body), device, seq, n, hlc, record_id, type, branch,"
		   " body, hash FROM journal WHERE cseq > $2 AND quarantined = 0"
		   " AND device <> $3 AND branch IN (SELECT code FROM sub)"
		   " AND ($6::boolean OR NOT EXISTS (SELECT 1 FROM relayed r"
		   " WHERE r.cseq = journal.cseq AND r.token = $5)) ORDER BY cseq LIMIT $4",
		   6, p, "reading journal", &rc, err);
	if (!r || (rc = page_rows(r, req->limit, &page, err)) != FB_OK)
		goto out;
	/* Nothing more in scope: skip past what others wrote, up to what
	 * this snapshot holds. */
	if (!page.more && (uint64_t)top > page.next)
		page.next = (uint64_t)top;
	if ((rc = hub_link_runs(&page, chain_at, c, err)) != FB_OK ||
	    (req->version != WIRE_VERSION_OLD &&
	     (rc = cursor_epoch(c, page.next, page.epoch, err)) != FB_OK))
		goto out;
	rc = wire_pull_encode(&page, out);
out:
	PQclear(r);
	/* A read: what it read stands even if ending it fails. */
	if (pg_do(c, "COMMIT", 0, NULL, "reading journal", NULL) != FB_OK && rc == FB_OK)
		rc = fb_fail(err, FB_EBUSY, "pull: cannot end the read");
	if (rc == FB_OK && dev->hub && page.next > (uint64_t)pulled_to) {
		p[0] = id;
		p[1] = num(a, page.next);
		rc = pg_do(c, "INSERT INTO hub_pull(token, pulled_to) VALUES($1, $2)"
			   " ON CONFLICT (token) DO UPDATE SET pulled_to ="
			   " greatest(hub_pull.pulled_to, excluded.pulled_to)", 2, p,
			   "noting a hub's pull", err);
	}
	if (rc == FB_OK)
		note_pull(c, dev->id);
done:
	wire_page_release(&page);
	pg_put(h, c);
	return rc;
}
