/*
 * test_book_restamp.c - entries saved while a laptop's clock ran a day
 * fast, dated again once it is right (book_restamp): which rows move
 * and which never do (acknowledged ones, other devices'), that the new
 * stamps keep every order the merge relied on and fit under the bound,
 * that bases, seen vectors, record stamps and the conflict log follow,
 * that the chain verifies and the clock comes back down, and that a
 * replica receiving the entries dated again ends with the very same
 * records and conflict as the laptop.  And what is refused or left.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "book.h"
#include "book_internal.h"
#include "book_view.h"
#include "seen.h"
#include "tap.h"

#define BRANCH      "HN.PL.TT.03"
#define FOREIGN     "feedfacefeedface"
#define MIN_MS      (60ULL * 1000)
#define DAY_MS      (24ULL * 60 * MIN_MS)
#define MAX_CHANGES 64

static char tmpdir[64];
static uint64_t now_ms;         /* the laptops' wall clock */

static uint64_t fake_wall(void)
{
	return now_ms;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(path);
}

static struct book *new_book(const char *name, const char *extra)
{
	char path[256];
	struct fb_error err;
	struct fb_store *st = NULL;
	struct book *b = NULL;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if (!extra && book_create(path, BRANCH, "Chi hội 3", &err) != FB_OK) {
		printf("# cannot make book %s: %s\n", path, err.msg);
		abort();
	}
	/* A hub's: its schema, and no branch. */
	if (extra && store_open(path, STORE_CREATE, extra, &st, &err) != FB_OK)
		abort();
	store_close(st);
	if (book_open(path, extra, &b, &err) != FB_OK) {
		printf("# cannot open book %s: %s\n", path, err.msg);
		abort();
	}
	b->wall_ms = fake_wall;
	return b;
}

