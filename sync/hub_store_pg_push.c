/*
 * hub_store_pg_push.c - a push on the PostgreSQL store: one batch in one
 * transaction, merged by the rule every store shares (apply.h).
 *
 * Many pushes run side by side (docs/DECISIONS.md, "PostgreSQL store"):
 *
 *   - a push takes its device's advisory lock, so that two pushes of one
 *     laptop (a retry while the first still runs) take turns, and the
 *     token's row, so that a revoke either committed before it (seen)
 *     or waits for it;
 *   - the records of the batch are read at once and locked (FOR UPDATE,
 *     in id order), merged in memory, and written back at the end: the
 *     new ones by COPY, the others by one UPDATE; a record new to the
 *     hub that another push wrote first makes the push run again, and
 *     then it merges;
 *   - the journal rows are numbered last, under the commit lock, held
 *     until the commit is visible, and written by COPY: commit
 *     sequences become visible in their order, so a pull never passes
 *     one still to come;
 *   - a push that lost a race (serialization failure, deadlock, a new
 *     record or journal row written first) runs again, up to
 *     PG_PUSH_TRIES times; a connection lost is FB_EBUSY, 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "hub_store_pg.h"
#include "hub_store_rules.h"
#include "model.h"

#define PG_NUM_MAX 24

/* A record of the batch, as this push sees it. */
struct pg_rec {
	const char *id;         /* into the batch */
	struct record *r;       /* NULL: the hub has none (yet) */
	int is_new;             /* not in the store when the push began */
	int dirty;              /* to be written back */
	int has_open;           /* it has an open conflict: settling may change one */
};

/* A device's chain head as this push has moved it. */
struct pg_head {
	const char *device;     /* into the batch */
	uint64_t last;
	unsigned char hash[JOURNAL_HASH_LEN];
};

/* A journal row to number at the commit. */
struct pg_row {
	const struct jchange *c;
	int quarantined;
};

struct pg_push {
	struct pg_conn *c;
	struct wire_batch *batch;       /* a push's; NULL for pulled changes */
	struct jchange *changes;        /* the changes to merge */
	size_t n;
	const char *self;               /* the pushing device, or NULL */
	struct pg_rec *recs;
	size_t nrecs;
	struct pg_head *heads;
	size_t nheads;
	struct pg_row *rows;
	size_t nrows;
};

static const char *num(char buf[PG_NUM_MAX], long long v)
{
	snprintf(buf, PG_NUM_MAX, "%lld", v);
	return buf;
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct pg_rec *)a)->id, ((const struct pg_rec *)b)->id);
}

static struct pg_rec *rec_of(struct pg_push *p, const char *id)
{
	struct pg_rec key = { id, NULL, 0, 0, 0 };

	return bsearch(&key, p->recs, p->nrecs, sizeof(key), by_id);
}

static struct record *record_copy(const struct record *r)
{
	struct record *o = record_new(r->id, r->type, r->branch);
	int i;

	for (i = 0; o && i < RECORD_FIELDS_MAX; i++) {
		o->stamp[i] = r->stamp[i];
		if (r->val[i] && !(o->val[i] = strdup(r->val[i]))) {
			record_free(o);
			o = NULL;
		}
	}
	return o;
}

/* --- the store as apply_change() sees it ---------------------------- */

static enum fb_code op_load(void *ctx, const char *id, struct record **out,
			    struct fb_error *err)
{
	struct pg_rec *e = rec_of(ctx, id);

	*out = NULL;
	if (e && e->r && !(*out = record_copy(e->r)))
		return fb_fail(err, FB_ENOMEM, "out of memory");
	return FB_OK;
}

static enum fb_code op_save(void *ctx, const struct record *r, struct fb_error *err)
{
	struct pg_rec *e = rec_of(ctx, r->id);
	struct record *copy;

	if (!e)
		return fb_fail(err, FB_EINTERNAL, "record %s is not of the batch", r->id);
	if (!(copy = record_copy(r)))
		return fb_fail(err, FB_ENOMEM, "out of memory");
	record_free(e->r);
	e->r = copy;
	e->dirty = 1;
	return FB_OK;
}

static enum fb_code op_journal(void *ctx, const struct jchange *c, int quarantined,
			       struct fb_error *err)
{
	struct pg_push *p = ctx;

