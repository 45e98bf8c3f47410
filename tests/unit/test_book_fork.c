/*
 * test_book_fork.c - a laptop's book continued under a new device id
 * (book_fork): two books made from one file copy that both record,
 * one re-homed at the divergence point; what it moves and renames
 * (journal, bases, record stamps, conflict log, meta), what it leaves,
 * that the two then converge, failures that leave the book as it was,
 * and what `fieldbook status` says afterwards.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "book.h"
#include "book_internal.h"
#include "book_view.h"
#include "tap.h"

#define BRANCH      "HN.PL.TT.03"
#define FOREIGN     "feedfacefeedface"
#define HOUR_MS     (60ULL * 60 * 1000)
#define MAX_CHANGES 256

static char tmpdir[64];
static char fieldbook[512];     /* the collector program, "" when unknown */
static fb_hlc t0;               /* an hour ago */

/* --- helpers --------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(path);
}

static void path_in_tmp(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", tmpdir, name);
}

static struct book *open_book(const char *name)
{
	char path[256];
	struct fb_error err;
	struct book *b = NULL;

	path_in_tmp(path, sizeof(path), name);
	if (book_open(path, NULL, &b, &err) != FB_OK) {
		printf("# cannot open book %s: %s\n", path, err.msg);
		abort();
	}
	return b;
}

static struct book *new_book(const char *name)
{
	char path[256];
	struct fb_error err;

	path_in_tmp(path, sizeof(path), name);
	if (book_create(path, BRANCH, "Chi hội 3", &err) != FB_OK) {
		printf("# cannot make book %s: %s\n", path, err.msg);
		abort();
	}
	return open_book(name);
}

/* Copy the closed book's file, as a restore or a copy to a laptop does. */
static void copy_file(const char *from, const char *to)
{
	char src[256], dst[256], chunk[8192];
	FILE *in, *out;
	size_t n;

	path_in_tmp(src, sizeof(src), from);
	path_in_tmp(dst, sizeof(dst), to);
	in = fopen(src, "rb");
	out = fopen(dst, "wb");
	if (!in || !out)
		abort();
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		if (fwrite(chunk, 1, n, out) != n)
			abort();
	fclose(in);
	if (fclose(out) != 0)
		abort();
}

static long long q_int(struct book *b, const char *sql, const char *p1)
{
	sqlite3_stmt *q = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(b->st->db, sql, -1, &q, NULL) != SQLITE_OK) {
		printf("# bad query %s: %s\n", sql, sqlite3_errmsg(b->st->db));
		return -1;
	}
	if (p1)
		sqlite3_bind_text(q, 1, p1, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* Every row the query gives, columns '|' apart, rows '\n' apart (malloc'd). */
static char *dump(struct book *b, const char *sql, const char *p1)
{
	sqlite3_stmt *q = NULL;
	char *out = calloc(1, 1);
	size_t len = 0;
	int i;

	if (!out || sqlite3_prepare_v2(b->st->db, sql, -1, &q, NULL) != SQLITE_OK) {
		printf("# bad query %s: %s\n", sql, sqlite3_errmsg(b->st->db));
		abort();
	}
	if (p1)
		sqlite3_bind_text(q, 1, p1, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(q); i++) {
			const char *t = (const char *)sqlite3_column_text(q, i);
			size_t tl = t ? strlen(t) : 0;

			out = realloc(out, len + tl + 2);
			if (!out)
				abort();
			memcpy(out + len, t ? t : "", tl);
			len += tl;
			out[len++] = i + 1 < sqlite3_column_count(q) ? '|' : '\n';
			out[len] = '\0';
		}
	}
	sqlite3_finalize(q);
	return out;
}

#define SQL_RECORDS  "SELECT id, type, branch, deleted, vals, clk FROM record ORDER BY id"
/* Stamps as text, so that renaming one is a renaming of its text. */
#define SQL_CONFLICTS \
	"SELECT id, record_id, field, kind, winner_value," \
	" printf('%016llx:', winner_hlc) || winner_device, loser_value," \
	" printf('%016llx:', loser_hlc) || loser_device, resolved FROM conflict ORDER BY id"
/* The journal's content, in commit order, without who numbered it. */
#define SQL_CONTENT \
	"SELECT cseq, n, printf('%016llx', hlc), record_id, type, branch, body" \
	" FROM journal ORDER BY cseq"
#define SQL_JOURNAL \
	"SELECT cseq, device, seq, n, hlc, record_id, body, hex(hash), quarantined" \
	" FROM journal ORDER BY cseq"
#define SQL_META "SELECT key, value FROM meta ORDER BY key"

/* In s, every "<hlc>:<old>" of the given HLCs becomes "<hlc>:<fresh>". */
static void rename_in(char *s, const fb_hlc *hlcs, size_t n, const char *old,
		      const char *fresh)
{
	char from[64], to[64];
	size_t i;
	char *p;

	for (i = 0; i < n; i++) {
		char hex[17];

		hlc_format(hlcs[i], hex);
		snprintf(from, sizeof(from), "%s:%s", hex, old);
		snprintf(to, sizeof(to), "%s:%s", hex, fresh);
		if (strlen(from) != strlen(to))
			abort();
		for (p = strstr(s, from); p; p = strstr(p + strlen(to), from))
			memcpy(p, to, strlen(to));
	}
}

/* The HLCs of device's rows from sequence `from` on, into out[0..*n). */
static void hlcs_from(struct book *b, const char *device, uint64_t from,
		      fb_hlc *out, size_t max, size_t *n)
{
	sqlite3_stmt *q = NULL;

	*n = 0;
	if (sqlite3_prepare_v2(b->st->db, "SELECT hlc FROM journal WHERE device = ?1"
			       " AND seq >= ?2 ORDER BY seq", -1, &q, NULL) != SQLITE_OK)
		abort();
	sqlite3_bind_text(q, 1, device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)from);
	while (*n < max && sqlite3_step(q) == SQLITE_ROW)
		out[(*n)++] = (fb_hlc)sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
}

