/*
 * book_view.c - the commands' reads of a book, and what sync notes in
 * it (book_view.h).  The conflict, record and journal tables are the
 * schema of store.c; sync_rejected is made here, the first time a hub
 * sets an entry of this device aside.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book_view.h"
#include "book_internal.h"
#include "conflict_id.h"
#include "i18n.h"
#include "report.h"

const char *book_device(const struct book *b)
{
	return b->device;
}

const char *book_branch(const struct book *b)
{
	return b->branch;
}

uint64_t book_last_seq(const struct book *b)
{
	return b->next_seq - 1;
}

void book_observe(struct book *b, fb_hlc t)
{
	b->clock = hlc_observe(b->clock, t);
}

uint64_t book_wall_ms(const struct book *b)
{
	return b->wall_ms();
}

/* meta keys of the hub's clock as the last sync saw it. */
#define CLOCK_OFFSET_KEY "clock_offset_ms"
#define CLOCK_SEEN_KEY   "clock_seen"

enum fb_code book_note_hub_clock(struct book *b, const struct book_clock_note *n,
				 struct fb_error *err)
{
	char boot_id[HLC_BOOT_ID_MAX], seen[2 * 24 + HLC_BOOT_ID_MAX + 4];
	enum fb_code rc;

	hlc_boot_id(boot_id);
	snprintf(seen, sizeof(seen), "%llu:%llu:%s", (unsigned long long)n->hub_ms,
		 (unsigned long long)n->boot_ms, boot_id);
	if ((rc = store_begin(b->st, err)) != FB_OK)
		return rc;
	rc = store_meta_set_int(b->st, CLOCK_OFFSET_KEY,
				(long long)n->hub_ms - (long long)n->local_ms, err);
	if (rc == FB_OK)
		rc = store_meta_set(b->st, CLOCK_SEEN_KEY, seen, err);
	if (rc == FB_OK)
		return store_commit(b->st, err);
	store_rollback(b->st);
	return rc;
}

/* "<hub ms>:<boot ms>:<boot id>" as book_note_hub_clock writes it. */
static int parse_clock_seen(const char *s, uint64_t *hub_ms, uint64_t *boot_ms,
			    const char **boot_id)
{
	unsigned long long h, t;
	int used = 0;

	if (sscanf(s, "%llu:%llu:%n", &h, &t, &used) != 2 || used == 0)
		return 0;
	*hub_ms = h;
	*boot_ms = t;
	*boot_id = s + used;
	return 1;
}

enum fb_code book_clock_drift(struct book *b, int64_t *ahead_ms, int *known,
			      struct fb_error *err)
{
	char boot_id[HLC_BOOT_ID_MAX], *seen = NULL;
	const char *seen_boot = NULL;
	uint64_t hub_ms = 0, boot_then = 0, boot_now;
	long long offset = 0;
	enum fb_code rc;

	*ahead_ms = 0;
	*known = 0;
	if ((rc = store_meta_get(b->st, CLOCK_SEEN_KEY, &seen, err)) != FB_OK)
		return rc;
	hlc_boot_id(boot_id);
	boot_now = hlc_boot_ms();
	if (seen && *boot_id && boot_now &&
	    parse_clock_seen(seen, &hub_ms, &boot_then, &seen_boot) &&
	    !strcmp(seen_boot, boot_id) && boot_now >= boot_then) {
		*ahead_ms = (int64_t)b->wall_ms() - (int64_t)(hub_ms + (boot_now - boot_then));
		*known = 1;
	}
	free(seen);
	if (*known)
		return FB_OK;
	rc = store_meta_int(b->st, CLOCK_OFFSET_KEY, (long long)INT64_MIN, &offset, err);
	if (rc == FB_OK && offset != (long long)INT64_MIN) {
		*ahead_ms = -(int64_t)offset;
		*known = 1;
	}
	return rc;
}

void book_allow_deleted_refs(struct book *b)
{
	b->refs_may_be_deleted = 1;
}

enum fb_code book_meta_get(struct book *b, const char *key, char **out,
			   struct fb_error *err)
{
	return store_meta_get(b->st, key, out, err);
}

enum fb_code book_meta_int(struct book *b, const char *key, long long def,
			   long long *out, struct fb_error *err)
{
	return store_meta_int(b->st, key, def, out, err);
}

