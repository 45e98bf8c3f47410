/*
 * hub_store_pg_relay.c - a hub on PostgreSQL as a client of the hub
 * above it: the end (sync_local.h) its relay syncs, `fieldbook-hub
 * upstream set`, `sync`, `status`, `serve --upstream-every` and the
 * upstream's bundles.
 *
 * It keeps what an SQLite hub's book keeps: the upstream, its token and
 * the pull cursor in `meta`, what the upstream is known to hold of each
 * device in `relay_head`, and the id it relays under in meta
 * `relay_device`.  A pulled page is applied in one transaction with its
 * cursor: its changes are gathered as they come and merged at the
 * commit as a push merges its batch (pg_merge_pulled), so the records,
 * the conflict log and the journal rows this hub's laptops pull next
 * are those an SQLite hub would write.  It has its own connection
 * (hub_store_pg_admin), and waits on another writer as a command does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "hub_store_pg.h"
#include "sync_local.h"

struct pg_local {
	struct hub_store *store;        /* one connection */
	struct pg_conn *c;
	char device[FB_DEVICE_ID_MAX + 1];  /* the relay id ("" until made) */
	int in_tx;
	struct jchange *pulled;         /* shallow copies, the caller's */
	size_t n, cap;
};

static const char *lc_device(void *ctx)
{
	return ((struct pg_local *)ctx)->device;
}

static enum fb_code lc_meta_get(void *ctx, const char *key, char **out,
				struct fb_error *err)
{
	struct pg_local *l = ctx;
	enum fb_code rc;
	PGresult *r = pg_run(l->c, "SELECT value FROM meta WHERE key = $1", 1, &key,
			     "reading meta", &rc, err);

	*out = NULL;
	if (r && PQntuples(r) == 1 && !(*out = strdup(PQgetvalue(r, 0, 0))))
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
	PQclear(r);
	return rc;
}

static enum fb_code lc_meta_int(void *ctx, const char *key, long long def, long long *out,
				struct fb_error *err)
{
	char *v = NULL, *end = NULL;
	enum fb_code rc = lc_meta_get(ctx, key, &v, err);

	*out = def;
	if (rc == FB_OK && v) {
		*out = strtoll(v, &end, 10);
		if (end == v || *end)
			rc = fb_fail(err, FB_ECORRUPT, "meta %s is not a number", key);
	}
	free(v);
	return rc;
}

static enum fb_code lc_meta_set(void *ctx, const char *key, const char *value,
				struct fb_error *err)
{
	struct pg_local *l = ctx;
	const char *v[2] = { key, value };

	if (!value)
		return pg_do(l->c, "DELETE FROM meta WHERE key = $1", 1, v, "saving meta", err);
	return pg_do(l->c, "INSERT INTO meta(key, value) VALUES($1, $2) ON CONFLICT (key)"
		     " DO UPDATE SET value = excluded.value", 2, v, "saving meta", err);
}

static enum fb_code lc_meta_set_int(void *ctx, const char *key, long long value,
				    struct fb_error *err)
{
	char v[24];

	snprintf(v, sizeof(v), "%lld", value);
	return lc_meta_set(ctx, key, v, err);
}

static enum fb_code lc_begin(void *ctx, struct fb_error *err)
{
	struct pg_local *l = ctx;
	enum fb_code rc = pg_do(l->c, "BEGIN", 0, NULL, "beginning", err);

	l->in_tx = rc == FB_OK;
	l->n = 0;
	return rc;
}

static void lc_rollback(void *ctx)
{
	struct pg_local *l = ctx;

	if (l->in_tx)
		pg_rollback(l->c);
	l->in_tx = 0;
	l->n = 0;
}

/* The pulled changes merged, then the commit. */
static enum fb_code lc_commit(void *ctx, struct fb_error *err)
{
	struct pg_local *l = ctx;
	enum fb_code rc = pg_merge_pulled(l->c, l->pulled, l->n, l->device, err);

	if (rc == FB_OK)
		rc = pg_do(l->c, "COMMIT", 0, NULL, "saving", err);
	if (rc != FB_OK)
		lc_rollback(l);
	l->in_tx = 0;
	l->n = 0;
	return rc;
}

static enum fb_code lc_chain_at(void *ctx, const char *device, uint64_t seq,
				unsigned char hash[JOURNAL_HASH_LEN], int *found,
				struct fb_error *err)
{
	return pg_chain_at(((struct pg_local *)ctx)->c, device, seq, hash, found, err);
}

static enum fb_code lc_apply(void *ctx, struct jchange *c, struct fb_error *err)
{
	struct pg_local *l = ctx;