	(void)err;      /* room for every change of the batch was made */
	p->rows[p->nrows].c = c;
	p->rows[p->nrows].quarantined = quarantined;
	p->nrows++;
	return FB_OK;
}

static enum fb_code op_conflict(void *ctx, const struct record *r, const char *field,
				const char *kind, const struct fb_stamp *ws, const char *wv,
				const struct fb_stamp *ls, const char *lv, struct fb_error *err)
{
	struct pg_push *p = ctx;
	struct pg_rec *e = rec_of(p, r->id);
	char wh[PG_NUM_MAX], lh[PG_NUM_MAX];
	const char *v[11] = { r->id, model_type(r->type)->name, r->branch, field, kind,
			      wv ? wv : "", num(wh, (long long)ws->hlc), ws->device,
			      lv ? lv : "", num(lh, (long long)ls->hlc), ls->device };

	if (e)
		e->has_open = 1;
	return pg_do(p->c, "INSERT INTO conflict(record_id, type, branch, field, kind,"
		     " winner_value, winner_hlc, winner_device, loser_value, loser_hlc,"
		     " loser_device) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
		     " ON CONFLICT (record_id, field, loser_hlc, loser_device) DO UPDATE SET"
		     " kind = excluded.kind, winner_value = excluded.winner_value,"
		     " winner_hlc = excluded.winner_hlc, winner_device = excluded.winner_device,"
		     " resolved = 0 WHERE conflict.kind = 'delete'", 11, v, "saving conflict",
		     err);
}

static enum fb_code op_settle(void *ctx, const struct record *r, const char *field,
			      const struct fb_stamp *winner, struct fb_error *err)
{
	struct pg_push *p = ctx;
	struct pg_rec *e = rec_of(p, r->id);
	char h[PG_NUM_MAX];
	const char *v[4] = { r->id, field, num(h, (long long)winner->hlc), winner->device };

	/* Most edits settle nothing: a record with no open conflict is not asked. */
	if (e && !e->has_open)
		return FB_OK;
	return pg_do(p->c, "UPDATE conflict SET resolved = 1 WHERE record_id = $1"
		     " AND field = $2 AND resolved = 0 AND winner_hlc = $3"
		     " AND winner_device = $4", 4, v, "settling conflict", err);
}

static enum fb_code op_settle_deletes(void *ctx, const char *id, struct fb_error *err)
{
	struct pg_push *p = ctx;
	struct pg_rec *e = rec_of(p, id);
	const char *v[1] = { id };

	if (e && !e->has_open)
		return FB_OK;
	return pg_do(p->c, "UPDATE conflict SET resolved = 1 WHERE record_id = $1"
		     " AND kind = 'delete' AND resolved = 0", 1, v, "settling conflicts", err);
}

/* This push's rows of device, newest first: the one that ends at seq
 * (seq 0: the newest). */
static const struct jchange *pending(const struct pg_push *p, const char *device,
				     uint64_t seq, int starts)
{
	size_t i;

	for (i = p->nrows; i-- > 0;) {
		const struct jchange *c = p->rows[i].c;

		if (strcmp(c->device, device))
			continue;
		if (starts ? c->seq == seq : seq == 0 || c->seq + c->n - 1 == seq)
			return c;
	}
	return NULL;
}

static enum fb_code op_have(void *ctx, const struct jchange *c, int *same,
			    unsigned char held[JOURNAL_HASH_LEN], struct fb_error *err)
{
	struct pg_push *p = ctx;
	const struct jchange *mine = pending(p, c->device, c->seq, 1);
	char s[PG_NUM_MAX];
	const char *v[2] = { c->device, num(s, (long long)c->seq) };
	enum fb_code rc;
	PGresult *r;

	*same = 0;
	if (mine) {
		*same = mine->n == c->n;
		memcpy(held, mine->hash, JOURNAL_HASH_LEN);
		return FB_OK;
	}
	r = pg_run(p->c, "SELECT hash, n FROM journal WHERE device = $1 AND seq = $2", 2, v,
		   "reading journal", &rc, err);
	if (r && PQntuples(r) == 1)
		*same = pg_bytes(r, 0, 0, held, JOURNAL_HASH_LEN) &&
			strtoull(PQgetvalue(r, 0, 1), NULL, 10) == c->n;
	PQclear(r);
	return rc;
}