/*
 * 1 when device's rows are numbered 1, 2, ... without a gap or overlap;
 * *entries is their number of entries.
 */
static int numbered_from_one(struct book *b, const char *device, long long *entries)
{
	sqlite3_stmt *q = NULL;
	long long expect = 1;
	int good = 1;

	if (sqlite3_prepare_v2(b->st->db, "SELECT seq, n FROM journal WHERE device = ?1"
			       " ORDER BY seq", -1, &q, NULL) != SQLITE_OK)
		abort();
	sqlite3_bind_text(q, 1, device, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (sqlite3_column_int64(q, 0) != expect)
			good = 0;
		expect = sqlite3_column_int64(q, 0) + sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	*entries = expect - 1;
	return good;
}

static enum fb_code verify(struct book *b, struct fb_error *err)
{
	uint64_t rows, entries;

	fb_error_clear(err);
	return book_verify_chain(b, &rows, &entries, err);
}

static void add_member(struct book *b, const char *name, char *id)
{
	struct field_value fv[] = { { "full_name", name }, { "role", "member" } };
	struct fb_error err;

	if (book_add(b, REC_MEMBER, NULL, fv, 2, id, &err) != FB_OK) {
		printf("# add %s: %s\n", name, err.msg);
		abort();
	}
}

static void set_field(struct book *b, const char *id, const char *field,
		      const char *value)
{
	struct field_value fv[] = { { field, value } };
	struct fb_error err;

	if (book_edit(b, id, fv, 1, NULL, &err) != FB_OK) {
		printf("# edit %s %s: %s\n", id, field, err.msg);
		abort();
	}
}

static struct fb_stamp stamp_of(struct book *b, const char *id, const char *field)
{
	struct fb_stamp s;
	struct record *r = NULL;
	int i;

	memset(&s, 0, sizeof(s));
	if (book_get(b, id, &r, NULL) != FB_OK)
		return s;
	i = model_field_index(model_type(r->type), field);
	if (i >= 0)
		s = r->stamp[i];
	record_free(r);
	return s;
}

/*
 * A one-entry change of FOREIGN, chained after what b holds of it, as a
 * peer pushing through b would send it.
 */
static enum fb_code foreign(struct book *b, fb_hlc hlc, const char *id,
			    const char *field, const char *value,
			    const struct fb_stamp *base)
{
	unsigned char prev[JOURNAL_HASH_LEN];
	struct fb_error err;
	struct jchange c;
	uint64_t last = 0;
	enum fb_code rc;

	if (book_device_head(b, FOREIGN, &last, prev, &err) != FB_OK)
		return err.code;
	jchange_init(&c);
	snprintf(c.device, sizeof(c.device), "%s", FOREIGN);
	c.seq = last + 1;
	c.hlc = hlc;
	snprintf(c.record_id, sizeof(c.record_id), "%s", id);
	c.type = REC_MEMBER;
	snprintf(c.branch, sizeof(c.branch), "%s", BRANCH);
	rc = jchange_add(&c, field, value, base);
	if (rc == FB_OK && (rc = journal_hash(prev, &c)) == FB_OK) {
		fb_error_clear(&err);
		rc = book_apply(b, &c, BOOK_HASHED, NULL, &err);
		if (rc != FB_OK)
			printf("# foreign %s: %s\n", field, err.msg);
	}
	jchange_release(&c);
	return rc;
}

/*
 * Give to `to` every change of from's own device after `after`, as the
 * hub's pull would (BOOK_FROM_HUB, device, sequence and hash as stored).
 * *applied counts those merged, *skipped the replays.
 */
static enum fb_code pull_from(struct book *to, struct book *from, uint64_t after,
			      int *applied, int *skipped)
{
	static struct jchange c[MAX_CHANGES];
	struct fb_error err;
	enum fb_code rc;
	size_t n = 0, i;

	*applied = *skipped = 0;
	fb_error_clear(&err);
	rc = book_own_changes(from, after, c, MAX_CHANGES, SIZE_MAX, &n, &err);
	for (i = 0; i < n; i++) {
		int did = 0;

		if (rc == FB_OK) {
			rc = book_apply(to, &c[i], BOOK_FROM_HUB, &did, &err);
			if (rc != FB_OK)
				printf("# pull %s %llu: %s\n", c[i].device,
				       (unsigned long long)c[i].seq, err.msg);
			*(did ? applied : skipped) += 1;
		}
		jchange_release(&c[i]);
	}
	return rc;
}

/* Each fork noted, into the first empty one of ctx[0..FORKS_KEPT). */
#define FORKS_KEPT 3
static enum fb_code keep_forks(const struct book_fork_note *f, void *ctx)
{
	struct book_fork_note *all = ctx;
	size_t i;

	for (i = 0; i < FORKS_KEPT && all[i].old_device[0]; i++)
		;
	if (i < FORKS_KEPT)
		all[i] = *f;
	return FB_OK;
}

/* A string member of a JSON object, "" when there is none. */
static const char *json_str(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return v ? v : "";
}

/* What `fieldbook status` says of b.db (the program, when it is built). */
static void status_says(const char *old, const char *fresh, size_t moved)
{
	char path[256], cmd[1024], line[512], want[256];
	cJSON *doc = NULL, *forks, *f;
	char *json = NULL;
	size_t len = 0;
	int found = 0;
	FILE *p;

	if (!fieldbook[0] || access(fieldbook, X_OK) != 0) {
		printf("ok %d # skip no fieldbook program at '%s'\n", ++tap_n, fieldbook);
		printf("ok %d # skip\n", ++tap_n);
		return;
	}
	path_in_tmp(path, sizeof(path), "b.db");
	snprintf(want, sizeof(want), "forked:    a restore or copy; device %s went on as new"
		 " device %s (%zu changes moved)", old, fresh, moved);
	snprintf(cmd, sizeof(cmd), "'%s' --db '%s' status", fieldbook, path);
	if ((p = popen(cmd, "r"))) {
		while (fgets(line, sizeof(line), p)) {
			line[strcspn(line, "\n")] = '\0';
			found |= !strcmp(line, want);
		}
		pclose(p);
	}
	ok(found, "status: %s", want);
	snprintf(cmd, sizeof(cmd), "'%s' --db '%s' status --json", fieldbook, path);
	if ((p = popen(cmd, "r"))) {
		while (fgets(line, sizeof(line), p)) {
			size_t l = strlen(line);
			char *more = realloc(json, len + l + 1);

			if (!more)
				abort();
			json = more;
			memcpy(json + len, line, l + 1);
			len += l;
		}
		pclose(p);
	}
	doc = json ? cJSON_Parse(json) : NULL;
	forks = cJSON_GetObjectItemCaseSensitive(doc, "forks");
	f = cJSON_GetArrayItem(forks, 0);
	ok(cJSON_GetArraySize(forks) == 1 &&
	   !strcmp(json_str(f, "old_device"), old) && !strcmp(json_str(f, "new_device"), fresh) &&
	   cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(f, "moved")) == (double)moved,
	   "status --json: forks [{old_device, new_device, from, moved}]");
	cJSON_Delete(doc);
	free(json);
}