	if (!l->in_tx)
		return fb_fail(err, FB_EINTERNAL, "a pulled change applied outside a transaction");
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct jchange *p = realloc(l->pulled, cap * sizeof(*p));

		if (!p)
			return fb_fail(err, FB_ENOMEM, "out of memory");
		l->pulled = p;
		l->cap = cap;
	}
	l->pulled[l->n++] = *c;
	return FB_OK;
}

static enum fb_code lc_relay_identity(void *ctx, struct fb_error *err)
{
	struct pg_local *l = ctx;
	char fresh[FB_DEVICE_ID_LEN + 1], *id = NULL;
	enum fb_code rc;

	if (l->device[0])
		return FB_OK;
	if ((rc = lc_meta_get(l, "relay_device", &id, err)) != FB_OK)
		return rc;
	if (!id) {
		if (book_new_device_id(fresh) != FB_OK)
			return fb_fail(err, FB_EINTERNAL, "no random bytes for a device id");
		if ((rc = lc_meta_set(l, "relay_device", fresh, err)) != FB_OK)
			return rc;
	}
	snprintf(l->device, sizeof(l->device), "%s", id ? id : fresh);
	free(id);
	return FB_OK;
}

static enum fb_code lc_relay_first(void *ctx, const char *device, uint64_t held,
				   uint64_t *cseq, struct fb_error *err)
{
	struct pg_local *l = ctx;
	char s[24];
	const char *v[2] = { device, s };
	enum fb_code rc;
	PGresult *r;

	snprintf(s, sizeof(s), "%llu", (unsigned long long)held);
	*cseq = 0;
	r = pg_run(l->c, "SELECT cseq FROM journal WHERE device = $1 AND seq > $2"
		   " ORDER BY seq LIMIT 1", 2, v, "reading journal", &rc, err);
	if (r && PQntuples(r) == 1)
		*cseq = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return rc;
}

/* device's changes after held, committed here before `below` (0: all),
 * while they continue one another from held on (book_relay_changes). */
static enum fb_code lc_relay_changes(void *ctx, const char *device, uint64_t held,
				     uint64_t below, struct jchange *out, size_t max,
				     size_t max_bytes, size_t *n, struct fb_error *err)
{
	struct pg_local *l = ctx;
	char s[3][24];
	const char *v[4] = { device, s[0], s[1], s[2] };
	uint64_t next = held + 1;
	size_t bytes = 0;
	enum fb_code rc;
	PGresult *r;
	int i;

	*n = 0;
	snprintf(s[0], sizeof(s[0]), "%llu", (unsigned long long)held);
	snprintf(s[1], sizeof(s[1]), "%zu", max);
	snprintf(s[2], sizeof(s[2]), "%llu", (unsigned long long)below);
	r = pg_run(l->c, "SELECT device, seq, n, hlc, record_id, type, branch, body, hash"
		   " FROM journal WHERE device = $1 AND seq > $2 AND ($4 = 0 OR cseq < $4)"
		   " ORDER BY seq LIMIT $3", 4, v, "reading journal", &rc, err);
	for (i = 0; r && rc == FB_OK && i < PQntuples(r) && bytes < max_bytes; i++) {
		unsigned char hash[JOURNAL_HASH_LEN];
		struct journal_row row;

		pg_journal_row(r, i, 0, hash, &row);
		if (row.seq != next)
			break;          /* a gap: the run ends before it */
		bytes += (size_t)PQgetlength(r, i, 7);
		/* Counted first, so that the caller releases it either way. */
		if ((rc = journal_row_fill(&out[(*n)++], &row, err)) != FB_OK)
			break;
		next += row.n;
	}
	PQclear(r);
	return rc;
}

static enum fb_code lc_relay_known(void *ctx, const char *device, uint64_t seq,
				   struct fb_error *err)
{
	char s[24];
	const char *v[2] = { device, s };

	snprintf(s, sizeof(s), "%llu", (unsigned long long)seq);
	return pg_do(((struct pg_local *)ctx)->c, "INSERT INTO relay_head(device, seq)"
		     " VALUES($1, $2) ON CONFLICT (device) DO UPDATE SET"
		     " seq = greatest(relay_head.seq, excluded.seq)", 2, v,
		     "noting what the hub holds", err);
}

static enum fb_code lc_relay_known_of(void *ctx, const char *device, uint64_t *seq,
				      struct fb_error *err)
{
	enum fb_code rc;
	PGresult *r = pg_run(((struct pg_local *)ctx)->c, "SELECT seq FROM relay_head"
			     " WHERE device = $1", 1, &device, "reading relay_head", &rc, err);