static struct pg_head *head_of(struct pg_push *p, const char *device)
{
	size_t i;

	for (i = 0; i < p->nheads; i++)
		if (!strcmp(p->heads[i].device, device))
			return &p->heads[i];
	return NULL;
}

static enum fb_code op_head(void *ctx, const char *device, uint64_t *last,
			    unsigned char hash[JOURNAL_HASH_LEN], struct fb_error *err)
{
	struct pg_push *p = ctx;
	struct pg_head *h = head_of(p, device);
	enum fb_code rc;

	if (!h) {
		/* Room for every device of the batch was made. */
		h = &p->heads[p->nheads];
		h->device = device;
		if ((rc = pg_device_head(p->c, device, &h->last, h->hash, err)) != FB_OK)
			return rc;
		p->nheads++;
	}
	*last = h->last;
	memcpy(hash, h->hash, JOURNAL_HASH_LEN);
	return FB_OK;
}

static enum fb_code op_chain_at(void *ctx, const char *device, uint64_t seq,
				unsigned char hash[JOURNAL_HASH_LEN], int *found,
				struct fb_error *err)
{
	struct pg_push *p = ctx;
	const struct jchange *mine = pending(p, device, seq, 0);

	if (mine) {
		memcpy(hash, mine->hash, JOURNAL_HASH_LEN);
		*found = 1;
		return FB_OK;
	}
	return pg_chain_at(p->c, device, seq, hash, found, err);
}

static void op_wrote(void *ctx, const struct jchange *c, int flags)
{
	struct pg_head *h = head_of(ctx, c->device);

	(void)flags;
	if (h) {
		h->last = c->seq + c->n - 1;
		memcpy(h->hash, c->hash, JOURNAL_HASH_LEN);
	}
}

static const struct apply_ops pg_apply_ops = {
	.load = op_load, .save = op_save, .journal = op_journal,
	.conflict = op_conflict, .have = op_have, .settle = op_settle,
	.settle_deletes = op_settle_deletes, .head = op_head,
	.chain_at = op_chain_at, .wrote = op_wrote,
};

/* --- before: locks, the token, scope, the records ------------------ */

/* Each device of the batch's lock, in the order of their ids. */
static int by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static enum fb_code lock_devices(struct pg_push *p, struct fb_error *err)
{
	const char **ids = malloc((p->n + 1) * sizeof(*ids));
	enum fb_code rc = FB_OK;
	size_t i, n = 0;

	if (!ids)
		return fb_fail(err, FB_ENOMEM, "out of memory");
	if (p->self)
		ids[n++] = p->self;
	for (i = 0; i < p->n; i++)
		ids[n++] = p->changes[i].device;
	qsort(ids, n, sizeof(*ids), by_str);
	for (i = 0; rc == FB_OK && i < n; i++)
		if (i == 0 || strcmp(ids[i], ids[i - 1]))
			rc = pg_do(p->c, "SELECT pg_advisory_xact_lock(" PG_DEVICE_LOCK_CLASS
				   ", hashtext($1))", 1, &ids[i], "waiting for the device", err);
	free(ids);
	return rc;
}

/* The token again, its row locked: a revoke committed before is seen,
 * one after waits for this push. */
static enum fb_code still_enrolled(struct pg_conn *c, const struct hub_device *dev,
				   struct hub_push_result *res, struct fb_error *err)
{
	char id[PG_NUM_MAX];
	const char *v[1] = { num(id, dev->id) };
	enum fb_code rc;
	PGresult *r = pg_run(c, "SELECT revoked IS NULL FROM device WHERE id = $1"
			     " FOR NO KEY UPDATE", 1, v, "reading devices", &rc, err);

	if (r && (PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, 0), "t"))) {
		res->revoked = 1;
		rc = fb_fail(err, FB_EAUTH, "revoked token");
	}
	PQclear(r);
	return rc;
}