/* --- two books from one file ------------------------------------------- */

struct copies {
	struct book *a, *b;
	char old[FB_DEVICE_ID_MAX + 1];
	uint64_t from;                  /* the first sequence written after the copy */
	char m1[FB_RECORD_ID_MAX + 1], m2[FB_RECORD_ID_MAX + 1],
	     ma[FB_RECORD_ID_MAX + 1], mb[FB_RECORD_ID_MAX + 1];
	fb_hlc pre_phone;               /* m1's phone before the copy */
	fb_hlc f_late;                  /* FOREIGN's change stamped after b's */
};

/*
 * a records, then its file is copied to b (closed, as a restore copies
 * it), and both record on.  b also meets FOREIGN, so that its log holds
 * conflicts whose winner and loser are b's writes after the copy.
 */
static void make_copies(struct copies *k)
{
	struct fb_error err;

	memset(k, 0, sizeof(*k));
	k->a = new_book("a.db");
	add_member(k->a, "Nguyễn Thị Lan", k->m1);
	add_member(k->a, "Trần Thị Mai", k->m2);
	set_field(k->a, k->m1, "phone", "0912");
	k->pre_phone = stamp_of(k->a, k->m1, "phone").hlc;
	/* Before the copy: a conflict whose winner is a write of the old id
	 * that stays. */
	is_int(foreign(k->a, t0, k->m1, "phone", "0900", NULL), FB_OK,
	       "before the copy: a concurrent older phone of m1 from another device");
	snprintf(k->old, sizeof(k->old), "%s", book_device(k->a));
	k->from = book_last_seq(k->a) + 1;
	book_close(k->a);
	copy_file("a.db", "b.db");
	k->a = open_book("a.db");
	k->b = open_book("b.db");
	is_str(book_device(k->b), k->old, "the copy has the same device id");

	/* a goes on, and the hub takes its entries (it synced first). */
	add_member(k->a, "Lê Thị Hoa", k->ma);
	set_field(k->a, k->m2, "phone", "0933");
	set_field(k->a, k->m1, "notes", "a: notes");

	/* b goes on with other content under the same sequences. */
	set_field(k->b, k->m1, "phone", "0913");   /* base: the write before the copy */
	set_field(k->b, k->m1, "phone", "0914");   /* base: b's own write after it */
	add_member(k->b, "Phạm Thị Thu", k->mb);
	set_field(k->b, k->mb, "role", "branch_deputy");
	set_field(k->b, k->mb, "phone", "0955");
	fb_error_clear(&err);
	is_int(book_set_deleted(k->b, k->m2, 1, &err), FB_OK, "b deletes m2");
	/* An older concurrent role (b's write wins) and a newer concurrent
	 * phone (b's write loses). */
	is_int(foreign(k->b, t0 + 1, k->mb, "role", "official", NULL), FB_OK,
	       "b meets an older concurrent role of mb");
	k->f_late = HLC_MAKE(hlc_wall_ms() + HOUR_MS, 0);
	is_int(foreign(k->b, k->f_late, k->mb, "phone", "0966", NULL), FB_OK,
	       "b meets a newer concurrent phone of mb");
	set_field(k->b, k->mb, "notes", "b: after the clock jumped");
}