enum fb_code book_meta_set(struct book *b, const char *key, const char *value,
			   struct fb_error *err)
{
	return store_meta_set(b->st, key, value, err);
}

enum fb_code book_meta_set_int(struct book *b, const char *key, long long value,
			       struct fb_error *err)
{
	return store_meta_set_int(b->st, key, value, err);
}

enum fb_code book_verify(struct book *b, uint64_t *rows, uint64_t *entries,
			 struct fb_error *err)
{
	enum fb_code rc = store_integrity(b->st, err);

	return rc == FB_OK ? book_verify_chain(b, rows, entries, err) : rc;
}

enum fb_code book_report(struct book *b, int year, struct report *r, struct fb_error *err)
{
	const char *branch = b->branch;

	return report_build(b->st, &branch, 1, year, r, err);
}

/* One integer from sql, with an optional text parameter ?1. */
static enum fb_code one_int(struct book *b, const char *sql, const char *param,
			    long long *out, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc = store_prepare(b->st, sql, &q, err);
	int s = SQLITE_DONE;

	*out = 0;
	if (rc != FB_OK)
		return rc;
	if (param)
		sqlite3_bind_text(q, 1, param, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW)
		*out = sqlite3_column_int64(q, 0);
	else
		rc = store_fail(b->st, s, _("counting"), err);
	sqlite3_finalize(q);
	return rc;
}

enum fb_code book_count(struct book *b, enum rec_type t, int include_deleted,
			long long *n, struct fb_error *err)
{
	return one_int(b, include_deleted
		       ? "SELECT count(*) FROM record WHERE ?1 = '' OR type = ?1"
		       : "SELECT count(*) FROM record WHERE (?1 = '' OR type = ?1) AND deleted = 0",
		       t < REC_NTYPES ? model_type(t)->name : "", n, err);
}

/* book_conflict_fn: count one. */
static enum fb_code count_conflict(const struct book_conflict *k, void *ctx)
{
	(void)k;
	(*(long long *)ctx)++;
	return FB_OK;
}

enum fb_code book_status(struct book *b, struct book_status *st, struct fb_error *err)
{
	enum fb_code rc = FB_OK;
	int i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < REC_NTYPES && rc == FB_OK; i++)
		rc = one_int(b, "SELECT count(*) FROM record WHERE type = ?1 AND deleted = 0",
			     model_type((enum rec_type)i)->name, &st->live[i], err);
	if (rc == FB_OK)
		rc = one_int(b, "SELECT coalesce(max(seq + n - 1), 0) FROM journal WHERE device = ?1",
			     b->device, &st->entries, err);
	if (rc == FB_OK)
		rc = store_meta_int(b->st, "acked_seq", 0, &st->acked, err);
	if (rc == FB_OK)
		rc = book_each_conflict(b, 0, count_conflict, &st->conflicts, err);
	if (rc == FB_OK)
		rc = store_meta_get(b->st, "branch_name", &st->branch_name, err);
	if (rc == FB_OK)
		rc = store_meta_get(b->st, "remote_url", &st->remote, err);
	if (rc == FB_OK)
		rc = store_meta_get(b->st, "last_sync", &st->last_sync, err);
	/* The table exists once a hub has set an entry aside. */
	if (rc == FB_OK)
		rc = one_int(b, "SELECT count(*) FROM sqlite_master WHERE name = 'sync_rejected'",
			     NULL, &st->rejected, err);
	if (rc == FB_OK && st->rejected)
		rc = one_int(b, "SELECT count(*) FROM sync_rejected", NULL, &st->rejected, err);
	if (rc != FB_OK)
		book_status_release(st);
	return rc;
}

void book_status_release(struct book_status *st)
{
	free(st->branch_name);
	free(st->remote);
	free(st->last_sync);
	st->branch_name = st->remote = st->last_sync = NULL;
}

static const char *text(sqlite3_stmt *q, int col)
{
	const char *s = (const char *)sqlite3_column_text(q, col);

	return s ? s : "";
}

/* The device ids this laptop wrote under: its own, and those it had
 * before each fork. */
struct own_ids {
	char (*id)[FB_DEVICE_ID_MAX + 1];
	size_t n, cap;
};