/* Every row the query gives, columns '|' apart, rows '\n' apart (malloc'd). */
static char *dump(struct book *b, const char *sql, const char *p1)
{
	sqlite3_stmt *q = NULL;
	char *out = calloc(1, 1);
	size_t len = 0;
	int i;

	if (!out || sqlite3_prepare_v2(b->st->db, sql, -1, &q, NULL) != SQLITE_OK)
		abort();
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

static long long q_int(struct book *b, const char *sql, const char *p1)
{
	sqlite3_stmt *q = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(b->st->db, sql, -1, &q, NULL) != SQLITE_OK)
		abort();
	if (p1)
		sqlite3_bind_text(q, 1, p1, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

#define SQL_RECORDS "SELECT id, type, branch, deleted, vals, clk FROM record ORDER BY id"
#define SQL_CONFLICTS \
	"SELECT record_id, field, kind, winner_value," \
	" printf('%016llx:', winner_hlc) || winner_device, loser_value," \
	" printf('%016llx:', loser_hlc) || loser_device, resolved FROM conflict" \
	" ORDER BY record_id, field, loser_hlc"
#define SQL_JOURNAL "SELECT cseq, device, seq, n, hlc, body, hex(hash) FROM journal ORDER BY cseq"

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

/* A one-entry change of FOREIGN, chained after what b holds of it. */
static void foreign(struct book *b, fb_hlc hlc, const char *id, const char *field,
		    const char *value)
{
	unsigned char prev[JOURNAL_HASH_LEN];
	struct fb_error err;
	struct jchange c;
	uint64_t last = 0;

	if (book_device_head(b, FOREIGN, &last, prev, &err) != FB_OK)
		abort();
	jchange_init(&c);
	snprintf(c.device, sizeof(c.device), "%s", FOREIGN);
	c.seq = last + 1;
	c.hlc = hlc;
	snprintf(c.record_id, sizeof(c.record_id), "%s", id);
	c.type = REC_MEMBER;
	snprintf(c.branch, sizeof(c.branch), "%s", BRANCH);
	if (jchange_add(&c, field, value, NULL) != FB_OK || journal_hash(prev, &c) != FB_OK ||
	    book_apply(b, &c, BOOK_HASHED, NULL, &err) != FB_OK) {
		printf("# foreign %s: %s\n", field, err.msg);
		abort();
	}
	jchange_release(&c);
}

/* Give `to` every change of from's own device, as a hub's pull would. */
static void pull_from(struct book *to, struct book *from)
{
	static struct jchange c[MAX_CHANGES];
	struct fb_error err;
	size_t n = 0, i;

	if (book_own_changes(from, 0, c, MAX_CHANGES, SIZE_MAX, &n, &err) != FB_OK)
		abort();
	for (i = 0; i < n; i++) {
		if (book_apply(to, &c[i], BOOK_FROM_HUB, NULL, &err) != FB_OK) {
			printf("# pull %llu: %s\n", (unsigned long long)c[i].seq, err.msg);
			abort();
		}
		jchange_release(&c[i]);
	}
}

static int verifies(struct book *b)
{
	uint64_t rows, entries;
	struct fb_error err;

	return book_verify_chain(b, &rows, &entries, &err) == FB_OK;
}

/* The greatest HLC of b's own rows with seq at or above `from`, and the least. */
static void own_range(struct book *b, uint64_t from, fb_hlc *lo, fb_hlc *hi)
{
	sqlite3_stmt *q = NULL;

	*lo = *hi = 0;
	if (sqlite3_prepare_v2(b->st->db, "SELECT min(hlc), max(hlc) FROM journal"
			       " WHERE device = ?1 AND seq >= ?2", -1, &q, NULL) != SQLITE_OK)
		abort();
	sqlite3_bind_text(q, 1, b->device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)from);
	if (sqlite3_step(q) == SQLITE_ROW) {
		*lo = (fb_hlc)sqlite3_column_int64(q, 0);
		*hi = (fb_hlc)sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
}

/* 1 when b's own rows have strictly increasing HLCs in sequence order. */
static int increasing(struct book *b)
{
	return q_int(b, "SELECT count(*) FROM journal j JOIN journal k ON k.device = j.device"
		     " AND k.seq > j.seq AND k.hlc <= j.hlc WHERE j.device = ?1", b->device) == 0;
}

/* --- the day-fast laptop --------------------------------------------- */

static void test_day_fast(void)
{
	char m1[FB_RECORD_ID_MAX + 1], m2[FB_RECORD_ID_MAX + 1], m3[FB_RECORD_ID_MAX + 1];
	struct book *a = new_book("a.db", NULL), *r = new_book("r.db", NULL);
	uint64_t t0 = now_ms, acked;
	fb_hlc bound, lo, hi, before_lo, before_hi, floor, seen_hlc;
	struct fb_error err;
	char *ra, *rr, *ca, *cr, *seen = NULL, *journal_before;
	struct record *rec = NULL;
	size_t moved = 0;
	long long hlc_meta = 0;

	/* On time: a member the hub has taken (acknowledged). */
	add_member(a, "Nguyễn Thị Lan", m1);
	acked = book_last_seq(a);
	if (book_meta_set_int(a, "acked_seq", (long long)acked, &err) != FB_OK)
		abort();
	/* A day fast: an edit, a member added, edited and deleted (its
	 * seen vector names its fast writes), an edit of m1's notes. */
	now_ms = t0 + DAY_MS;
	set_field(a, m1, "phone", "0912000111");
	add_member(a, "Trần Thị Hoa", m2);
	set_field(a, m2, "phone", "0912000222");
	if (book_set_deleted(a, m2, 1, &err) != FB_OK)
		abort();
	set_field(a, m1, "notes", "A ghi");
	/* Another laptop's edit of m1's notes, made in real time two
	 * minutes on, arrives: older than A's (a day ahead), so it loses
	 * here and is logged, with A's fast stamp as winner. */
	foreign(a, HLC_MAKE(t0 + 2 * MIN_MS, 0), m1, "notes", "F ghi");
	ok(q_int(a, "SELECT count(*) FROM conflict WHERE loser_device = '" FOREIGN "'", NULL) == 1,
	   "the other laptop's older notes lost to the fast edit, and were logged");
	/* The clock is set right ten minutes on; an edit made then still
	 * ticks after the fast ones (the HLC never goes back). */
	now_ms = t0 + 10 * MIN_MS;
	add_member(a, "Lê Thị Mai", m3);
	own_range(a, acked + 1, &before_lo, &before_hi);
	ok(HLC_MS(before_lo) >= t0 + DAY_MS, "before: every unacknowledged entry is a day ahead");
	journal_before = dump(a, SQL_JOURNAL, NULL);

	/* The hub takes stamps up to five minutes past its clock. */
	bound = HLC_MAKE(now_ms + FB_HLC_MAX_DRIFT_MS, 0);
	fb_error_clear(&err);
	ok(book_restamp(a, bound, &moved, &err) == FB_OK, "restamp (%s)", err.msg);
	is_int(moved, 6, "the six changes after the acknowledged one are dated again");
	own_range(a, acked + 1, &lo, &hi);
	floor = HLC_MAKE(t0 + 2 * MIN_MS, 0);   /* the foreign entry, the greatest else held */
	ok(lo > floor && hi <= bound, "their new stamps lie above everything else held and"
	   " under the bound (%016llx..%016llx)", (unsigned long long)lo, (unsigned long long)hi);
	ok(HLC_MS(lo) == now_ms, "...at this clock's time now");
	ok(increasing(a), "own HLCs still increase with the sequence");
	ok(HLC_MS((fb_hlc)q_int(a, "SELECT hlc FROM journal WHERE device = ?1 AND seq = 1",
				a->device)) == t0, "the acknowledged change keeps its stamp");
	is_int(book_last_seq(a), q_int(a, "SELECT max(seq + n - 1) FROM journal WHERE device = ?1",
				       a->device), "sequences stay");
	ok(verifies(a), "the chain, hashed again, verifies");
	ok(a->clock == hi, "the clock came back down to the last new stamp");
	if (book_meta_int(a, "hlc", 0, &hlc_meta, &err) != FB_OK)
		abort();
	ok((fb_hlc)hlc_meta == hi, "...and so did the one saved in meta");
	/* Every stamp a day ahead is gone: bases, seen vector, records, log. */
	{
		char *all = dump(a, "SELECT body FROM journal UNION ALL SELECT clk FROM record"
				 " UNION ALL SELECT vals FROM record", NULL);
		size_t stamps = 0, fast = 0;
		char *p;

		/* Every "<16 hex>:" in them is a stamp's HLC. */
		for (p = all; (p = strchr(p, ':')); p++) {
			char hex[17];
			fb_hlc h;

			if (p - all < 16)
				continue;
			memcpy(hex, p - 16, 16);
			hex[16] = '\0';
			if (hlc_parse(hex, &h) != FB_OK)
				continue;
			stamps++;
			fast += HLC_MS(h) >= t0 + DAY_MS;
		}
		ok(stamps > 10 && fast == 0, "no base, record stamp or seen vector names a fast"
		   " stamp any more (%zu stamps, %zu fast)", stamps, fast);
		free(all);
	}
	ok(q_int(a, "SELECT count(*) FROM conflict c JOIN record r ON r.id = c.record_id"
		 " WHERE c.winner_hlc = (SELECT hlc FROM journal j WHERE j.device = c.winner_device"
		 " AND j.record_id = c.record_id AND j.body LIKE '%\"notes\"%')", NULL) == 1,
	   "the conflict's winner is renamed to the new stamp of A's notes");
	if (book_get(a, m2, &rec, &err) != FB_OK)
		abort();
	seen = strdup(record_get(rec, FIELD_SEEN));
	seen_hlc = rec->stamp[model_field_index(model_type(REC_MEMBER), "phone")].hlc;
	record_free(rec);
	{
		char want[128], hex[17];

		hlc_format(seen_hlc, hex);
		snprintf(want, sizeof(want), "phone@%s:%s", hex, a->device);
		ok(strstr(seen, want) != NULL, "m2's seen vector names its phone's new stamp (%s)",
		   seen);
	}
	free(seen);
	/* The next edit comes right after them, not a day ahead. */
	set_field(a, m3, "phone", "0912000333");
	own_range(a, book_last_seq(a), &lo, &hi);
	ok(hi <= bound, "the next edit is stamped within the bound");

	/* A replica that receives the other laptop's edit and A's entries
	 * (in the hub's order: the other first) holds what A holds. */
	foreign(r, HLC_MAKE(t0 + 2 * MIN_MS, 0), m1, "notes", "F ghi");
	pull_from(r, a);
	ra = dump(a, SQL_RECORDS, NULL);
	rr = dump(r, SQL_RECORDS, NULL);
	is_str(rr, ra, "the replica holds exactly A's records, stamps included");
	ca = dump(a, SQL_CONFLICTS, NULL);
	cr = dump(r, SQL_CONFLICTS, NULL);
	is_str(cr, ca, "...and logged the same conflict, against A's new stamp");
	ok(verifies(r), "the replica verifies");
	free(ra); free(rr); free(ca); free(cr);
	free(journal_before);
	book_close(a);
	book_close(r);
}

/* Nothing ahead, a bound too low, the clock still fast: nothing moves. */
static void test_left_alone(void)
{
	char m1[FB_RECORD_ID_MAX + 1];
	struct book *a = new_book("b.db", NULL);
	uint64_t t0 = now_ms;
	struct fb_error err;
	char *before, *after;
	size_t moved = 9;

	add_member(a, "Phạm Thị Thu", m1);
	before = dump(a, SQL_JOURNAL, NULL);
	ok(book_restamp(a, HLC_MAKE(now_ms + FB_HLC_MAX_DRIFT_MS, 0), &moved, &err) == FB_OK &&
	   moved == 0, "nothing ahead: nothing moves");
	/* A day fast, and still: its own time bounds what the hub takes. */
	now_ms = t0 + DAY_MS;
	set_field(a, m1, "phone", "0900000001");
	free(before);
	before = dump(a, SQL_JOURNAL, NULL);
	ok(book_restamp(a, HLC_MAKE(now_ms + FB_HLC_MAX_DRIFT_MS, 0), &moved, &err) == FB_OK &&
	   moved == 0, "a clock still fast: nothing is ahead of it, nothing moves");
	/* The clock right again, but the fast entry acknowledged (a hub
	 * whose own clock was fast took it): it is never dated again, and
	 * what follows it cannot fit under the bound. */
	now_ms = t0 + 20 * MIN_MS;
	set_field(a, m1, "notes", "sau");
	if (book_meta_set_int(a, "acked_seq", 3, &err) != FB_OK)
		abort();
	free(before);
	before = dump(a, SQL_JOURNAL, NULL);
	ok(book_restamp(a, HLC_MAKE(now_ms + FB_HLC_MAX_DRIFT_MS, 0), &moved, &err) == FB_OK &&
	   moved == 0, "after an acknowledged fast entry: nothing moves");
	after = dump(a, SQL_JOURNAL, NULL);
	is_str(after, before, "...and the journal is as it was");
	free(before);
	free(after);
	book_close(a);
	now_ms = t0;
}

static void test_refused_on_hub(void)
{
	struct book *h = new_book("h.db", "CREATE TABLE IF NOT EXISTS unit(code TEXT);");
	struct fb_error err;
	size_t moved = 1;

	fb_error_clear(&err);
	ok(book_restamp(h, HLC_MAKE(now_ms, 0), &moved, &err) == FB_EINVAL && moved == 0,
	   "a hub's book has no entries of its own to date again (%s)", err.msg);
	book_close(h);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/fieldbook-test-restamp.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	now_ms = hlc_wall_ms() - 2 * DAY_MS;
	test_day_fast();
	test_left_alone();
	test_refused_on_hub();
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