static void test_two_copies(void)
{
	struct copies k;
	struct fb_error err;
	char old_out[FB_DEVICE_ID_MAX + 1], fresh[FB_DEVICE_ID_MAX + 1];
	char *pre_records, *pre_conflicts, *pre_content, *pre_old_rows, *post, *a_old_rows;
	char fork_note[256], sql_old_rows[256], *meta_val = NULL;
	fb_hlc moved_hlcs[MAX_CHANGES];
	size_t n_moved = 0, moved = 99;
	long long entries = 0, rows_after, old_rows;
	struct fb_stamp s;
	int applied, skipped;
	struct book_fork_note notes[FORKS_KEPT];

	make_copies(&k);
	hlcs_from(k.b, k.old, k.from, moved_hlcs, MAX_CHANGES, &n_moved);
	ok(n_moved >= 7, "b wrote %zu changes after the copy", n_moved);
	pre_records = dump(k.b, SQL_RECORDS, NULL);
	pre_conflicts = dump(k.b, SQL_CONFLICTS, NULL);
	pre_content = dump(k.b, SQL_CONTENT, NULL);
	rows_after = q_int(k.b, "SELECT count(*) FROM journal", NULL);
	old_rows = q_int(k.b, "SELECT count(*) FROM journal WHERE device = ?1", k.old) -
		   (long long)n_moved;
	snprintf(sql_old_rows, sizeof(sql_old_rows), "SELECT seq, n, hlc, body, hex(hash)"
		 " FROM journal WHERE device = ?1 AND seq < %llu ORDER BY seq",
		 (unsigned long long)k.from);
	pre_old_rows = dump(k.b, sql_old_rows, k.old);
	is_int(q_int(k.b, "SELECT count(*) FROM conflict", NULL), 3,
	       "b's log holds three conflicts before the fork");
	fb_error_clear(&err);
	is_int(book_meta_set(k.b, "remote_url", "https://hub.example/", &err), FB_OK,
	       "b has a hub");
	is_int(book_meta_set(k.b, "remote_token", "fbt_secret", &err), FB_OK, "...and a token");
	is_int(book_meta_set_int(k.b, "acked_seq", 2, &err), FB_OK, "...acknowledged 2");
	is_int(book_meta_set_int(k.b, "pull_cursor", 17, &err), FB_OK, "...pulled to 17");
	is_int(book_meta_set(k.b, "last_sync", "2026-11-27T15:34:02Z", &err), FB_OK,
	       "...synced once");
	is_int(book_note_rejected(k.b, 2, "role: not a code", &err), FB_OK,
	       "...and the hub set entry 2 aside");

	/* The fork. */
	is_int(book_fork(k.b, k.from, old_out, &moved, &err), FB_OK,
	       "book_fork at the divergence point (%s)", err.msg);
	snprintf(fresh, sizeof(fresh), "%s", book_device(k.b));
	is_str(old_out, k.old, "old_device is the id before");
	ok(strcmp(fresh, k.old) && strlen(fresh) == FB_DEVICE_ID_LEN &&
	   journal_valid_device(fresh), "a new device id of %d hex digits (%s)",
	   FB_DEVICE_ID_LEN, fresh);
	is_int(moved, n_moved, "*moved counts the changes re-issued");
	is_int(verify(k.b, &err), FB_OK, "verify passes after the fork (%s)", err.msg);

	/* The journal. */
	ok(numbered_from_one(k.b, fresh, &entries), "the new id's changes are numbered from 1");
	is_int(q_int(k.b, "SELECT count(*) FROM journal WHERE device = ?1", fresh), n_moved,
	       "...one for each change moved");
	is_int(book_last_seq(k.b), entries, "the book's last sequence is the new id's (%lld)",
	       entries);
	is_int(q_int(k.b, "SELECT count(*) FROM journal WHERE device = ?1", k.old), old_rows,
	       "the old id keeps its rows before the fork point");
	is_int(q_int(k.b, "SELECT max(seq + n - 1) FROM journal WHERE device = ?1", k.old),
	       k.from - 1, "...and none from it on");
	is_int(q_int(k.b, "SELECT count(*) FROM journal", NULL), rows_after,
	       "no row is added or lost");
	post = dump(k.b, sql_old_rows, k.old);
	is_str(post, pre_old_rows, "the old id's rows are untouched");
	a_old_rows = dump(k.a, sql_old_rows, k.old);
	is_str(post, a_old_rows, "...and what the other copy (and the hub) holds");
	free(post);
	free(a_old_rows);
	rename_in(pre_content, moved_hlcs, n_moved, k.old, fresh);
	post = dump(k.b, SQL_CONTENT, NULL);
	is_str(post, pre_content,
	       "the journal's content and commit order are as they were, bases of moved writes renamed");
	free(post);

	/* Bases. */
	{
		sqlite3_stmt *q = NULL;
		char base13[STAMP_TEXT_MAX] = "", base14[STAMP_TEXT_MAX] = "",
		     baserole[STAMP_TEXT_MAX] = "", want[STAMP_TEXT_MAX];
		struct fb_stamp pre = { k.pre_phone, "" }, b13;

		if (sqlite3_prepare_v2(k.b->st->db, "SELECT json_extract(body, '$[0][1]'),"
				       " json_extract(body, '$[0][0]'), json_extract(body, '$[0][2]')"
				       " FROM journal WHERE device = ?1", -1, &q, NULL) != SQLITE_OK)
			abort();
		sqlite3_bind_text(q, 1, fresh, -1, SQLITE_STATIC);
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *v = (const char *)sqlite3_column_text(q, 0),
				   *f = (const char *)sqlite3_column_text(q, 1),
				   *base = (const char *)sqlite3_column_text(q, 2);

			if (!strcmp(v, "0913"))
				snprintf(base13, sizeof(base13), "%s", base);
			else if (!strcmp(v, "0914"))
				snprintf(base14, sizeof(base14), "%s", base);
			else if (!strcmp(f, "role") && !strcmp(v, "branch_deputy"))
				snprintf(baserole, sizeof(baserole), "%s", base);
		}
		sqlite3_finalize(q);
		snprintf(pre.device, sizeof(pre.device), "%s", k.old);
		stamp_format(&pre, want);
		is_str(base13, want, "a base naming a write before the fork point keeps the old id");
		ok(stamp_parse(base13, &b13) == FB_OK, "...it reads");
		ok(strstr(base14, fresh) != NULL && strlen(base14) == strlen(want),
		   "a base naming a moved write names the new id (%s)", base14);
		ok(strstr(baserole, fresh) != NULL,
		   "...in a change of a record made after the copy too (%s)", baserole);
	}

	/* Record state and conflict log. */
	rename_in(pre_records, moved_hlcs, n_moved, k.old, fresh);
	post = dump(k.b, SQL_RECORDS, NULL);
	is_str(post, pre_records, "every record's values and stamps are as they were, renamed");
	free(post);
	s = stamp_of(k.b, k.m1, "phone");
	is_str(s.device, fresh, "m1's phone carries the new id");
	s = stamp_of(k.b, k.m1, "full_name");
	is_str(s.device, k.old, "m1's name, written before the copy, keeps the old id");
	rename_in(pre_conflicts, moved_hlcs, n_moved, k.old, fresh);
	post = dump(k.b, SQL_CONFLICTS, NULL);
	is_str(post, pre_conflicts, "the conflict log is as it was, renamed");
	free(post);
	is_int(q_int(k.b, "SELECT count(*) FROM conflict WHERE field = 'phone'"
		     " AND record_id IN (SELECT id FROM record WHERE json_extract(vals,"
		     " '$.full_name') = 'Nguyễn Thị Lan') AND winner_device = ?1", k.old), 1,
	       "the conflict won by a write before the copy keeps the old id");
	is_int(q_int(k.b, "SELECT count(*) FROM conflict WHERE field = 'role'"
		     " AND winner_device = ?1 AND loser_device = '" FOREIGN "'", fresh), 1,
	       "the conflict a moved write won names the new id as winner");
	is_int(q_int(k.b, "SELECT count(*) FROM conflict WHERE field = 'phone'"
		     " AND loser_device = ?1 AND winner_device = '" FOREIGN "'", fresh), 1,
	       "the conflict a moved write lost names the new id as loser");

	/* Meta. */
	snprintf(fork_note, sizeof(fork_note), "%s:%llu:%zu:%s", k.old,
		 (unsigned long long)k.from, n_moved, fresh);
	is_int(book_meta_get(k.b, "forked_from", &meta_val, &err), FB_OK, "meta forked_from");
	is_str(meta_val, fork_note, "...is old:from:moved:new");
	free(meta_val);
	meta_val = NULL;
	ok(book_meta_get(k.b, "device", &meta_val, &err) == FB_OK && meta_val &&
	   !strcmp(meta_val, fresh), "meta device is the new id");
	free(meta_val);
	meta_val = NULL;
	is_int(q_int(k.b, "SELECT value FROM meta WHERE key = 'acked_seq'", NULL), 0,
	       "acked_seq starts again at 0");
	is_int(q_int(k.b, "SELECT value FROM meta WHERE key = 'pull_cursor'", NULL), 0,
	       "pull_cursor starts again at 0");
	is_int(q_int(k.b, "SELECT count(*) FROM sqlite_master WHERE name = 'sync_rejected'",
		     NULL), 0, "the hub's reasons about the old id's entries are dropped");
	ok(book_meta_get(k.b, "remote_token", &meta_val, &err) == FB_OK && meta_val &&
	   !strcmp(meta_val, "fbt_secret"), "the token is kept");
	free(meta_val);
	meta_val = NULL;
	ok(book_meta_get(k.b, "remote_url", &meta_val, &err) == FB_OK && meta_val &&
	   !strcmp(meta_val, "https://hub.example/"), "the hub's URL is kept");
	free(meta_val);
	meta_val = NULL;
	ok(book_meta_get(k.b, "last_sync", &meta_val, &err) == FB_OK && meta_val,
	   "last_sync is kept");
	free(meta_val);
	meta_val = NULL;
	memset(notes, 0, sizeof(notes));
	is_int(book_each_fork(k.b, keep_forks, notes, &err), FB_OK, "book_each_fork");
	ok(!strcmp(notes[0].old_device, k.old) && !strcmp(notes[0].new_device, fresh) &&
	   notes[0].from == k.from && notes[0].moved == n_moved,
	   "...the fork: old id, new id, fork point and changes moved");
	ok(!notes[1].old_device[0], "...and no other");
	{
		struct book_status st;

		is_int(book_status(k.b, &st, &err), FB_OK, "book_status");
		is_int(st.entries, entries, "status: the journal's entries are the new id's");
		is_int(st.entries - st.acked, entries, "...all of them to send");
		is_int(st.rejected, 0, "...and none set aside");
		book_status_release(&st);
	}

	/* The copies meet again through the hub. */
	is_int(pull_from(k.b, k.a, 0, &applied, &skipped), FB_OK,
	       "b takes every change of the old id the hub holds (%s)", err.msg);
	is_int(skipped, old_rows, "...those before the fork point are replays");
	is_int(applied, 3, "...the other copy's three changes merge as another device's");
	is_int(pull_from(k.a, k.b, 0, &applied, &skipped), FB_OK,
	       "a takes the new id's changes");
	is_int(applied, n_moved, "...all %zu of them", n_moved);
	is_int(foreign(k.a, t0 + 1, k.mb, "role", "official", NULL), FB_OK,
	       "a takes FOREIGN's role of mb");
	is_int(foreign(k.a, k.f_late, k.mb, "phone", "0966", NULL), FB_OK,
	       "...and its phone");
	free(pre_records);
	pre_records = dump(k.a, SQL_RECORDS, NULL);
	post = dump(k.b, SQL_RECORDS, NULL);
	is_str(post, pre_records, "the two books converge: same records, values and stamps");
	free(post);
	is_int(verify(k.a, &err), FB_OK, "a verifies (%s)", err.msg);
	is_int(verify(k.b, &err), FB_OK, "b verifies, the old id's chain continued by a's (%s)",
	       err.msg);
	is_int(q_int(k.b, "SELECT count(*) FROM record WHERE json_extract(vals,"
		     " '$.full_name') = 'Lê Thị Hoa'", NULL), 1,
	       "b holds the member the other copy added");
	is_int(q_int(k.a, "SELECT count(*) FROM record WHERE json_extract(vals,"
		     " '$.full_name') = 'Phạm Thị Thu'", NULL), 1,
	       "a holds the member b added");
	{
		char id[FB_RECORD_ID_MAX + 1];

		add_member(k.b, "Đỗ Thị Hằng", id);
	}
	is_int(q_int(k.b, "SELECT seq FROM journal WHERE device = ?1 ORDER BY seq DESC LIMIT 1",
		     fresh), entries + 1, "a local edit after the fork continues the new chain");
	is_int(verify(k.b, &err), FB_OK, "...and verifies");
	book_close(k.b);
	k.b = open_book("b.db");
	is_str(book_device(k.b), fresh, "reopened from disk, the book is the new id");
	is_int(book_last_seq(k.b), entries + 2, "...at the same sequence");
	is_int(verify(k.b, &err), FB_OK, "...and verifies (%s)", err.msg);
	set_field(k.b, k.mb, "phone", "0977");
	is_int(q_int(k.b, "SELECT seq FROM journal WHERE device = ?1 ORDER BY seq DESC LIMIT 1",
		     fresh), entries + 3, "...and its next edit takes the next sequence");
	status_says(k.old, fresh, n_moved);

	free(pre_records);
	free(pre_conflicts);
	free(pre_content);
	free(pre_old_rows);
	book_close(k.a);
	book_close(k.b);
}