static enum fb_code own_add(struct own_ids *o, const char *device)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 4;
		char (*v)[FB_DEVICE_ID_MAX + 1] = realloc(o->id, cap * sizeof(*v));

		if (!v)
			return FB_ENOMEM;
		o->id = v;
		o->cap = cap;
	}
	snprintf(o->id[o->n++], sizeof(o->id[0]), "%s", device);
	return FB_OK;
}

/* book_fork_fn: note the id a fork left. */
static enum fb_code own_fork(const struct book_fork_note *f, void *ctx)
{
	return own_add(ctx, f->old_device);
}

static int own_has(const struct own_ids *o, const char *device)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (!strcmp(o->id[i], device))
			return 1;
	return 0;
}

/* What decides which rows are inherited: the ids written here and the mark. */
static enum fb_code inheritance(struct book *b, struct own_ids *own, long long *mark,
				struct fb_error *err)
{
	enum fb_code rc;

	memset(own, 0, sizeof(*own));
	*mark = 0;
	if (!b->branch[0])
		return FB_OK;   /* a hub inherits nothing */
	if (own_add(own, b->device) != FB_OK)
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	rc = book_each_fork(b, own_fork, own, err);
	if (rc == FB_ENOMEM)
		rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
	if (rc == FB_OK)
		rc = store_meta_int(b->st, BOOK_CONFLICTS_JOINED, 0, mark, err);
	return rc;
}

enum fb_code book_each_conflict(struct book *b, int all, book_conflict_fn fn, void *ctx,
				struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	struct own_ids own;
	long long mark = 0;
	enum fb_code rc;
	int s = SQLITE_DONE;

	if ((rc = inheritance(b, &own, &mark, err)) != FB_OK)
		goto out;
	rc = store_prepare(b->st,
		"SELECT c.id, c.record_id, c.type, c.field, c.kind, c.winner_value,"
		" c.winner_device, c.loser_value, c.loser_device, c.resolved,"
		" coalesce(json_extract(r.vals, '$.' || c.field), ''),"
		" fb_conflict_id(c.record_id, c.field, c.loser_hlc, c.loser_device)"
		" FROM conflict c LEFT JOIN record r ON r.id = c.record_id"
		" WHERE c.resolved = 0 OR ?1 ORDER BY c.id", &q, err);
	if (rc != FB_OK)
		goto out;
	sqlite3_bind_int(q, 1, all);
	while (rc == FB_OK && (s = sqlite3_step(q)) == SQLITE_ROW) {
		struct book_conflict k = {
			.row = sqlite3_column_int64(q, 0), .id = text(q, 11),
			.record = text(q, 1), .type = text(q, 2), .field = text(q, 3),
			.kind = text(q, 4), .winner_value = text(q, 5),
			.winner_device = text(q, 6), .loser_value = text(q, 7),
			.loser_device = text(q, 8), .resolved = sqlite3_column_int(q, 9),
			.current = text(q, 10),
		};

		k.inherited = own.n && (mark < 0 || k.row <= mark) &&
			      !own_has(&own, k.winner_device) && !own_has(&own, k.loser_device);
		if (k.inherited && !all)
			continue;
		rc = fn(&k, ctx);
	}
	if (rc == FB_OK && s != SQLITE_DONE)
		rc = store_fail(b->st, s, _("reading conflicts"), err);
out:
	sqlite3_finalize(q);
	free(own.id);
	return rc;
}

enum fb_code book_pull_joining(struct book *b, int *joining, struct fb_error *err)
{
	long long mark = 0, others = 0;
	char *have = NULL;
	enum fb_code rc;

	*joining = 0;
	/* A hub pulling from the hub above inherits nothing: it lists all. */
	if (!b->branch[0])
		return FB_OK;
	if ((rc = store_meta_get(b->st, BOOK_CONFLICTS_JOINED, &have, err)) != FB_OK)
		return rc;
	if (have) {
		rc = store_meta_int(b->st, BOOK_CONFLICTS_JOINED, 0, &mark, err);
		free(have);
		*joining = rc == FB_OK && mark < 0;
		return rc;
	}
	/* A laptop that synced before (of an earlier release) or holds
	 * others' entries already took part: it inherits nothing. */
	if ((rc = store_meta_get(b->st, "last_sync", &have, err)) != FB_OK)
		return rc;
	others = have != NULL;
	free(have);
	if (!others && (rc = one_int(b, "SELECT count(*) FROM (SELECT 1 FROM journal"
				     " WHERE device <> ?1 LIMIT 1)", b->device, &others,
				     err)) != FB_OK)
		return rc;
	*joining = !others;
	return store_meta_set_int(b->st, BOOK_CONFLICTS_JOINED, others ? 0 : -1, err);
}