/* Is branch the unit or below it? */
static enum fb_code in_scope(struct pg_conn *c, const char *unit, const char *branch,
			     int *yes, struct fb_error *err)
{
	const char *v[2] = { branch, unit };
	enum fb_code rc;
	PGresult *r;

	if ((*yes = !strcmp(unit, branch)))
		return FB_OK;
	r = pg_run(c, "WITH RECURSIVE up(code) AS (SELECT $1::text UNION"
		   " SELECT unit.parent FROM unit JOIN up ON unit.code = up.code"
		   " WHERE unit.parent IS NOT NULL) SELECT 1 FROM up WHERE code = $2", 2, v,
		   "checking scope", &rc, err);
	*yes = r && PQntuples(r) > 0;
	PQclear(r);
	return rc;
}

/* Every record the batch names, read and locked in id order; which of
 * them have an open conflict. */
static enum fb_code load_records(struct pg_push *p, struct fb_error *err)
{
	struct pg_array ids = { 0 };
	const char *v[1];
	PGresult *r = NULL;
	enum fb_code rc = FB_OK;
	size_t i, n = 0;
	int k;

	for (i = 0; i < p->n; i++)
		p->recs[i].id = p->changes[i].record_id;
	qsort(p->recs, p->n, sizeof(*p->recs), by_id);
	for (i = 0; i < p->n; i++)
		if (n == 0 || strcmp(p->recs[i].id, p->recs[n - 1].id))
			p->recs[n++].id = p->recs[i].id;
	p->nrecs = n;
	for (i = 0; i < n; i++) {
		p->recs[i].is_new = 1;
		pg_array_add(&ids, p->recs[i].id);
	}
	if (!(v[0] = pg_array_text(&ids))) {
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
		goto out;
	}
	r = pg_run(p->c, "SELECT id, type, branch, vals, clk FROM record WHERE id = ANY($1)"
		   " ORDER BY id FOR UPDATE", 1, v, "reading records", &rc, err);
	for (k = 0; r && rc == FB_OK && k < PQntuples(r); k++) {
		struct pg_rec *e = rec_of(p, PQgetvalue(r, k, 0));
		const struct type_def *t = model_type_named(PQgetvalue(r, k, 1));

		if (!e)
			continue;
		if (!t) {
			rc = fb_fail(err, FB_ECORRUPT, "record %s has an unknown type", e->id);
		} else if (!(e->r = record_new(e->id, t->type, PQgetvalue(r, k, 2)))) {
			rc = fb_fail(err, FB_ENOMEM, "out of memory");
		} else {
			e->is_new = 0;
			rc = record_decode(e->r, PQgetvalue(r, k, 3), PQgetvalue(r, k, 4), err);
		}
	}
	PQclear(r);
	if (rc != FB_OK)
		goto out;
	r = pg_run(p->c, "SELECT DISTINCT record_id FROM conflict WHERE resolved = 0"
		   " AND record_id = ANY($1)", 1, v, "reading conflicts", &rc, err);
	for (k = 0; r && k < PQntuples(r); k++) {
		struct pg_rec *e = rec_of(p, PQgetvalue(r, k, 0));

		if (e)
			e->has_open = 1;
	}
	PQclear(r);
out:
	pg_array_release(&ids);
	return rc;
}

/* --- after: the records and the journal written --------------------- */

/* A record's row as COPY takes it, or the arrays of the UPDATE. */
static enum fb_code record_row(const struct pg_rec *e, struct fb_buf *copy,
			       struct pg_array upd[4])
{
	char *vals = NULL, *clk = NULL;
	const char *del = record_deleted(e->r) ? "1" : "0";
	enum fb_code rc;

	if ((rc = record_encode(e->r, &vals, &clk)) != FB_OK)
		return rc;
	if (e->is_new) {
		if ((rc = pg_copy_field(copy, e->id, 0)) == FB_OK &&
		    (rc = pg_copy_field(copy, model_type(e->r->type)->name, 0)) == FB_OK &&
		    (rc = pg_copy_field(copy, e->r->branch, 0)) == FB_OK &&
		    (rc = pg_copy_field(copy, del, 0)) == FB_OK &&
		    (rc = pg_copy_field(copy, vals, 0)) == FB_OK)
			rc = pg_copy_field(copy, clk, 1);
	} else {
		pg_array_add(&upd[0], e->id);
		pg_array_add(&upd[1], del);
		pg_array_add(&upd[2], vals);
		pg_array_add(&upd[3], clk);
	}
	free(vals);
	free(clk);
	return rc;
}

/*
 * The records the push changed: the new ones by COPY (one another push
 * wrote first is a unique violation, and the push runs again), the
 * others by one UPDATE.
 */