/* --- a fork point at or past the end, or inside a change ------------ */

static void test_nothing_to_move(void)
{
	struct book *c = new_book("c.db");
	char id[FB_RECORD_ID_MAX + 1], old[FB_DEVICE_ID_MAX + 1] = "x",
	     first[FB_DEVICE_ID_MAX + 1], got[FB_DEVICE_ID_MAX + 1];
	struct book_fork_note all[FORKS_KEPT];
	struct fb_error err;
	size_t moved = 99;
	long long entries;

	add_member(c, "Nguyễn Thị Lan", id);
	set_field(c, id, "phone", "0912");
	snprintf(old, sizeof(old), "%s", book_device(c));
	fb_error_clear(&err);
	is_int(book_fork(c, book_last_seq(c) + 1, got, &moved, &err), FB_OK,
	       "fork at the last sequence + 1 (%s)", err.msg);
	is_int(moved, 0, "...moves nothing");
	is_str(got, old, "...names the id before");
	ok(strcmp(book_device(c), old) != 0, "...and still takes a new id");
	is_int(book_last_seq(c), 0, "...whose chain is empty");
	is_int(q_int(c, "SELECT count(*) FROM journal WHERE device = ?1", old), 2,
	       "the old id keeps both its changes");
	is_int(verify(c, &err), FB_OK, "verify passes (%s)", err.msg);
	set_field(c, id, "phone", "0913");
	is_int(q_int(c, "SELECT seq FROM journal WHERE device = ?1", book_device(c)), 1,
	       "the next edit is the new id's first");
	ok(numbered_from_one(c, book_device(c), &entries) && entries == 1, "...alone in its chain");
	snprintf(first, sizeof(first), "%s", book_device(c));
	is_int(book_fork(c, UINT64_MAX, NULL, NULL, &err), FB_OK,
	       "a second fork, far past the end, with no outputs asked (%s)", err.msg);
	ok(strcmp(book_device(c), first) && strcmp(book_device(c), old), "...takes a third id");
	is_int(verify(c, &err), FB_OK, "...verifies (%s)", err.msg);
	memset(all, 0, sizeof(all));
	is_int(book_each_fork(c, keep_forks, all, &err), FB_OK, "book_each_fork");
	ok(!strcmp(all[0].old_device, old) && !strcmp(all[0].new_device, first) &&
	   all[0].from == 4 && all[0].moved == 0, "...the first fork");
	ok(!strcmp(all[1].old_device, first) && !strcmp(all[1].new_device, book_device(c)) &&
	   all[1].from == UINT64_MAX && all[1].moved == 0, "...then the second");
	ok(!all[2].old_device[0], "...and no more");
	book_close(c);
}