enum fb_code book_pull_joined(struct book *b, struct fb_error *err)
{
	long long mark = 0, last = 0;
	enum fb_code rc = store_meta_int(b->st, BOOK_CONFLICTS_JOINED, 0, &mark, err);

	if (rc != FB_OK || mark >= 0)
		return rc;      /* not catching up */
	rc = one_int(b, "SELECT coalesce(max(id), 0) FROM conflict", NULL, &last, err);
	return rc == FB_OK ? store_meta_set_int(b->st, BOOK_CONFLICTS_JOINED, last, err) : rc;
}

/* book_conflict_fn: the rows whose id begins with want->prefix. */
struct find {
	const char *prefix;
	long long row;
	size_t found;
	char seen[3 * (CONFLICT_ID_LEN + FB_RECORD_ID_MAX + 32)];
};

static enum fb_code find_one(const struct book_conflict *k, void *ctx)
{
	struct find *f = ctx;
	size_t len = strlen(f->seen);

	if (strncmp(k->id, f->prefix, strlen(f->prefix)))
		return FB_OK;
	f->row = k->row;
	if (f->found++ < 3)
		snprintf(f->seen + len, sizeof(f->seen) - len, "%s%s (%s %s, %s)",
			 len ? ", " : "", k->id, k->type, k->record, k->field);
	return FB_OK;
}

enum fb_code book_conflict_find(struct book *b, const char *text, long long *row,
				struct fb_error *err)
{
	char prefix[CONFLICT_ID_LEN + 1];
	struct find f;
	enum fb_code rc;

	*row = 0;
	if (!conflict_id_prefix(text, prefix))
		return fb_fail(err, FB_EINVAL, _("'%s' is not a conflict id (%d to %d hex digits,"
			         " as 'fieldbook conflicts' shows them)"), text, CONFLICT_ID_MIN,
			       CONFLICT_ID_LEN);
	memset(&f, 0, sizeof(f));
	f.prefix = prefix;
	if ((rc = book_each_conflict(b, 1, find_one, &f, err)) != FB_OK)
		return rc;
	if (!f.found)
		return fb_fail(err, FB_ENOENT, _("no conflict %s here (see 'fieldbook conflicts"
			         " --all')"), text);
	if (f.found > 1)
		return fb_fail(err, FB_EINVAL, _("conflict id %s is ambiguous here, %zu begin with"
			         " it: %s%s; give more of it"), text, f.found, f.seen,
			       f.found > 3 ? ", ..." : "");
	*row = f.row;
	return FB_OK;
}

enum fb_code book_each_change(struct book *b, const char *record_id, book_change_fn fn,
			      void *ctx, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s = SQLITE_DONE;

	rc = store_prepare(b->st,
			   "SELECT " BOOK_JOURNAL_COLUMNS " FROM journal"
			   " WHERE ?1 IS NULL OR record_id = ?1 ORDER BY cseq", &q, err);
	if (rc != FB_OK)
		return rc;
	if (record_id)
		sqlite3_bind_text(q, 1, record_id, -1, SQLITE_STATIC);
	while (rc == FB_OK && (s = sqlite3_step(q)) == SQLITE_ROW) {
		struct jchange c;

		rc = book_journal_row(q, 0, &c, err);
		if (rc == FB_OK)
			rc = fn(&c, ctx);
		jchange_release(&c);
	}
	if (rc == FB_OK && s != SQLITE_DONE)
		rc = store_fail(b->st, s, _("reading journal"), err);
	sqlite3_finalize(q);
	return rc;
}