static enum fb_code write_records(struct pg_push *p, struct fb_error *err)
{
	struct fb_buf copy = FB_BUF_INIT(0);
	struct pg_array upd[4] = { { 0 } };
	const char *v[4];
	enum fb_code rc = FB_OK;
	size_t i, old = 0;
	int k;

	for (i = 0; rc == FB_OK && i < p->nrecs; i++) {
		if (!p->recs[i].dirty)
			continue;
		old += !p->recs[i].is_new;
		if (record_row(&p->recs[i], &copy, upd) != FB_OK)
			rc = fb_fail(err, FB_ENOMEM, "out of memory");
	}
	if (rc == FB_OK && copy.len)
		rc = pg_copy(p->c, "COPY record(id, type, branch, deleted, vals, clk) FROM STDIN",
			     copy.data, copy.len, "saving records", err);
	for (k = 0; rc == FB_OK && k < 4; k++)
		if (!(v[k] = pg_array_text(&upd[k])))
			rc = fb_fail(err, FB_ENOMEM, "out of memory");
	if (rc == FB_OK && old)
		rc = pg_do(p->c, "UPDATE record SET deleted = u.deleted, vals = u.vals,"
			   " clk = u.clk FROM unnest($1::text[], $2::smallint[], $3::text[],"
			   " $4::text[]) AS u(id, deleted, vals, clk) WHERE record.id = u.id", 4, v,
			   "saving records", err);
	buf_release(&copy);
	for (k = 0; k < 4; k++)
		pg_array_release(&upd[k]);
	return rc;
}

/* A journal row as COPY takes it, but its first field (the cseq). */
static enum fb_code journal_row(const struct pg_row *row, struct fb_buf *b)
{
	const struct jchange *c = row->c;
	char hex[2 * JOURNAL_HASH_LEN + 3], num[3][24];
	char *body = NULL;
	enum fb_code rc;

	if ((rc = journal_body_format(c, &body)) != FB_OK)
		return rc;
	pg_hex(c->hash, JOURNAL_HASH_LEN, hex);
	snprintf(num[0], sizeof(num[0]), "%llu", (unsigned long long)c->seq);
	snprintf(num[1], sizeof(num[1]), "%zu", c->n);
	snprintf(num[2], sizeof(num[2]), "%llu", (unsigned long long)c->hlc);
	if ((rc = pg_copy_field(b, c->device, 0)) == FB_OK &&
	    (rc = pg_copy_field(b, num[0], 0)) == FB_OK &&
	    (rc = pg_copy_field(b, num[1], 0)) == FB_OK &&
	    (rc = pg_copy_field(b, num[2], 0)) == FB_OK &&
	    (rc = pg_copy_field(b, c->record_id, 0)) == FB_OK &&
	    (rc = pg_copy_field(b, model_type(c->type)->name, 0)) == FB_OK &&
	    (rc = pg_copy_field(b, c->branch, 0)) == FB_OK &&
	    (rc = pg_copy_field(b, body, 0)) == FB_OK &&
	    (rc = pg_copy_field(b, hex, 0)) == FB_OK)
		rc = pg_copy_field(b, row->quarantined ? "1" : "0", 1);
	free(body);
	return rc;
}

/*
 * The batch's journal rows, numbered after the highest commit sequence
 * under the commit lock (held until this transaction's commit is
 * visible), in the batch's order.  The rows are written out before the
 * lock is taken; under it only their numbers are put in front.
 */
static enum fb_code write_journal(struct pg_push *p, struct fb_error *err)
{
	struct fb_buf rows = FB_BUF_INIT(0), copy = FB_BUF_INIT(0);
	size_t *at = NULL, i;
	enum fb_code rc = FB_OK;
	unsigned long long top = 0;
	PGresult *r;