	*seq = r && PQntuples(r) == 1 ? strtoull(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	return rc;
}

static enum fb_code lc_relay_forget(void *ctx, struct fb_error *err)
{
	return pg_do(((struct pg_local *)ctx)->c, "DELETE FROM relay_head", 0, NULL,
		     "forgetting what the hub holds", err);
}

/* The heads of the journal's other devices (sql, $1 this hub's relay
 * id): PGresult as pg_run() gives it. */
static PGresult *other_heads(struct pg_local *l, const char *sql, enum fb_code *rc,
			     struct fb_error *err)
{
	const char *v[1] = { l->device };

	return pg_run(l->c, sql, 1, v, "reading journal", rc, err);
}

/* Each device of which this hub holds more than the upstream is known
 * to, with the last entry it holds, to fn. */
static enum fb_code lc_each_relay_candidate(void *ctx, book_head_fn fn, void *fn_ctx,
					    struct fb_error *err)
{
	enum fb_code rc;
	PGresult *r = other_heads(ctx, "SELECT j.device, max(j.seq + j.n - 1) FROM journal j"
			     " LEFT JOIN relay_head r ON r.device = j.device"
			     " WHERE j.device <> $1 GROUP BY j.device"
			     " HAVING max(j.seq + j.n - 1) > coalesce(max(r.seq), 0)"
			     " ORDER BY j.device COLLATE \"C\"", &rc, err);
	int i;

	for (i = 0; r && rc == FB_OK && i < PQntuples(r); i++)
		rc = fn(PQgetvalue(r, i, 0), strtoull(PQgetvalue(r, i, 1), NULL, 10), fn_ctx);
	PQclear(r);
	return rc;
}

static enum fb_code lc_relay_waiting(void *ctx, uint64_t *entries, uint64_t *devices,
				     struct fb_error *err)
{
	enum fb_code rc;
	PGresult *r = other_heads(ctx, "SELECT coalesce(sum(ahead), 0), count(*) FROM (SELECT"
			     " max(j.seq + j.n - 1) - coalesce(max(r.seq), 0) AS ahead"
			     " FROM journal j LEFT JOIN relay_head r ON r.device = j.device"
			     " WHERE j.device <> $1 AND j.quarantined = 0 GROUP BY j.device) w"
			     " WHERE ahead > 0", &rc, err);

	*entries = r ? strtoull(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	*devices = r ? strtoull(PQgetvalue(r, 0, 1), NULL, 10) : 0;
	PQclear(r);
	return rc;
}

static void lc_close(void *ctx)
{
	struct pg_local *l = ctx;

	if (!l)
		return;
	lc_rollback(l);
	pg_put((struct pg_hub *)l->store, l->c);
	l->store->ops->close(l->store);
	free(l->pulled);
	free(l);
}

static const struct sync_local_ops pg_local_ops = {
	.device = lc_device,
	.meta_get = lc_meta_get, .meta_int = lc_meta_int,
	.meta_set = lc_meta_set, .meta_set_int = lc_meta_set_int,
	.begin = lc_begin, .commit = lc_commit, .rollback = lc_rollback,
	.chain_at = lc_chain_at, .apply = lc_apply,
	.relay_identity = lc_relay_identity, .relay_first = lc_relay_first,
	.relay_changes = lc_relay_changes, .relay_known = lc_relay_known,
	.relay_known_of = lc_relay_known_of, .relay_forget = lc_relay_forget,
	.each_relay_candidate = lc_each_relay_candidate,
	.relay_waiting = lc_relay_waiting,
	.close = lc_close,
};

enum fb_code hub_store_pg_local(const char *uri, struct sync_local *out,
				struct fb_error *err)
{
	struct pg_local *l = calloc(1, sizeof(*l));
	char *id = NULL;
	enum fb_code rc;

	memset(out, 0, sizeof(*out));
	if (!l)
		return fb_fail(err, FB_ENOMEM, "out of memory");
	if ((rc = hub_store_pg_admin(uri, &l->store, err)) != FB_OK) {
		free(l);
		return rc;
	}
	l->c = pg_get((struct pg_hub *)l->store);
	/* The relay id when there is one already (relay_identity makes it). */
	if ((rc = lc_meta_get(l, "relay_device", &id, err)) != FB_OK) {
		lc_close(l);
		return rc;
	}
	snprintf(l->device, sizeof(l->device), "%s", id ? id : "");
	free(id);
	out->ops = &pg_local_ops;
	out->ctx = l;
	out->book = NULL;
	return FB_OK;
}