static void test_inside_a_change(void)
{
	struct book *d = new_book("d.db");
	char m1[FB_RECORD_ID_MAX + 1], m2[FB_RECORD_ID_MAX + 1], old[FB_DEVICE_ID_MAX + 1];
	struct book_fork_note all[FORKS_KEPT];
	struct fb_error err;
	size_t moved = 0;
	long long entries;

	add_member(d, "Nguyễn Thị Lan", m1);   /* entries 1-2 */
	add_member(d, "Trần Thị Mai", m2);     /* entries 3-4 */
	set_field(d, m1, "phone", "0912");      /* entry 5 */
	fb_error_clear(&err);
	is_int(book_fork(d, 4, old, &moved, &err), FB_OK,
	       "fork at entry 4, inside the change 3-4 (%s)", err.msg);
	is_int(moved, 2, "...moves that change whole, and the one after");
	is_int(q_int(d, "SELECT max(seq + n - 1) FROM journal WHERE device = ?1", old), 2,
	       "...the old id keeps entries 1-2");
	ok(numbered_from_one(d, book_device(d), &entries) && entries == 3,
	   "...the new id has 1-3");
	memset(all, 0, sizeof(all));
	is_int(book_each_fork(d, keep_forks, all, &err), FB_OK, "book_each_fork");
	is_int(all[0].from, 3, "...the fork point noted is the change's first entry");
	is_int(verify(d, &err), FB_OK, "verify passes (%s)", err.msg);
	snprintf(old, sizeof(old), "%s", book_device(d));
	is_int(book_fork(d, 1, NULL, &moved, &err), FB_OK, "a fork at 1 (%s)", err.msg);
	is_int(moved, 2, "...moves every change of the id");
	is_int(q_int(d, "SELECT count(*) FROM journal WHERE device = ?1", old), 0,
	       "...and leaves it none");
	ok(numbered_from_one(d, book_device(d), &entries) && entries == 3,
	   "...the newest id has 1-3");
	is_int(verify(d, &err), FB_OK, "verify passes (%s)", err.msg);
	book_close(d);
}