	if (p->nrows == 0)
		return FB_OK;
	if (!(at = malloc((p->nrows + 1) * sizeof(*at))))
		return fb_fail(err, FB_ENOMEM, "out of memory");
	for (i = 0; rc == FB_OK && i < p->nrows; i++) {
		at[i] = rows.len;
		if (journal_row(&p->rows[i], &rows) != FB_OK)
			rc = fb_fail(err, FB_ENOMEM, "out of memory");
	}
	at[p->nrows] = rows.len;
	if (rc == FB_OK)
		rc = pg_do(p->c, "SELECT pg_advisory_xact_lock(" PG_COMMIT_LOCK ")", 0, NULL,
			   "numbering the journal", err);
	/* This statement's snapshot is taken after the lock: it sees the
	 * last holder's commit. */
	if (rc == FB_OK && (r = pg_run(p->c, "SELECT coalesce(max(cseq), 0) FROM journal", 0,
				       NULL, "numbering the journal", &rc, err))) {
		top = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
	}
	for (i = 0; rc == FB_OK && i < p->nrows; i++) {
		char cseq[24];

		snprintf(cseq, sizeof(cseq), "%llu\t", top + i + 1);
		if (buf_adds(&copy, cseq) != FB_OK ||
		    buf_add(&copy, rows.data + at[i], at[i + 1] - at[i]) != FB_OK)
			rc = fb_fail(err, FB_ENOMEM, "out of memory");
	}
	if (rc == FB_OK)
		rc = pg_copy(p->c, "COPY journal(cseq, device, seq, n, hlc, record_id, type,"
			     " branch, body, hash, quarantined) FROM STDIN", copy.data, copy.len,
			     "saving journal", err);
	free(at);
	buf_release(&rows);
	buf_release(&copy);
	return rc;
}

/* A relay's changes, taken or held already: never sent back to it. */
static enum fb_code note_relayed(struct pg_push *p, long long token, struct fb_error *err)
{
	struct pg_array dev = { 0 }, seq = { 0 };
	char t[PG_NUM_MAX];
	const char *v[3] = { num(t, token), NULL, NULL };
	enum fb_code rc = FB_OK;
	size_t i;

	for (i = 0; i < p->n; i++) {
		pg_array_add(&dev, p->changes[i].device);
		pg_array_addf(&seq, "%llu", (unsigned long long)p->changes[i].seq);
	}
	if (!(v[1] = pg_array_text(&dev)) || !(v[2] = pg_array_text(&seq)))
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
	else
		rc = pg_do(p->c, "INSERT INTO relayed(cseq, token) SELECT j.cseq, $1"
			   " FROM journal j JOIN unnest($2::text[], $3::bigint[]) AS u(device, seq)"
			   " ON j.device = u.device AND j.seq = u.seq ON CONFLICT DO NOTHING", 3, v,
			   "noting a relayed change", err);
	pg_array_release(&dev);
	pg_array_release(&seq);
	return rc;
}

/* --- the push -------------------------------------------------------- */

/* Set an invalid change aside: in the journal (flagged), so its
 * device's chain goes on, and in the rejected table with its reason. */
static enum fb_code quarantine(struct pg_push *p, const struct applier *a,
			       struct jchange *c, const char *reason,
			       struct hub_push_result *res, struct fb_error *err)
{
	char s[PG_NUM_MAX];
	const char *v[6] = { c->device, num(s, (long long)c->seq), c->record_id,
			     model_type(c->type) ? model_type(c->type)->name : "", c->branch,
			     reason };
	enum fb_code rc;
	int applied = 0;

	if ((rc = apply_change(a, c, APPLY_QUARANTINE, &applied, err)) != FB_OK)
		return rc;
	if (!applied) {
		res->replayed++;        /* sent again: set aside the first time */
		return FB_OK;
	}
	rc = pg_do(p->c, "INSERT INTO rejected(device, seq, record_id, type, branch, reason, at)"
		   " VALUES($1, $2, $3, $4, $5, $6, " PG_NOW ") ON CONFLICT DO NOTHING", 6, v,
		   "saving rejected entry", err);
	if (rc == FB_OK)
		hub_note_reject(res, c->seq, reason);
	return rc;
}

/* Each change of the batch through the shared rule. */
static enum fb_code apply_batch(struct pg_push *p, struct hub_push_result *res,
				struct fb_error *err)
{
	struct applier a = { &pg_apply_ops, p, "" };
	struct fb_error e;
	enum fb_code rc;
	size_t i;
	int applied;