enum fb_code book_each_link(struct book *b, const struct record *r, book_id_fn fn,
			    void *ctx, struct fb_error *err)
{
	/* By a training: its attendees, in the order of `list members`; by
	 * a member: her trainings, in the order of `list trainings`. */
	static const char *const sql[2] = {
		"SELECT json_extract(a.vals, '$.member_id') FROM record a"
		" JOIN record o ON o.id = json_extract(a.vals, '$.member_id') AND o.deleted = 0"
		" WHERE a.type = 'attendance' AND a.deleted = 0"
		" AND json_extract(a.vals, '$.training_id') = ?1"
		" ORDER BY fb_vi_name_key(json_extract(o.vals, '$.full_name')), o.id",
		"SELECT json_extract(a.vals, '$.training_id') FROM record a"
		" JOIN record o ON o.id = json_extract(a.vals, '$.training_id') AND o.deleted = 0"
		" WHERE a.type = 'attendance' AND a.deleted = 0"
		" AND json_extract(a.vals, '$.member_id') = ?1"
		" ORDER BY json_extract(o.vals, '$.start_date'),"
		" fb_vi_key(json_extract(o.vals, '$.title')), o.id",
	};
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s = SQLITE_DONE;

	if (r->type != REC_TRAINING && r->type != REC_MEMBER)
		return FB_OK;
	rc = store_prepare(b->st, sql[r->type == REC_MEMBER], &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, r->id, -1, SQLITE_STATIC);
	while (rc == FB_OK && (s = sqlite3_step(q)) == SQLITE_ROW)
		rc = fn(text(q, 0), ctx);
	if (rc == FB_OK && s != SQLITE_DONE)
		rc = store_fail(b->st, s, _("reading attendance"), err);
	sqlite3_finalize(q);
	return rc;
}

struct book_referred {
	sqlite3_stmt *has;
};

enum fb_code book_referred_open(struct book *b, const struct type_def *t,
				struct book_referred **out, int *any, struct fb_error *err)
{
	struct book_referred *r;
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s = SQLITE_DONE;

	*out = NULL;
	*any = 0;
	rc = store_exec(b->st,
		"DROP TABLE IF EXISTS temp.export_ref;"
		"CREATE TEMP TABLE export_ref(id TEXT PRIMARY KEY) WITHOUT ROWID;"
		"INSERT OR IGNORE INTO export_ref SELECT json_extract(vals, '$.member_id')"
		" FROM record WHERE deleted = 0 AND json_extract(vals, '$.member_id') IS NOT NULL;"
		"INSERT OR IGNORE INTO export_ref SELECT json_extract(vals, '$.training_id')"
		" FROM record WHERE deleted = 0 AND json_extract(vals, '$.training_id') IS NOT NULL;",
		err);
	if (rc != FB_OK)
		return rc;
	rc = store_prepare(b->st, "SELECT 1 FROM record WHERE deleted = 1"
			   " AND (?1 IS NULL OR type = ?1) AND id IN (SELECT id FROM export_ref)"
			   " LIMIT 1", &q, err);
	if (rc != FB_OK)
		return rc;
	if (t)
		sqlite3_bind_text(q, 1, t->name, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW)
		*any = 1;
	else if (s != SQLITE_DONE)
		rc = store_fail(b->st, s, _("export"), err);
	sqlite3_finalize(q);
	if (rc != FB_OK)
		return rc;
	if (!(r = calloc(1, sizeof(*r))))
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	rc = store_prepare(b->st, "SELECT 1 FROM export_ref WHERE id = ?1", &r->has, err);
	if (rc != FB_OK) {
		book_referred_close(r);
		return rc;
	}
	*out = r;
	return FB_OK;
}

int book_referred_has(struct book_referred *r, const char *id)
{
	int yes;

	sqlite3_bind_text(r->has, 1, id, -1, SQLITE_STATIC);
	yes = sqlite3_step(r->has) == SQLITE_ROW;
	sqlite3_reset(r->has);
	return yes;
}

void book_referred_close(struct book_referred *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->has);
	free(r);
}

enum fb_code book_note_rejected(struct book *b, long long seq, const char *reason,
				struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s = SQLITE_DONE;

	rc = store_exec(b->st, "CREATE TABLE IF NOT EXISTS sync_rejected("
			"seq INTEGER PRIMARY KEY, reason TEXT NOT NULL)", err);
	if (rc == FB_OK)
		rc = store_prepare(b->st, "INSERT OR REPLACE INTO sync_rejected(seq, reason)"
				   " VALUES(?1, ?2)", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_int64(q, 1, seq);
	sqlite3_bind_text(q, 2, reason, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	if (s != SQLITE_DONE)
		rc = store_fail(b->st, s, _("saving"), err);
	sqlite3_finalize(q);
	return rc;
}