/*
 * A delete that moves names, in its seen vector, the writes it saw.
 * Those that moved with it take the new id there too, in the journal
 * and in the record; a write that stays keeps the old id.  Otherwise
 * a receiver would take the renamed write for one the delete never saw.
 */
static void test_seen_renamed(void)
{
	struct book *e = new_book("e.db");
	char id[FB_RECORD_ID_MAX + 1], old[FB_DEVICE_ID_MAX + 1];
	char want[256], *body, *vals;
	struct fb_stamp name, phone;
	struct fb_error err;

	add_member(e, "Nguyễn Thị Lan", id);   /* entries 1-2: stay */
	set_field(e, id, "phone", "0912");      /* entry 3: moves */
	name = stamp_of(e, id, "full_name");
	phone = stamp_of(e, id, "phone");
	fb_error_clear(&err);
	is_int(book_set_deleted(e, id, 1, &err), FB_OK, "delete (%s)", err.msg);
	is_int(book_fork(e, 3, old, NULL, &err), FB_OK, "fork at entry 3 (%s)", err.msg);
	snprintf(want, sizeof(want), "full_name@%016llx:%s,role@%016llx:%s,"
		 "phone@%016llx:%s", (unsigned long long)name.hlc, old,
		 (unsigned long long)name.hlc, old, (unsigned long long)phone.hlc,
		 book_device(e));
	body = dump(e, "SELECT body FROM journal WHERE device = ?1 AND seq = 2",
		    book_device(e));
	ok(strstr(body, want) != NULL, "the moved delete's vector names the moved"
	   " phone under the new id, the name under the old one");
	vals = dump(e, "SELECT vals FROM record", NULL);
	ok(strstr(vals, want) != NULL, "...and so does the record's");
	is_int(verify(e, &err), FB_OK, "verify passes (%s)", err.msg);
	free(body);
	free(vals);
	book_close(e);
}

/* --- refusals and failures ------------------------------------------ */

struct snapshot {
	char *journal, *records, *conflicts, *meta;
	char device[FB_DEVICE_ID_MAX + 1];
	uint64_t next_seq;
	unsigned char chain[JOURNAL_HASH_LEN];
};

static void snap(struct book *b, struct snapshot *s)
{
	s->journal = dump(b, SQL_JOURNAL, NULL);
	s->records = dump(b, SQL_RECORDS, NULL);
	s->conflicts = dump(b, SQL_CONFLICTS, NULL);
	s->meta = dump(b, SQL_META, NULL);
	snprintf(s->device, sizeof(s->device), "%s", b->device);
	s->next_seq = b->next_seq;
	memcpy(s->chain, b->chain, sizeof(s->chain));
}

static void snap_free(struct snapshot *s)
{
	free(s->journal);
	free(s->records);
	free(s->conflicts);
	free(s->meta);
}

/* 1 when b is as it was at s, on disk and in what it caches. */
static int unchanged(struct book *b, const struct snapshot *s)
{
	struct snapshot now;
	int same;

	snap(b, &now);
	same = !strcmp(now.journal, s->journal) && !strcmp(now.records, s->records) &&
	       !strcmp(now.conflicts, s->conflicts) && !strcmp(now.meta, s->meta) &&
	       !strcmp(now.device, s->device) && now.next_seq == s->next_seq &&
	       !memcmp(now.chain, s->chain, sizeof(now.chain));
	snap_free(&now);
	return same;
}