	for (i = 0; i < p->n; i++) {
		struct jchange *c = &p->changes[i];

		fb_error_clear(&e);
		rc = apply_change(&a, c, 0, &applied, &e);
		if (rc == FB_EINVAL || rc == FB_ETOOBIG) {
			char reason[FB_ERRMSG_MAX];

			memcpy(reason, e.msg, sizeof(reason));
			fb_error_clear(&e);
			if ((rc = quarantine(p, &a, c, reason, res, &e)) == FB_OK)
				continue;
		}
		if (rc == FB_ECONFLICT || rc == FB_ECORRUPT) {
			unsigned char h[JOURNAL_HASH_LEN];
			uint64_t last = 0;

			/* Unknown (it could not be read): the laptop is asked
			 * from the start and the hub replays. */
			if (op_head(p, c->device, &last, h, NULL) != FB_OK)
				last = 0;
			res->expected = last + 1;
			if (rc == FB_ECORRUPT && c->seq <= last) {
				res->fork = c->seq;
				res->held = last;
			}
		}
		if (rc != FB_OK)
			return fb_fail(err, rc, "%s", e.msg);
		if (applied)
			res->applied++;
		else
			res->replayed++;
	}
	return FB_OK;
}

static enum fb_code push_once(struct pg_push *p, struct hub_device *dev,
			      struct hub_push_result *res, struct fb_error *err)
{
	struct wire_batch *b = p->batch;
	const char *checked = NULL;
	char id[PG_NUM_MAX];
	const char *v[2];
	enum fb_code rc;
	size_t i;
	int yes;

	if ((rc = pg_do(p->c, "BEGIN", 0, NULL, "pushing", err)) != FB_OK)
		return rc;
	if ((rc = lock_devices(p, err)) != FB_OK ||
	    (rc = still_enrolled(p->c, dev, res, err)) != FB_OK)
		return rc;
	/* A hub's token only relays (docs/PROTOCOL.md §6.10). */
	if (dev->hub && !b->relay)
		return fb_fail(err, FB_EAUTH, "this token is a hub's: it relays other"
			       " devices' changes and writes none of its own");
	if (!b->relay && (rc = pg_bind(p->c, dev, b->device, b->forked_from, err)) != FB_OK)
		return rc;
	/* Scope first: a batch with one record outside it applies nothing. */
	for (i = 0; i < b->n; i++) {
		const char *br = b->changes[i].branch;

		if (checked && !strcmp(checked, br))
			continue;
		if ((rc = in_scope(p->c, dev->unit, br, &yes, err)) != FB_OK)
			return rc;
		if (!yes) {
			snprintf(res->out_of_scope, sizeof(res->out_of_scope), "%s", br);
			return fb_fail(err, FB_EAUTH, "record %s is of branch %s, outside unit %s",
				       b->changes[i].record_id, br, dev->unit);
		}
		checked = br;
	}
	if ((rc = load_records(p, err)) != FB_OK || (rc = apply_batch(p, res, err)) != FB_OK)
		return rc;
	if (memcmp(b->changes[b->n - 1].hash, b->last_hash, JOURNAL_HASH_LEN))
		return fb_fail(err, FB_ECORRUPT,
			       "the batch's last_hash does not match the entries sent");
	if ((rc = op_head(p, b->device, &res->ack, res->ack_hash, err)) != FB_OK ||
	    (rc = write_records(p, err)) != FB_OK || (rc = write_journal(p, err)) != FB_OK ||
	    (b->relay && (rc = note_relayed(p, dev->id, err)) != FB_OK))
		return rc;
	/* last_seen is a laptop's own push; last_push any push. */
	v[0] = num(id, dev->id);
	v[1] = b->relay ? "t" : "f";
	if ((rc = pg_do(p->c, "UPDATE device SET last_push = " PG_NOW ", last_seen ="
			" CASE WHEN $2::boolean THEN last_seen ELSE " PG_NOW " END WHERE id = $1",
			2, v, "pushing", err)) != FB_OK)
		return rc;
	return pg_do(p->c, "COMMIT", 0, NULL, "pushing", err);
}

/* A failure that running the push again may cure. */
static int retryable(const struct pg_conn *c)
{
	return !strcmp(c->state, "40001") || !strcmp(c->state, "40P01") ||
	       !strcmp(c->state, "23505");
}

static void push_reset(struct pg_push *p)
{
	size_t i;

	if (!p->recs)
		return;
	for (i = 0; i < p->nrecs; i++)
		record_free(p->recs[i].r);
	memset(p->recs, 0, p->n * sizeof(*p->recs));
	p->nrecs = p->nheads = p->nrows = 0;
}

/* Room for the merge of n changes: FB_ENOMEM when there is none. */
static enum fb_code push_alloc(struct pg_push *p, struct jchange *changes, size_t n,
			       struct fb_error *err)
{
	p->changes = changes;
	p->n = n;
	p->recs = calloc(n + 1, sizeof(*p->recs));
	p->heads = calloc(2 * n + 1, sizeof(*p->heads));
	p->rows = calloc(n + 1, sizeof(*p->rows));
	if (!p->recs || !p->heads || !p->rows)
		return fb_fail(err, FB_ENOMEM, "out of memory");
	return FB_OK;
}

static void push_free(struct pg_push *p)
{
	push_reset(p);
	free(p->recs);
	free(p->heads);
	free(p->rows);
}

enum fb_code pg_push(struct hub_store *s, struct hub_device *dev, struct wire_batch *b,
		     struct hub_push_result *res, struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_push p = { 0 };
	struct hub_device as_given = *dev;
	enum fb_code rc;
	int tries;

	memset(res, 0, sizeof(*res));
	p.batch = b;
	p.self = b->device;
	if ((rc = push_alloc(&p, b->changes, b->n, err)) != FB_OK)
		goto out;
	p.c = pg_get(h);
	for (tries = 1;; tries++) {
		rc = push_once(&p, dev, res, err);
		if (rc == FB_OK)
			break;
		pg_rollback(p.c);
		push_reset(&p);
		if (!retryable(p.c) || tries == PG_PUSH_TRIES)
			break;
		/* Again from the start, as if it had just arrived. */
		*dev = as_given;
		memset(res, 0, sizeof(*res));
		fb_error_clear(err);
		p.c->state[0] = '\0';
	}
	if (rc == FB_EEXIST)    /* a unique row another push wrote, tries spent */
		rc = fb_fail(err, FB_EBUSY, "%s", err->msg);
	pg_put(h, p.c);
out:
	push_free(&p);
	return rc;
}

/*
 * Changes pulled from the hub above, merged in c's open transaction
 * (hub_store_pg_relay.c): each device's lock, the records locked in id
 * order, the rule applied (APPLY_FROM_HUB, self the hub's relay id),
 * the records and the journal rows written as a push writes them.  A
 * race lost to a push (a new record, a deadlock) is undone to the
 * savepoint and run again, up to PG_PUSH_TRIES times.
 */
enum fb_code pg_merge_pulled(struct pg_conn *c, struct jchange *changes, size_t n,
			     const char *self, struct fb_error *err)
{
	struct pg_push p = { 0 };
	struct applier a = { &pg_apply_ops, &p, self };
	enum fb_code rc;
	size_t i;
	int tries;

	if (n == 0)
		return FB_OK;
	if ((rc = push_alloc(&p, changes, n, err)) != FB_OK)
		goto out;
	p.c = c;
	for (tries = 1;; tries++) {
		rc = pg_do(c, "SAVEPOINT pulled", 0, NULL, "applying pulled changes", err);
		if (rc == FB_OK && (rc = lock_devices(&p, err)) == FB_OK)
			rc = load_records(&p, err);
		for (i = 0; rc == FB_OK && i < n; i++)
			rc = apply_change(&a, &changes[i], APPLY_FROM_HUB, NULL, err);
		if (rc == FB_OK && (rc = write_records(&p, err)) == FB_OK &&
		    (rc = write_journal(&p, err)) == FB_OK)
			rc = pg_do(c, "RELEASE SAVEPOINT pulled", 0, NULL,
				   "applying pulled changes", err);
		if (rc == FB_OK || !retryable(c) || tries == PG_PUSH_TRIES)
			break;
		/* Lost a race: back to the savepoint, and again. */
		push_reset(&p);
		c->state[0] = '\0';
		fb_error_clear(err);
		if ((rc = pg_do(c, "ROLLBACK TO SAVEPOINT pulled", 0, NULL,
				"applying pulled changes", err)) != FB_OK)
			break;
	}
	if (rc == FB_EEXIST)
		rc = fb_fail(err, FB_EBUSY, "%s", err->msg);
out:
	push_free(&p);
	return rc;
}