static void test_refusals(void)
{
	struct book *e = new_book("refuse.db"), *hub = NULL;
	struct fb_store *st = NULL;
	char id[FB_RECORD_ID_MAX + 1], path[256], old[FB_DEVICE_ID_MAX + 1] = "x";
	struct snapshot s;
	struct fb_error err;
	size_t moved = 99;

	add_member(e, "Nguyễn Thị Lan", id);
	snap(e, &s);
	fb_error_clear(&err);
	is_int(book_fork(e, 0, old, &moved, &err), FB_EINVAL,
	       "a fork point of 0 is FB_EINVAL (%s)", err.msg);
	ok(unchanged(e, &s), "...and changes nothing");
	ok(moved == 0 && old[0] == '\0', "...the outputs are cleared");
	snap_free(&s);
	book_close(e);

	path_in_tmp(path, sizeof(path), "hub.db");
	if (store_open(path, STORE_CREATE, NULL, &st, &err) != FB_OK)
		abort();
	store_close(st);
	hub = open_book("hub.db");
	is_int(book_fork(hub, 1, old, &moved, &err), FB_EINVAL,
	       "a hub's book (no branch) is FB_EINVAL (%s)", err.msg);
	book_close(hub);
}

static void test_failures(void)
{
	static const char *const inject[] = {
		"BEFORE UPDATE ON journal",
		"BEFORE UPDATE ON record",
		"BEFORE UPDATE ON conflict",
		"BEFORE INSERT ON meta WHEN NEW.key = 'device'",
		"BEFORE INSERT ON meta WHEN NEW.key = 'forked_from'",
		"BEFORE INSERT ON meta WHEN NEW.key = 'pull_cursor'",
	};
	struct book *e = new_book("fail.db");
	char x[FB_RECORD_ID_MAX + 1], y[FB_RECORD_ID_MAX + 1], old[FB_DEVICE_ID_MAX + 1];
	char sql[256];
	struct snapshot s;
	struct fb_error err;
	uint64_t from;
	size_t i, moved;

	add_member(e, "Nguyễn Thị Lan", x);
	from = book_last_seq(e) + 1;
	set_field(e, x, "role", "branch_head");
	is_int(foreign(e, t0, x, "role", "official", NULL), FB_OK,
	       "a conflict won by a write to be moved");
	add_member(e, "Trần Thị Mai", y);
	snap(e, &s);
	for (i = 0; i < sizeof(inject) / sizeof(inject[0]); i++) {
		snprintf(sql, sizeof(sql), "CREATE TEMP TRIGGER inject %s"
			 " BEGIN SELECT RAISE(ABORT, 'injected failure'); END", inject[i]);
		if (sqlite3_exec(e->st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			printf("# %s: %s\n", sql, sqlite3_errmsg(e->st->db));
			abort();
		}
		moved = 99;
		fb_error_clear(&err);
		ok(book_fork(e, from, old, &moved, &err) != FB_OK &&
		   strstr(err.msg, "injected failure"),
		   "a failure %s fails the fork (%s)", inject[i], err.msg);
		ok(unchanged(e, &s), "...and leaves the book as it was, cached state too");
		ok(moved == 0 && old[0] == '\0', "...with no outputs");
		if (sqlite3_exec(e->st->db, "DROP TRIGGER inject", NULL, NULL, NULL) != SQLITE_OK)
			abort();
	}

	/* In the caller's transaction, rolled back by the caller. */
	fb_error_clear(&err);
	is_int(book_begin(e, &err), FB_OK, "book_begin");
	is_int(book_fork(e, from, old, &moved, &err), FB_OK,
	       "book_fork in the caller's transaction (%s)", err.msg);
	ok(strcmp(book_device(e), s.device) != 0, "...takes the new id");
	book_rollback(e);
	ok(unchanged(e, &s), "book_rollback undoes it, cached id and chain too");
	snap_free(&s);

	set_field(e, y, "phone", "0912");
	is_int(q_int(e, "SELECT seq FROM journal WHERE device = ?1 ORDER BY seq DESC LIMIT 1",
		     book_device(e)), 6, "the old id goes on after the failures");
	is_int(verify(e, &err), FB_OK, "...and verifies (%s)", err.msg);
	is_int(book_fork(e, from, old, &moved, &err), FB_OK,
	       "the fork succeeds once nothing fails (%s)", err.msg);
	is_int(moved, 3, "...moving the three changes from the fork point");
	is_int(verify(e, &err), FB_OK, "...and verifies (%s)", err.msg);
	book_close(e);
}

int main(int argc, char **argv)
{
	const char *env = getenv("FIELDBOOK");

	if (env && *env) {
		snprintf(fieldbook, sizeof(fieldbook), "%s", env);
	} else if (argc > 0) {
		char self[400];

		/* build/tests/test_book_fork -> build/bin/fieldbook */
		snprintf(self, sizeof(self), "%s", argv[0]);
		snprintf(fieldbook, sizeof(fieldbook), "%s/../bin/fieldbook", dirname(self));
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/fieldbook-test-fork.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	t0 = HLC_MAKE(hlc_wall_ms() - HOUR_MS, 0);
	test_two_copies();
	test_nothing_to_move();
	test_inside_a_change();
	test_seen_renamed();
	test_refusals();
	test_failures();
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
