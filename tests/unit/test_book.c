/*
 * test_book.c - a replica's records and journal (book.h) on real SQLite
 * files in a temporary directory: creating and opening, adding and
 * editing, attendance as a set, the journal's sequence, HLC and hash
 * chain, tampering, changes from other devices and the merge rule as
 * the store applies it.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "book.h"
#include "book_internal.h"
#include "seen.h"
#include "tap.h"

#define BRANCH      "HN.PL.TT.03"
#define FOREIGN     "feedfacefeedface"
#define FOREIGN2    "deadbeefdeadbeef"
#define CREATOR     "c0ffeec0ffeec0ff"
#define FIXED_ID    "0f8fad5b-d9cb-469f-a165-70867728950e"
#define FIXED_ID2   "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define NGUYEN_NFD  "Nguye\xcc\x82\xcc\x83n Th\xe1\xbb\x8b Hoa"
#define NGUYEN_NFC  "Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b Hoa"
#define HOUR_MS     (60ULL * 60 * 1000)

static char tmpdir[64];
static fb_hlc t0;       /* an hour ago: foreign changes are stamped from it */
static const unsigned char zero_hash[JOURNAL_HASH_LEN];

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

/* Create and open a new book at tmpdir/name; aborts on failure. */
static struct book *new_book(const char *name)
{
	char path[256];
	struct fb_error err;
	struct book *b = NULL;

	path_in_tmp(path, sizeof(path), name);
	if (book_create(path, BRANCH, "Chi hội 3, xã Thanh Thủy", &err) != FB_OK ||
	    book_open(path, NULL, &b, &err) != FB_OK) {
		printf("# cannot make book %s: %s\n", path, err.msg);
		abort();
	}
	return b;
}

/* The integer the query gives (first column of the first row), or -1. */
static long long q_int(struct book *b, const char *sql)
{
	sqlite3_stmt *q = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(b->st->db, sql, -1, &q, NULL) != SQLITE_OK) {
		printf("# bad query %s: %s\n", sql, sqlite3_errmsg(b->st->db));
		return -1;
	}
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* The text the query gives, bound to one parameter, into out. */
static const char *q_text(struct book *b, const char *sql, const char *p1,
			  char *out, size_t size)
{
	sqlite3_stmt *q = NULL;

	out[0] = '\0';
	if (sqlite3_prepare_v2(b->st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return out;
	if (p1)
		sqlite3_bind_text(q, 1, p1, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return out;
}

static long long journal_rows(struct book *b)
{
	return q_int(b, "SELECT COUNT(*) FROM journal");
}

/* A record's field, "" when unset; "(absent)" when there is no record. */
static const char *field_of(struct book *b, const char *id, const char *field,
			    char *out, size_t size)
{
	struct record *r = NULL;

	if (book_get(b, id, &r, NULL) != FB_OK) {
		snprintf(out, size, "(absent)");
		return out;
	}
	snprintf(out, size, "%s", record_get(r, field));
	record_free(r);
	return out;
}

static enum fb_code add_member(struct book *b, const char *name, char *id,
			       struct fb_error *err)
{
	struct field_value fv[] = { { "full_name", name }, { "role", "member" } };

	return book_add(b, REC_MEMBER, NULL, fv, 2, id, err);
}

static enum fb_code add_training(struct book *b, const char *title, char *id,
				 struct fb_error *err)
{
	struct field_value fv[] = {
		{ "title", title }, { "start_date", "2026-03-08" },
		{ "topics", "gender_equality,parenting" },
	};

	return book_add(b, REC_TRAINING, NULL, fv, 3, id, err);
}

static enum fb_code attend(struct book *b, const char *training,
			   const char *member, char *id, struct fb_error *err)
{
	struct field_value fv[] = {
		{ "training_id", training }, { "member_id", member },
	};

	return book_add(b, REC_ATTENDANCE, NULL, fv, 2, id, err);
}

/* A change from another device, n = 0; add entries, then hash it. */
static void foreign_change(struct jchange *c, const char *device, uint64_t seq,
			   fb_hlc hlc, const char *id, enum rec_type t)
{
	jchange_init(c);
	snprintf(c->device, sizeof(c->device), "%s", device);
	c->seq = seq;
	c->hlc = hlc;
	snprintf(c->record_id, sizeof(c->record_id), "%s", id);
	c->type = t;
	snprintf(c->branch, sizeof(c->branch), "%s", BRANCH);
}

static struct fb_stamp mkstamp(fb_hlc hlc, const char *device)
{
	struct fb_stamp s;

	memset(&s, 0, sizeof(s));
	s.hlc = hlc;
	snprintf(s.device, sizeof(s.device), "%s", device);
	return s;
}

/* Apply a one-entry foreign change, seq 1 of its device, hashed from zero. */
static enum fb_code apply_one(struct book *b, const char *device, uint64_t seq,
			      const unsigned char *prev, fb_hlc hlc,
			      const char *id, const char *field,
			      const char *value, const struct fb_stamp *base,
			      int *applied)
{
	struct jchange c;
	struct fb_error err;
	enum fb_code rc;

	foreign_change(&c, device, seq, hlc, id, REC_MEMBER);
	jchange_add(&c, field, value, base);
	journal_hash(prev, &c);
	fb_error_clear(&err);
	rc = book_apply(b, &c, BOOK_HASHED, applied, &err);
	if (rc != FB_OK)
		printf("# apply %s %llu: %s\n", device, (unsigned long long)seq, err.msg);
	jchange_release(&c);
	return rc;
}

static enum fb_code verify(struct book *b, uint64_t *rows, uint64_t *entries,
			   struct fb_error *err)
{
	uint64_t r, e;

	fb_error_clear(err);
	return book_verify_chain(b, rows ? rows : &r, entries ? entries : &e, err);
}

/* --- creating and opening ------------------------------------------- */

static void test_create_open(void)
{
	char path[256], wal[300], nested[256];
	struct fb_error err;
	struct book *b = NULL;
	struct stat st;
	char device[FB_DEVICE_ID_MAX + 1];
	int rc;

	path_in_tmp(path, sizeof(path), "create.db");
	fb_error_clear(&err);
	is_int(book_create(path, BRANCH, "Chi hội 3", &err), FB_OK, "book_create");
	memset(&st, 0, sizeof(st));
	rc = stat(path, &st);
	ok(rc == 0 && (st.st_mode & 0777) == 0600,
	   "the database file is 0600 (%o)", (unsigned)(st.st_mode & 0777));
	is_int(book_open(path, NULL, &b, &err), FB_OK, "book_open");
	if (!b)
		abort();
	is_str(b->branch, BRANCH, "the branch is kept");
	ok(strlen(b->device) == FB_DEVICE_ID_LEN && journal_valid_device(b->device),
	   "the device id is %d hex digits (%s)", FB_DEVICE_ID_LEN, b->device);
	is_int(b->next_seq, 1, "a new book's next sequence is 1");
	snprintf(device, sizeof(device), "%s", b->device);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	ok(stat(wal, &st) != 0 || (st.st_mode & 0777) == 0600,
	   "the WAL file, if any, is 0600 too");
	book_close(b);
	b = NULL;

	fb_error_clear(&err);
	is_int(book_create(path, BRANCH, "again", &err), FB_EEXIST,
	       "book_create twice is FB_EEXIST (%s)", err.msg);
	is_int(book_open(path, NULL, &b, &err), FB_OK, "...the book opens");
	ok(b && !strcmp(b->device, device), "...and the device id is unchanged");
	book_close(b);
	b = NULL;

	path_in_tmp(nested, sizeof(nested), "sub/dir/nested.db");
	is_int(book_create(nested, "HN", NULL, &err), FB_OK,
	       "book_create makes missing directories");
	path_in_tmp(nested, sizeof(nested), "sub");
	memset(&st, 0, sizeof(st));
	rc = stat(nested, &st);
	ok(rc == 0 && (st.st_mode & 0777) == 0700,
	   "...owner-only (%o)", (unsigned)(st.st_mode & 0777));

	path_in_tmp(path, sizeof(path), "badbranch.db");
	is_int(book_create(path, "HN PL", NULL, &err), FB_EINVAL,
	       "an invalid branch code is refused");
	ok(stat(path, &st) != 0, "...before any file is made");
	path_in_tmp(path, sizeof(path), "missing.db");
	is_int(book_open(path, NULL, &b, &err), FB_ENOINPUT,
	       "opening a missing book is FB_ENOINPUT");
	ok(b == NULL, "...and gives no book");
}

/* --- a transaction rolled back --------------------------------------- */

static void test_rollback(void)
{
	struct book *b = new_book("rollback.db");
	struct fb_error err;
	char id[FB_RECORD_ID_MAX + 1];
	uint64_t rows = 0;
	int i, all_ok = 1;

	fb_error_clear(&err);
	is_int(book_begin(b, &err), FB_OK, "book_begin");
	for (i = 0; i < 4; i++)
		if (add_member(b, "Trần Thị Lan", id, &err) != FB_OK)
			all_ok = 0;
	ok(all_ok && b->next_seq > 1, "four adds inside the transaction");
	book_rollback(b);
	is_int(q_int(b, "SELECT COUNT(*) FROM record"), 0, "rollback leaves no record");
	is_int(journal_rows(b), 0, "...and no journal row");
	is_int(b->next_seq, 1, "...and the next sequence is 1 again");
	ok(memcmp(b->chain, zero_hash, JOURNAL_HASH_LEN) == 0, "...and the chain head zero");
	is_int(add_member(b, "Trần Thị Lan", id, &err), FB_OK, "an add after the rollback");
	is_int(q_int(b, "SELECT seq FROM journal"), 1, "...gets sequence 1");
	is_int(verify(b, &rows, NULL, &err), FB_OK, "...and the chain verifies (%s)", err.msg);
	is_int(rows, 1, "...one row");

	/* Several adds committed together. */
	is_int(book_begin(b, &err), FB_OK, "book_begin again");
	add_member(b, "Lê Thị Mai", id, &err);
	add_member(b, "Phạm Thị Thu", id, &err);
	is_int(book_commit(b, &err), FB_OK, "book_commit");
	is_int(journal_rows(b), 3, "the committed adds are there");
	is_int(verify(b, &rows, NULL, &err), FB_OK, "...and verify");
	book_close(b);
}

/* --- adding records ---------------------------------------------------- */

static void test_add(struct book *b, char *member, char *training)
{
	struct fb_error err;
	struct record *r = NULL;
	char id[FB_RECORD_ID_MAX + 1], v[256];
	long long before;

	fb_error_clear(&err);
	{
		struct field_value fv[] = {
			{ "full_name", "  " NGUYEN_NFD "  " }, { "role", "branch_head" },
			{ "birth_year", "1985" }, { "joined", "2020-05-01" },
		};

		is_int(book_add(b, REC_MEMBER, NULL, fv, 4, member, &err), FB_OK,
		       "book_add member (%s)", err.msg);
	}
	ok(model_valid_uuid(member), "...returns a UUID id (%s)", member);
	ok(book_get(b, member, &r, &err) == FB_OK, "book_get finds it");
	if (r) {
		is_str(record_get(r, "full_name"), NGUYEN_NFC,
		       "the name is stored trimmed and in NFC");
		is_str(record_get(r, "role"), "branch_head", "role stored");
		is_str(record_get(r, "birth_year"), "1985", "birth_year stored");
		is_str(record_get(r, "phone"), "", "an unset field reads \"\"");
		is_str(r->branch, BRANCH, "the record is of the book's branch");
		ok(!record_deleted(r), "not deleted");
		ok(!strcmp(r->stamp[0].device, b->device) && r->stamp[0].hlc > 0,
		   "fields carry this device's stamp");
		record_free(r);
		r = NULL;
	}

	is_int(add_training(b, "Tập huấn bình đẳng giới", training, &err), FB_OK,
	       "book_add training");
	ok(model_valid_uuid(training), "...returns a UUID id");
	is_str(field_of(b, training, "topics", v, sizeof(v)), "gender_equality,parenting",
	       "topics stored");
	{
		struct field_value fv[] = {
			{ "visit_date", "2026-01-20" }, { "reason", "tet" },
			{ "member_id", member }, { "amount_vnd", "0500000" },
		};

		is_int(book_add(b, REC_VISIT, NULL, fv, 4, id, &err), FB_OK,
		       "book_add visit of a member");
		is_str(field_of(b, id, "amount_vnd", v, sizeof(v)), "500000",
		       "the amount is canonical");
	}
	{
		struct field_value fv[] = {
			{ "visit_date", "2026-01-21" }, { "reason", "illness" },
			{ "person_name", "Bà Tư" }, { "support", "gift" },
			{ "gift", "áo dài" },
		};

		is_int(book_add(b, REC_VISIT, NULL, fv, 5, id, &err), FB_OK,
		       "book_add visit of a person by name");
	}

	/* Refusals write nothing. */
	before = journal_rows(b);
	{
		struct field_value fv[] = { { "role", "member" } };

		fb_error_clear(&err);
		is_int(book_add(b, REC_MEMBER, NULL, fv, 1, id, &err), FB_EINVAL,
		       "a member without full_name is refused (%s)", err.msg);
		ok(strstr(err.msg, "full_name") != NULL, "...naming full_name");
	}
	{
		struct field_value fv[] = {
			{ "title", "x" }, { "start_date", "2026-03-08" },
		};

		is_int(book_add(b, REC_TRAINING, NULL, fv, 2, id, &err), FB_EINVAL,
		       "a training without topics is refused (%s)", err.msg);
	}
	{
		struct field_value fv[] = {
			{ "title", "x" }, { "start_date", "2026-03-08" },
			{ "end_date", "2026-03-07" }, { "topics", "stem" },
		};

		is_int(book_add(b, REC_TRAINING, NULL, fv, 4, id, &err), FB_EINVAL,
		       "an end_date before start_date is refused (%s)", err.msg);
	}
	{
		struct field_value fv[] = {
			{ "visit_date", "2026-01-20" }, { "reason", "tet" },
		};

		is_int(book_add(b, REC_VISIT, NULL, fv, 2, id, &err), FB_EINVAL,
		       "a visit with neither member nor person is refused (%s)", err.msg);
	}
	{
		struct field_value fv[] = { { "full_name", "A" }, { "shoe_size", "38" } };

		is_int(book_add(b, REC_MEMBER, NULL, fv, 2, id, &err), FB_EINVAL,
		       "an unknown field is refused (%s)", err.msg);
	}
	{
		struct field_value fv[] = { { "full_name", "A" }, { "full_name", "B" } };

		is_int(book_add(b, REC_MEMBER, NULL, fv, 2, id, &err), FB_EINVAL,
		       "a field given twice is refused (%s)", err.msg);
	}
	{
		struct field_value fv[] = { { "full_name", "A" }, { "deleted", "1" } };

		is_int(book_add(b, REC_MEMBER, NULL, fv, 2, id, &err), FB_EINVAL,
		       "'deleted' cannot be typed (%s)", err.msg);
	}
	{
		struct field_value fv[] = { { "full_name", "A\xff" } };

		is_int(book_add(b, REC_MEMBER, NULL, fv, 1, id, &err), FB_EINVAL,
		       "invalid UTF-8 is refused (%s)", err.msg);
	}
	{
		struct field_value fv[] = { { "full_name", "A" }, { "birth_year", "1800" } };

		is_int(book_add(b, REC_MEMBER, NULL, fv, 2, id, &err), FB_EINVAL,
		       "a bad year is refused (%s)", err.msg);
	}
	is_int(journal_rows(b), before, "refused adds write no journal row");

	/* want_id: import keeps ids. */
	{
		struct field_value fv[] = { { "full_name", "Đỗ Thị Hằng" } };

		is_int(book_add(b, REC_MEMBER, FIXED_ID2, fv, 1, id, &err), FB_OK,
		       "book_add with a wanted id");
		is_str(id, FIXED_ID2, "...uses it");
		is_int(book_add(b, REC_MEMBER, FIXED_ID2, fv, 1, id, &err), FB_EEXIST,
		       "...twice is FB_EEXIST (%s)", err.msg);
		is_int(book_add(b, REC_MEMBER, "not-a-uuid", fv, 1, id, &err), FB_EINVAL,
		       "...an invalid wanted id is refused");
	}
}

static void test_refs(struct book *b, const char *member, const char *training)
{
	struct fb_error err;
	char id[FB_RECORD_ID_MAX + 1], gone[FB_RECORD_ID_MAX + 1];
	long long before = journal_rows(b);

	fb_error_clear(&err);
	is_int(attend(b, training, FIXED_ID, id, &err), FB_ENOENT,
	       "attendance of an unknown member is FB_ENOENT (%s)", err.msg);
	is_int(attend(b, FIXED_ID, member, id, &err), FB_ENOENT,
	       "attendance of an unknown training is FB_ENOENT (%s)", err.msg);
	is_int(attend(b, member, member, id, &err), FB_ENOENT,
	       "a member id given as the training is FB_ENOENT (%s)", err.msg);
	{
		struct field_value fv[] = {
			{ "visit_date", "2026-01-20" }, { "reason", "tet" },
			{ "member_id", FIXED_ID },
		};

		is_int(book_add(b, REC_VISIT, NULL, fv, 3, id, &err), FB_ENOENT,
		       "a visit of an unknown member is FB_ENOENT (%s)", err.msg);
	}
	is_int(journal_rows(b), before, "refused references write nothing");

	add_member(b, "Người đã xoá", gone, &err);
	is_int(book_set_deleted(b, gone, 1, &err), FB_OK, "a member deleted");
	is_int(attend(b, training, gone, id, &err), FB_EINVAL,
	       "attendance of a deleted member is refused (%s)", err.msg);
}

static void test_attendance(struct book *b, const char *member,
			    const char *training)
{
	struct fb_error err;
	char id[FB_RECORD_ID_MAX + 1], id2[FB_RECORD_ID_MAX + 1], want[2 * FB_RECORD_ID_MAX + 2], v[64];
	long long rows;
	struct record *r = NULL;

	fb_error_clear(&err);
	snprintf(want, sizeof(want), "%s:%s", training, member);
	is_int(attend(b, training, member, id, &err), FB_OK, "attend (%s)", err.msg);
	is_str(id, want, "the attendance id is training_id:member_id");
	rows = journal_rows(b);
	is_int(attend(b, training, member, id2, &err), FB_OK, "attend the same pair again");
	is_str(id2, want, "...same id");
	is_int(journal_rows(b), rows, "...writes nothing");
	is_int(q_int(b, "SELECT COUNT(*) FROM record WHERE type = 'attendance'"), 1,
	       "...one attendance record");

	is_int(book_set_deleted(b, id, 1, &err), FB_OK, "unattend (deleted=1)");
	ok(book_get(b, id, &r, &err) == FB_OK && record_deleted(r), "...it is deleted");
	record_free(r);
	r = NULL;
	is_int(attend(b, training, member, id2, &err), FB_OK, "attend again");
	is_str(id2, want, "...same id");
	is_str(field_of(b, id, FIELD_DELETED, v, sizeof(v)), "0", "...restored (deleted=0)");
	is_int(q_int(b, "SELECT COUNT(*) FROM record WHERE type = 'attendance'"), 1,
	       "...still one attendance record");
	is_int(journal_rows(b), rows + 2, "unattend and re-attend are one entry each");
	{
		struct field_value fv[] = { { "member_id", FIXED_ID } };

		is_int(book_edit(b, id, fv, 1, NULL, &err), FB_EINVAL,
		       "an attendance key cannot be edited (%s)", err.msg);
	}
}

static void test_edit(struct book *b, const char *member)
{
	struct fb_error err;
	size_t changed = 99;
	long long rows = journal_rows(b);
	char v[256];
	struct record *r = NULL;

	fb_error_clear(&err);
	{
		struct field_value fv[] = { { "full_name", NGUYEN_NFD }, { "role", "branch_head" } };

		is_int(book_edit(b, member, fv, 2, &changed, &err), FB_OK,
		       "edit with the same values (decomposed input)");
		is_int(changed, 0, "...changes nothing (changed == 0)");
		is_int(journal_rows(b), rows, "...and writes no entry");
	}
	{
		struct field_value fv[] = { { "phone", "" } };

		changed = 99;
		is_int(book_edit(b, member, fv, 1, &changed, &err), FB_OK,
		       "clearing a field that was never set");
		is_int(changed, 0, "...changes nothing");
	}
	ok(book_get(b, member, &r, &err) == FB_OK, "load before editing");
	{
		struct field_value fv[] = { { "phone", "0912345678" }, { "role", "branch_head" } };
		int pi = model_field_index(model_type(REC_MEMBER), "phone");
		int ni = model_field_index(model_type(REC_MEMBER), "full_name");
		struct record *after = NULL;

		is_int(book_edit(b, member, fv, 2, &changed, &err), FB_OK, "edit phone");
		is_int(changed, 1, "...one field changed");
		is_int(journal_rows(b), rows + 1, "...one journal row");
		is_int(q_int(b, "SELECT n FROM journal ORDER BY cseq DESC LIMIT 1"), 1,
		       "...holding one entry");
		is_int(book_get(b, member, &after, &err), FB_OK, "...the member reads back");
		ok(after && after->stamp[pi].hlc ==
		   (fb_hlc)q_int(b, "SELECT hlc FROM journal ORDER BY cseq DESC LIMIT 1"),
		   "the field's stamp is the journal row's HLC");
		ok(after && r && stamp_eq(&after->stamp[ni], &r->stamp[ni]),
		   "an unchanged field keeps its stamp");
		record_free(after);
	}
	{
		char body[512], base[STAMP_TEXT_MAX];
		struct fb_stamp ps;
		int pi = model_field_index(model_type(REC_MEMBER), "phone");
		struct record *now = NULL;

		is_int(book_get(b, member, &now, &err), FB_OK, "the member reads");
		if (!now) {
			printf("Bail out! %s\n", err.msg);
			return;
		}
		ps = now->stamp[pi];
		stamp_format(&ps, base);
		{
			struct field_value fv[] = {
				{ "phone", "0987654321" }, { "notes", "ghi chú" },
			};

			is_int(book_edit(b, member, fv, 2, &changed, &err), FB_OK,
			       "edit two fields");
			is_int(changed, 2, "...two entries");
		}
		q_text(b, "SELECT body FROM journal ORDER BY cseq DESC LIMIT 1", NULL,
		       body, sizeof(body));
		ok(strstr(body, base) != NULL,
		   "the phone entry's base is the replaced value's stamp (%s)", base);
		is_int(q_int(b, "SELECT n FROM journal ORDER BY cseq DESC LIMIT 1"), 2,
		       "...in one journal row of two entries");
		record_free(now);
	}
	record_free(r);

	{
		struct field_value fv[] = { { "full_name", "" } };

		is_int(book_edit(b, member, fv, 1, &changed, &err), FB_EINVAL,
		       "a required field cannot be emptied (%s)", err.msg);
	}
	{
		struct field_value fv[] = { { "deleted", "1" } };

		is_int(book_edit(b, member, fv, 1, &changed, &err), FB_EINVAL,
		       "'deleted' cannot be edited (%s)", err.msg);
	}
	{
		struct field_value fv[] = { { "phone", "1" } };

		is_int(book_edit(b, FIXED_ID, fv, 1, &changed, &err), FB_ENOENT,
		       "editing an unknown id is FB_ENOENT (%s)", err.msg);
	}

	/* Deleted records are refused until restored. */
	rows = journal_rows(b);
	is_int(book_set_deleted(b, member, 1, &err), FB_OK, "delete the member");
	is_int(book_set_deleted(b, member, 1, &err), FB_OK, "delete it again");
	is_int(journal_rows(b), rows + 1, "...the second delete writes nothing");
	{
		struct field_value fv[] = { { "phone", "0900000000" } };

		changed = 99;
		is_int(book_edit(b, member, fv, 1, &changed, &err), FB_EINVAL,
		       "editing a deleted record is refused (%s)", err.msg);
		is_int(changed, 0, "...changed == 0");
		is_str(field_of(b, member, "phone", v, sizeof(v)), "0987654321",
		       "...the value is unchanged");
		is_int(book_set_deleted(b, member, 0, &err), FB_OK, "restore");
		is_int(book_edit(b, member, fv, 1, &changed, &err), FB_OK,
		       "...then the edit goes through");
	}
}

/* Sequence 1..N without gaps, and verify agrees with the table. */
static void test_sequence(struct book *b)
{
	sqlite3_stmt *q = NULL;
	struct fb_error err;
	uint64_t expect = 1, rows = 0, entries = 0;
	int gapless = 1, s;

	sqlite3_prepare_v2(b->st->db,
			   "SELECT seq, n FROM journal WHERE device = ?1 ORDER BY seq",
			   -1, &q, NULL);
	sqlite3_bind_text(q, 1, b->device, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		if ((uint64_t)sqlite3_column_int64(q, 0) != expect)
			gapless = 0;
		expect += (uint64_t)sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	ok(gapless && expect > 1, "this device's sequence runs 1..%llu without gaps",
	   (unsigned long long)expect - 1);
	is_int(b->next_seq, expect, "next_seq follows the last entry");
	is_int(verify(b, &rows, &entries, &err), FB_OK, "book_verify_chain passes (%s)",
	       err.msg);
	is_int(rows, journal_rows(b), "...counting every row");
	is_int(entries, q_int(b, "SELECT SUM(n) FROM journal"), "...and every entry");
}

/* --- the clock ------------------------------------------------------- */

static uint64_t fake_now;

static uint64_t backwards_wall(void)
{
	fake_now -= 1000;       /* a second earlier every time it is read */
	return fake_now;
}

static uint64_t ancient_wall(void)
{
	return 1000;
}

static int hlcs_increase(struct book *b)
{
	sqlite3_stmt *q = NULL;
	sqlite3_int64 last = -1;
	int ok_ = 1;

	sqlite3_prepare_v2(b->st->db,
			   "SELECT hlc FROM journal WHERE device = ?1 ORDER BY seq",
			   -1, &q, NULL);
	sqlite3_bind_text(q, 1, b->device, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (sqlite3_column_int64(q, 0) <= last)
			ok_ = 0;
		last = sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	return ok_;
}

static void test_clock(void)
{
	char path[256], id[FB_RECORD_ID_MAX + 1];
	struct book *b = new_book("clock.db");
	struct fb_error err;
	fb_hlc before;
	int i, all_ok = 1;

	fake_now = hlc_wall_ms();
	b->wall_ms = backwards_wall;
	for (i = 0; i < 10 && all_ok; i++) {
		struct field_value fv[] = { { "notes", i % 2 ? "a" : "b" } };

		if (i == 0)
			all_ok = add_member(b, "Vũ Thị Nga", id, &err) == FB_OK;
		else
			all_ok = book_edit(b, id, fv, 1, NULL, &err) == FB_OK;
	}
	ok(all_ok, "ten changes with a wall clock going back a second each time");
	ok(hlcs_increase(b), "...their HLCs strictly increase in sequence order");
	before = b->clock;
	book_close(b);

	path_in_tmp(path, sizeof(path), "clock.db");
	is_int(book_open(path, NULL, &b, &err), FB_OK, "the book reopens");
	ok(b && b->clock >= before, "the clock is persisted across close and open");
	b->wall_ms = ancient_wall;
	{
		struct field_value fv[] = { { "notes", "sau khi mở lại" } };

		is_int(book_edit(b, id, fv, 1, NULL, &err), FB_OK,
		       "an edit with the wall clock at 1970");
	}
	ok(hlcs_increase(b), "...still orders after every earlier change");
	ok((fb_hlc)q_int(b, "SELECT MAX(hlc) FROM journal") > before,
	   "...its HLC is past the last one before closing");
	is_int(verify(b, NULL, NULL, &err), FB_OK, "and the chain verifies");
	book_close(b);
}

/* --- tampering -------------------------------------------------------- */

static int exec_sql(struct book *b, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(b->st->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		printf("# %s: %s\n", sql, msg ? msg : "?");
	sqlite3_free(msg);
	return rc;
}

static void test_tamper(void)
{
	struct book *b = new_book("tamper.db");
	struct fb_error err;
	char id[FB_RECORD_ID_MAX + 1], body[1024], want[64];
	int i;

	/* Five adds of two fields: rows cseq 1..5 hold seq 1, 3, 5, 7, 9. */
	for (i = 0; i < 5; i++)
		add_member(b, i == 2 ? "Hoàng Thị Hoa" : "Ngô Thị Lan", id, &err);
	is_int(verify(b, NULL, NULL, &err), FB_OK, "five changes verify");
	is_int(q_int(b, "SELECT seq FROM journal WHERE cseq = 3"), 5,
	       "(row 3 holds entries 5..6)");
	q_text(b, "SELECT body FROM journal WHERE cseq = 3", NULL, body, sizeof(body));

	exec_sql(b, "UPDATE journal SET body = replace(body, 'Hoa', 'Hoà') WHERE cseq = 3");
	ok(q_int(b, "SELECT COUNT(*) FROM journal WHERE body LIKE '%Hoà%'") == 1,
	   "(body of row 3 altered with UPDATE)");
	is_int(verify(b, NULL, NULL, &err), FB_ECORRUPT,
	       "an altered journal body is FB_ECORRUPT");
	snprintf(want, sizeof(want), "entry 5 ");
	ok(strstr(err.msg, want) && strstr(err.msg, b->device),
	   "...naming the device and entry 5 (%s)", err.msg);

	/* Put it back: verify passes again. */
	{
		sqlite3_stmt *q = NULL;

		sqlite3_prepare_v2(b->st->db, "UPDATE journal SET body = ?1 WHERE cseq = 3",
				   -1, &q, NULL);
		sqlite3_bind_text(q, 1, body, -1, SQLITE_STATIC);
		sqlite3_step(q);
		sqlite3_finalize(q);
	}
	is_int(verify(b, NULL, NULL, &err), FB_OK, "the original body verifies again");

	exec_sql(b, "UPDATE journal SET body = body || ' []' WHERE cseq = 4");
	is_int(verify(b, NULL, NULL, &err), FB_ECORRUPT,
	       "text appended after a body's JSON is FB_ECORRUPT too (%s)", err.msg);
	exec_sql(b, "UPDATE journal SET body = substr(body, 1, length(body) - 3) WHERE cseq = 4");
	is_int(verify(b, NULL, NULL, &err), FB_OK, "(body of row 4 put back)");

	exec_sql(b, "UPDATE journal SET hlc = hlc + 1 WHERE cseq = 2");
	is_int(verify(b, NULL, NULL, &err), FB_ECORRUPT,
	       "an altered HLC is FB_ECORRUPT (%s)", err.msg);
	exec_sql(b, "UPDATE journal SET hlc = hlc - 1 WHERE cseq = 2");
	exec_sql(b, "UPDATE journal SET record_id = '" FIXED_ID "' WHERE cseq = 2");
	is_int(verify(b, NULL, NULL, &err), FB_ECORRUPT,
	       "an altered record id is FB_ECORRUPT (%s)", err.msg);
	book_close(b);

	b = new_book("tamper2.db");
	for (i = 0; i < 5; i++)
		add_member(b, "Ngô Thị Lan", id, &err);
	exec_sql(b, "UPDATE journal SET hash = zeroblob(32) WHERE cseq = 5");
	is_int(verify(b, NULL, NULL, &err), FB_ECORRUPT,
	       "an altered hash is FB_ECORRUPT (%s)", err.msg);
	ok(strstr(err.msg, "entry 9") != NULL, "...naming entry 9");
	exec_sql(b, "DELETE FROM journal WHERE cseq = 5");
	is_int(verify(b, NULL, NULL, &err), FB_OK,
	       "the last row removed: what is left verifies");
	exec_sql(b, "DELETE FROM journal WHERE cseq = 2");
	is_int(verify(b, NULL, NULL, &err), FB_ECORRUPT,
	       "a row missing in the middle is FB_ECORRUPT (%s)", err.msg);
	ok(strstr(err.msg, "entry 3") != NULL, "...naming the missing entry 3");
	book_close(b);
}

/* --- changes from other devices -------------------------------------- */

static void test_foreign(void)
{
	struct book *b = new_book("foreign.db");
	struct fb_error err;
	struct jchange c1, c2, c3, bad;
	unsigned char head[JOURNAL_HASH_LEN], h1[JOURNAL_HASH_LEN];
	uint64_t last = 0;
	int applied = -1;
	char v[256], id[FB_RECORD_ID_MAX + 1];
	long long rows;

	fb_error_clear(&err);
	foreign_change(&c1, FOREIGN, 1, t0, FIXED_ID, REC_MEMBER);
	jchange_add(&c1, "full_name", "Lê Thị Mai", NULL);
	jchange_add(&c1, "role", "branch_deputy", NULL);
	journal_hash(zero_hash, &c1);
	memcpy(h1, c1.hash, sizeof(h1));
	is_int(book_apply(b, &c1, BOOK_HASHED, &applied, &err), FB_OK,
	       "a foreign change, seq 1, hashed from zero, applies (%s)", err.msg);
	is_int(applied, 1, "...applied = 1");
	is_str(field_of(b, FIXED_ID, "full_name", v, sizeof(v)), "Lê Thị Mai",
	       "...its record is there");
	is_str(field_of(b, FIXED_ID, "role", v, sizeof(v)), "branch_deputy",
	       "...with both fields");
	is_int(book_device_head(b, FOREIGN, &last, head, &err), FB_OK, "book_device_head");
	ok(last == 2 && !memcmp(head, h1, JOURNAL_HASH_LEN),
	   "...says entries 1..2 and the change's hash");
	rows = journal_rows(b);

	applied = -1;
	is_int(book_apply(b, &c1, BOOK_HASHED, &applied, &err), FB_OK,
	       "replaying it is FB_OK");
	is_int(applied, 0, "...with applied = 0");
	is_int(journal_rows(b), rows, "...and no new row");
	applied = -1;
	memset(c1.hash, 0, sizeof(c1.hash));
	is_int(book_apply(b, &c1, 0, &applied, &err), FB_OK,
	       "replaying it without a hash is FB_OK");
	ok(applied == 0 && !memcmp(c1.hash, h1, sizeof(h1)),
	   "...applied = 0 and c->hash set to the hash held");

	/* Same sequence, other content, its own correct hash from zero. */
	foreign_change(&bad, FOREIGN, 1, t0, FIXED_ID, REC_MEMBER);
	jchange_add(&bad, "full_name", "Lê Thị Mây", NULL);
	jchange_add(&bad, "role", "branch_deputy", NULL);
	journal_hash(zero_hash, &bad);
	is_int(book_apply(b, &bad, BOOK_HASHED, &applied, &err), FB_ECORRUPT,
	       "sequence 1 again with other content is FB_ECORRUPT (%s)", err.msg);
	jchange_release(&bad);
	foreign_change(&bad, FOREIGN, 1, t0, FIXED_ID, REC_MEMBER);
	jchange_add(&bad, "full_name", "Lê Thị Mai", NULL);
	journal_hash(zero_hash, &bad);
	is_int(book_apply(b, &bad, 0, &applied, &err), FB_ECORRUPT,
	       "sequence 1 again with another number of entries is FB_ECORRUPT (%s)",
	       err.msg);
	jchange_release(&bad);
	is_str(field_of(b, FIXED_ID, "full_name", v, sizeof(v)), "Lê Thị Mai",
	       "...the record is unchanged");

	/* A gap: entries 1..2 held, 4 offered. */
	foreign_change(&c3, FOREIGN, 4, t0 + 10, FIXED_ID, REC_MEMBER);
	jchange_add(&c3, "phone", "0911111111", NULL);
	journal_hash(h1, &c3);
	is_int(book_apply(b, &c3, BOOK_HASHED, &applied, &err), FB_ECONFLICT,
	       "a change after a gap is FB_ECONFLICT (%s)", err.msg);
	ok(strstr(err.msg, "expected entry 3") != NULL, "...naming the expected entry 3");
	jchange_release(&c3);

	/* Wrong hash: seq 3 but chained from zero, not from c1. */
	foreign_change(&c2, FOREIGN, 3, t0 + 5, FIXED_ID, REC_MEMBER);
	jchange_add(&c2, "phone", "0911111111", NULL);
	journal_hash(zero_hash, &c2);
	is_int(book_apply(b, &c2, BOOK_HASHED, &applied, &err), FB_ECORRUPT,
	       "a change whose hash does not follow is FB_ECORRUPT (%s)", err.msg);
	memset(c2.hash, 0, sizeof(c2.hash));
	is_int(book_apply(b, &c2, BOOK_HASHED, &applied, &err), FB_ECORRUPT,
	       "...so is a zero hash");
	is_int(journal_rows(b), rows, "refused changes write nothing");
	is_str(field_of(b, FIXED_ID, "phone", v, sizeof(v)), "",
	       "...and change no record");

	journal_hash(h1, &c2);
	is_int(book_apply(b, &c2, BOOK_HASHED, &applied, &err), FB_OK,
	       "the right hash for entry 3 applies");
	{
		unsigned char h2[JOURNAL_HASH_LEN];

		memcpy(h2, c2.hash, sizeof(h2));
		jchange_release(&c2);

		/* Without BOOK_HASHED the hash is computed. */
		foreign_change(&c2, FOREIGN, 4, t0 + 6, FIXED_ID, REC_MEMBER);
		jchange_add(&c2, "notes", "ghi chú", NULL);
		memset(c2.hash, 0x77, sizeof(c2.hash));
		is_int(book_apply(b, &c2, 0, &applied, &err), FB_OK,
		       "a change with no hash given (no BOOK_HASHED) applies");
		memcpy(head, c2.hash, sizeof(head));
		journal_hash(h2, &c2);
		ok(!memcmp(head, c2.hash, sizeof(head)),
		   "...and c->hash is the chain's hash after it");
		memcpy(h2, c2.hash, sizeof(h2));
		jchange_release(&c2);

		/* Values must be canonical and fields known. */
		foreign_change(&bad, FOREIGN, 5, t0 + 7, FIXED_ID, REC_MEMBER);
		jchange_add(&bad, "full_name", "  Mai  ", NULL);
		journal_hash(h2, &bad);
		is_int(book_apply(b, &bad, BOOK_HASHED, &applied, &err), FB_EINVAL,
		       "a value not in canonical form is refused (%s)", err.msg);
		jchange_release(&bad);
		foreign_change(&bad, FOREIGN, 5, t0 + 7, FIXED_ID, REC_MEMBER);
		jchange_add(&bad, "shoe_size", "38", NULL);
		journal_hash(h2, &bad);
		is_int(book_apply(b, &bad, BOOK_HASHED, &applied, &err), FB_EINVAL,
		       "an unknown field is refused (%s)", err.msg);
		jchange_release(&bad);
		foreign_change(&bad, FOREIGN, 5, t0 + 7, FIXED_ID, REC_TRAINING);
		jchange_add(&bad, "title", "x", NULL);
		journal_hash(h2, &bad);
		is_int(book_apply(b, &bad, BOOK_HASHED, &applied, &err), FB_EINVAL,
		       "a change calling a member a training is refused (%s)", err.msg);
		jchange_release(&bad);
		foreign_change(&bad, FOREIGN, 5, t0 + 7, FIXED_ID, REC_MEMBER);
		snprintf(bad.branch, sizeof(bad.branch), "HN.PL.TT.04");
		jchange_add(&bad, "phone", "1", NULL);
		journal_hash(h2, &bad);
		is_int(book_apply(b, &bad, BOOK_HASHED, &applied, &err), FB_EINVAL,
		       "a change moving a record to another branch is refused (%s)", err.msg);
		jchange_release(&bad);
		foreign_change(&bad, FOREIGN, 5, t0 + 7, FIXED_ID, REC_MEMBER);
		jchange_add(&bad, "phone", "1", NULL);
		jchange_add(&bad, "phone", "2", NULL);
		journal_hash(h2, &bad);
		is_int(book_apply(b, &bad, BOOK_HASHED, &applied, &err), FB_EINVAL,
		       "a change with one field twice is refused (%s)", err.msg);
		jchange_release(&bad);
	}
	foreign_change(&bad, "Not A Device", 1, t0, FIXED_ID2, REC_MEMBER);
	jchange_add(&bad, "full_name", "x", NULL);
	journal_hash(zero_hash, &bad);
	is_int(book_apply(b, &bad, BOOK_HASHED, &applied, &err), FB_EINVAL,
	       "an invalid device id is refused (%s)", err.msg);
	jchange_release(&bad);
	is_int(book_device_head(b, FOREIGN, &last, head, &err), FB_OK,
	       "book_device_head after the refusals");
	is_int(last, 4, "after the refusals the foreign device's head is still 4");

	/* A foreign clock far ahead pushes ours forward. */
	{
		fb_hlc ahead = HLC_MAKE(hlc_wall_ms() + HOUR_MS, 0);

		is_int(apply_one(b, FOREIGN2, 1, zero_hash, ahead, FIXED_ID2, "full_name",
				 "Đinh Thị Hà", NULL, &applied), FB_OK,
		       "a change stamped an hour ahead applies");
		ok(b->clock >= ahead, "...the clock observed it");
		is_int(apply_one(b, FOREIGN2, 3, zero_hash, ahead + 1, FIXED_ID2, "phone",
				 "1", NULL, &applied), FB_ECONFLICT,
		       "that device's seq 3 after its seq 1 is a gap: FB_ECONFLICT");
		is_int(add_member(b, "Mới thêm", id, &err), FB_OK, "a local add after it");
		ok((fb_hlc)q_int(b, "SELECT MAX(hlc) FROM journal WHERE device = "
				    "(SELECT value FROM meta WHERE key = 'device')") > ahead,
		   "...is stamped after the foreign change");
	}
	is_int(verify(b, NULL, NULL, &err), FB_OK,
	       "the chain verifies with three devices (%s)", err.msg);
	jchange_release(&c1);
	book_close(b);
}

/* --- concurrent edits from two devices ------------------------------- */

struct merged {
	char value[256];
	struct fb_stamp stamp;
	long long conflicts;
	char losers[1024];      /* sorted "device/value;" of the log */
	char x_winner[256];     /* winner logged against FOREIGN's value */
	char vals[1024], clk[1024]; /* the record row as stored */
	int verified;
};

static void read_merged(struct book *b, const char *id, struct merged *m)
{
	struct record *r = NULL;
	sqlite3_stmt *q = NULL;
	struct fb_error err;
	int fi = model_field_index(model_type(REC_MEMBER), "full_name");

	memset(m, 0, sizeof(*m));
	if (book_get(b, id, &r, &err) == FB_OK) {
		snprintf(m->value, sizeof(m->value), "%s", record_get(r, "full_name"));
		m->stamp = r->stamp[fi];
		record_free(r);
	}
	m->conflicts = q_int(b, "SELECT COUNT(*) FROM conflict");
	sqlite3_prepare_v2(b->st->db,
			   "SELECT loser_device || '/' || loser_value || ';' FROM conflict"
			   " ORDER BY loser_device, loser_value", -1, &q, NULL);
	while (sqlite3_step(q) == SQLITE_ROW)
		strncat(m->losers, (const char *)sqlite3_column_text(q, 0),
			sizeof(m->losers) - strlen(m->losers) - 1);
	sqlite3_finalize(q);
	q_text(b, "SELECT winner_value FROM conflict WHERE loser_device = ?1"
		  " AND field = 'full_name'", FOREIGN, m->x_winner, sizeof(m->x_winner));
	q_text(b, "SELECT vals FROM record WHERE id = ?1", id, m->vals, sizeof(m->vals));
	q_text(b, "SELECT clk FROM record WHERE id = ?1", id, m->clk, sizeof(m->clk));
	m->verified = verify(b, NULL, NULL, &err) == FB_OK;
}

/*
 * On a fresh book: CREATOR makes the record; FOREIGN (x) and FOREIGN2
 * (y) then each write full_name from base zero, not having seen it.
 */
static void run_concurrent(const char *name, int x_first, fb_hlc hx, fb_hlc hy,
			   struct merged *m)
{
	struct book *b = new_book(name);
	struct jchange c;
	struct fb_error err;
	int i;

	foreign_change(&c, CREATOR, 1, t0, FIXED_ID, REC_MEMBER);
	jchange_add(&c, "full_name", "Phạm Thị Thu", NULL);
	jchange_add(&c, "role", "member", NULL);
	journal_hash(zero_hash, &c);
	if (book_apply(b, &c, BOOK_HASHED, NULL, &err) != FB_OK)
		printf("# creator: %s\n", err.msg);
	jchange_release(&c);
	for (i = 0; i < 2; i++) {
		if ((i == 0) == !!x_first)
			apply_one(b, FOREIGN, 1, zero_hash, t0 + hx, FIXED_ID,
				  "full_name", "Phạm Thị Thu Hà", NULL, NULL);
		else
			apply_one(b, FOREIGN2, 1, zero_hash, t0 + hy, FIXED_ID,
				  "full_name", "Phạm Thu Hà", NULL, NULL);
	}
	read_merged(b, FIXED_ID, m);
	book_close(b);
}

static void test_concurrent(void)
{
	struct merged xy, yx;

	/* y is newer: y wins in both orders. */
	run_concurrent("conc_xy.db", 1, 100, 200, &xy);
	run_concurrent("conc_yx.db", 0, 100, 200, &yx);
	is_str(xy.value, "Phạm Thu Hà", "x then y: the newer (y) value is current");
	is_str(yx.value, "Phạm Thu Hà", "y then x: the newer (y) value is current");
	ok(stamp_eq(&xy.stamp, &yx.stamp) && !strcmp(xy.stamp.device, FOREIGN2),
	   "...with the same stamp, y's, in both books");
	ok(xy.vals[0] && !strcmp(xy.vals, yx.vals), "...the whole record's values are equal");
	ok(xy.clk[0] && !strcmp(xy.clk, yx.clk), "...and so are its field stamps");
	ok(xy.conflicts >= 1 && yx.conflicts >= 1, "both books have conflict rows (%lld, %lld)",
	   xy.conflicts, yx.conflicts);
	is_str(xy.x_winner, "Phạm Thu Hà", "x then y: x's value is logged, losing to y's");
	is_str(yx.x_winner, "Phạm Thu Hà", "y then x: x's value is logged, losing to y's");
	is_str(xy.losers, yx.losers, "both books log the same losers");
	ok(strstr(xy.losers, CREATOR "/Phạm Thị Thu;") != NULL,
	   "...including the creator's value that neither writer saw");
	ok(xy.verified && yx.verified, "both books verify");

	/* Equal HLCs: the greater device id (feedface > deadbeef) wins. */
	run_concurrent("tie_xy.db", 1, 300, 300, &xy);
	run_concurrent("tie_yx.db", 0, 300, 300, &yx);
	is_str(xy.value, "Phạm Thị Thu Hà", "equal HLC, x then y: x (greater device) wins");
	is_str(yx.value, "Phạm Thị Thu Hà", "equal HLC, y then x: x wins");
	ok(stamp_eq(&xy.stamp, &yx.stamp), "...same stamp in both books");
	is_str(xy.losers, yx.losers, "...same losers logged");
	ok(strstr(xy.losers, FOREIGN2 "/Phạm Thu Hà;") != NULL, "...y's value is logged");
}

/* --- an edit meeting a delete ---------------------------------------- */

struct del_result {
	int deleted;
	char name[128];
	long long delete_conflicts;
	char loser[128];
};

static void run_edit_delete(const char *file, int delete_first, fb_hlc hdel,
			    fb_hlc hedit, struct del_result *out)
{
	struct book *b = new_book(file);
	struct fb_stamp created = mkstamp(t0, CREATOR);
	struct record *r = NULL;
	int i;

	memset(out, 0, sizeof(*out));
	apply_one(b, CREATOR, 1, zero_hash, t0, FIXED_ID, "full_name", "Bùi Thị Yến",
		  NULL, NULL);
	for (i = 0; i < 2; i++) {
		if ((i == 0) == !!delete_first)
			apply_one(b, FOREIGN, 1, zero_hash, t0 + hdel, FIXED_ID,
				  FIELD_DELETED, "1", NULL, NULL);
		else
			apply_one(b, FOREIGN2, 1, zero_hash, t0 + hedit, FIXED_ID,
				  "full_name", "Bùi Thị Hải Yến", &created, NULL);
	}
	if (book_get(b, FIXED_ID, &r, NULL) == FB_OK) {
		out->deleted = record_deleted(r);
		snprintf(out->name, sizeof(out->name), "%s", record_get(r, "full_name"));
		record_free(r);
	}
	out->delete_conflicts = q_int(b, "SELECT COUNT(*) FROM conflict WHERE kind = 'delete'");
	q_text(b, "SELECT loser_value FROM conflict WHERE kind = 'delete'", NULL,
	       out->loser, sizeof(out->loser));
	book_close(b);
}

/* Deletes in these runs carry no seen vector (the previous release). */
static void test_edit_delete(void)
{
	struct del_result a, d;

	run_edit_delete("del_newer_a.db", 1, 100, 200, &a);
	run_edit_delete("del_newer_b.db", 0, 100, 200, &d);
	ok(a.deleted && d.deleted, "an edit newer than a delete: stays deleted in both orders");
	is_str(a.name, "Bùi Thị Hải Yến", "...the edit's value is in the record (delete first)");
	is_str(d.name, "Bùi Thị Hải Yến", "...the edit's value is in the record (edit first)");
	ok(a.delete_conflicts == 1 && d.delete_conflicts == 1,
	   "...one edit-vs-delete conflict in both orders (%lld, %lld)",
	   a.delete_conflicts, d.delete_conflicts);
	is_str(a.loser, "Bùi Thị Hải Yến", "...logging the edit (delete first)");
	is_str(d.loser, "Bùi Thị Hải Yến", "...logging the edit (edit first)");

	/* These deletes carry no seen vector, as the previous release
	 * wrote them: the rule of that release holds for them. */
	run_edit_delete("del_older_a.db", 1, 200, 100, &a);
	run_edit_delete("del_older_b.db", 0, 200, 100, &d);
	ok(a.deleted && d.deleted, "an edit older than a delete without a seen vector:"
	   " deleted in both orders");
	ok(a.delete_conflicts == 0 && d.delete_conflicts == 0,
	   "...and no edit-vs-delete conflict, as the previous release decided (%lld, %lld)",
	   a.delete_conflicts, d.delete_conflicts);
	is_str(a.name, d.name, "...the same name kept for a restore");
}

/*
 * Delete (FOREIGN, seq 1), restore (FOREIGN, seq 2, base the delete) and
 * a concurrent edit (FOREIGN2) in the three orders that keep FOREIGN's
 * sequence.  The state must be the same in all; the edit's value is
 * current, so nothing is lost.
 */
static void test_delete_restore_orders(void)
{
	static const char *const orders[] = { "DRE", "DER", "EDR" };
	char first_name[128] = "", name[128], file[32];
	int i, k, same = 1, restored = 1;
	long long logged[3], open[3];

	for (k = 0; k < 3; k++) {
		struct fb_stamp created = mkstamp(t0, CREATOR);
		struct fb_stamp del = mkstamp(t0 + 100, FOREIGN);
		unsigned char h1[JOURNAL_HASH_LEN];
		struct book *b;
		struct record *r = NULL;
		struct jchange c;

		snprintf(file, sizeof(file), "restore_%s.db", orders[k]);
		b = new_book(file);
		apply_one(b, CREATOR, 1, zero_hash, t0, FIXED_ID, "full_name",
			  "Bùi Thị Yến", NULL, NULL);
		/* FOREIGN's delete, for the chain hash of its restore. */
		foreign_change(&c, FOREIGN, 1, t0 + 100, FIXED_ID, REC_MEMBER);
		jchange_add(&c, FIELD_DELETED, "1", NULL);
		journal_hash(zero_hash, &c);
		memcpy(h1, c.hash, sizeof(h1));
		jchange_release(&c);
		for (i = 0; i < 3; i++) {
			switch (orders[k][i]) {
			case 'D':
				apply_one(b, FOREIGN, 1, zero_hash, t0 + 100, FIXED_ID,
					  FIELD_DELETED, "1", NULL, NULL);
				break;
			case 'R':
				apply_one(b, FOREIGN, 2, h1, t0 + 130, FIXED_ID,
					  FIELD_DELETED, "0", &del, NULL);
				break;
			default:
				apply_one(b, FOREIGN2, 1, zero_hash, t0 + 120, FIXED_ID,
					  "full_name", "Bùi Thị Hải Yến", &created, NULL);
			}
		}
		name[0] = '\0';
		if (book_get(b, FIXED_ID, &r, NULL) == FB_OK) {
			snprintf(name, sizeof(name), "%s", record_get(r, "full_name"));
			if (record_deleted(r))
				restored = 0;
			record_free(r);
		}
		if (k == 0)
			snprintf(first_name, sizeof(first_name), "%s", name);
		else if (strcmp(name, first_name))
			same = 0;
		if (strcmp(name, "Bùi Thị Hải Yến"))
			restored = 0;
		logged[k] = q_int(b, "SELECT COUNT(*) FROM conflict WHERE kind = 'delete'");
		open[k] = q_int(b, "SELECT COUNT(*) FROM conflict WHERE kind = 'delete'"
				   " AND resolved = 0");
		book_close(b);
	}
	ok(same, "delete, restore and a concurrent edit: same name in all 3 orders");
	ok(restored, "...restored, with the edit's value current");
	ok(open[0] == 0 && open[1] == 0 && open[2] == 0,
	   "...and no delete conflict open in any order (%lld/%lld/%lld)",
	   open[0], open[1], open[2]);
	printf("# edit-vs-delete rows by order DRE/DER/EDR: %lld/%lld/%lld"
	       " (a replica that saw the record deleted with the edit keeps the"
	       " row, settled)\n", logged[0], logged[1], logged[2]);
}

/* --- the seen vector of a delete ------------------------------------- */

/* A two-entry foreign change: fields f1 = v1 and f2 = v2, bases zero. */
static enum fb_code apply_two(struct book *b, const char *device, uint64_t seq,
			      const unsigned char *prev, fb_hlc hlc, const char *id,
			      const char *f1, const char *v1, const char *f2,
			      const char *v2, struct fb_error *err)
{
	struct jchange c;
	enum fb_code rc;

	foreign_change(&c, device, seq, hlc, id, REC_MEMBER);
	jchange_add(&c, f1, v1, NULL);
	if (f2)
		jchange_add(&c, f2, v2, NULL);
	journal_hash(prev, &c);
	fb_error_clear(err);
	rc = book_apply(b, &c, BOOK_HASHED, NULL, err);
	jchange_release(&c);
	return rc;
}

static void test_seen_checked(void)
{
	struct book *b = new_book("seen_checked.db");
	struct fb_error err;
	char stamp[STAMP_TEXT_MAX], seen[256], id[FB_RECORD_ID_MAX + 1];
	struct fb_stamp made = mkstamp(t0, CREATOR);
	long long rows;

	stamp_format(&made, stamp);
	snprintf(seen, sizeof(seen), "full_name@%s", stamp);
	apply_one(b, CREATOR, 1, zero_hash, t0, FIXED_ID, "full_name", "Bùi Thị Yến",
		  NULL, NULL);
	rows = journal_rows(b);
	is_int(apply_two(b, FOREIGN, 1, zero_hash, t0 + 10, FIXED_ID, FIELD_SEEN, seen,
			 NULL, NULL, &err), FB_EINVAL,
	       "a seen vector alone is refused (%s)", err.msg);
	is_int(apply_two(b, FOREIGN, 1, zero_hash, t0 + 10, FIXED_ID, "phone", "1",
			 FIELD_SEEN, seen, &err), FB_EINVAL,
	       "a seen vector with an edit is refused (%s)", err.msg);
	is_int(apply_two(b, FOREIGN, 1, zero_hash, t0 + 10, FIXED_ID, FIELD_DELETED, "0",
			 FIELD_SEEN, seen, &err), FB_EINVAL,
	       "a seen vector with a restore is refused (%s)", err.msg);
	is_int(apply_two(b, FOREIGN, 1, zero_hash, t0 + 10, FIXED_ID, FIELD_DELETED, "1",
			 FIELD_SEEN, "notes@0000000000000001:x,full_name@0000000000000002:x",
			 &err), FB_EINVAL,
	       "a delete whose vector is not canonical is refused (%s)", err.msg);
	is_int(journal_rows(b), rows, "...none of them is written");
	is_int(apply_two(b, FOREIGN, 1, zero_hash, t0 + 10, FIXED_ID, FIELD_DELETED, "1",
			 FIELD_SEEN, seen, &err), FB_OK,
	       "a delete with its vector applies (%s)", err.msg);
	{
		struct field_value fv[] = { { FIELD_SEEN, seen } };

		is_int(add_member(b, "Lò Thị Xuân", id, &err), FB_OK, "a member of our own");
		is_int(book_edit(b, id, fv, 1, NULL, &err), FB_EINVAL,
		       "edit refuses the seen vector (%s)", err.msg);
		ok(strstr(err.msg, "has no field '_seen'") != NULL, "...as no field of a member");
		is_int(book_add(b, REC_MEMBER, NULL, fv, 1, id, &err), FB_EINVAL,
		       "so does add (%s)", err.msg);
	}
	book_close(b);
}

/* Two laptops and a hub; the laptops' clocks are ours to set. */
static uint64_t wall_a_ms, wall_b_ms;
static uint64_t wall_a(void) { return wall_a_ms; }
static uint64_t wall_b(void) { return wall_b_ms; }

#define RELAY_MAX   64
#define B_EDIT      "B sửa khi không có mạng"

struct trio {
	struct book *a, *b, *hub;
	char id[FB_RECORD_ID_MAX + 1];
};

/*
 * src's own changes to dst, replays changing nothing: as the hub takes
 * a push (flags 0) or a laptop a pull (BOOK_FROM_HUB).
 */
static enum fb_code relay(struct book *src, struct book *dst, int flags)
{
	struct jchange cs[RELAY_MAX];
	struct fb_error err;
	enum fb_code rc;
	size_t n = 0, k;

	fb_error_clear(&err);
	rc = book_own_changes(src, 0, cs, RELAY_MAX, SIZE_MAX, &n, &err);
	for (k = 0; k < n; k++) {
		if (rc == FB_OK)
			rc = book_apply(dst, &cs[k], flags, NULL, &err);
		jchange_release(&cs[k]);
	}
	if (rc != FB_OK)
		printf("# relay: %s\n", err.msg);
	return rc;
}

static void push_pull_all(struct trio *t)
{
	if (relay(t->a, t->hub, 0) || relay(t->b, t->hub, 0) ||
	    relay(t->b, t->a, BOOK_FROM_HUB) || relay(t->a, t->b, BOOK_FROM_HUB))
		printf("# a sync failed\n");
}

/* A book's delete conflicts of id, one line each, sorted. */
static const char *delete_log(struct book *b, const char *id, char *out, size_t size)
{
	return q_text(b, "SELECT coalesce(group_concat(x, '; '), '') FROM (SELECT field"
		      " || ' = ' || loser_value || ' at ' || printf('%016x', loser_hlc)"
		      " || ':' || loser_device || ' against ' || winner_value || ' at '"
		      " || printf('%016x', winner_hlc) || ':' || winner_device"
		      " || CASE resolved WHEN 0 THEN ' (open)' ELSE ' (settled)' END AS x"
		      " FROM conflict WHERE record_id = ?1 AND kind = 'delete' ORDER BY x)",
		      id, out, size);
}

static long long open_deletes(struct book *b)
{
	return q_int(b, "SELECT COUNT(*) FROM conflict WHERE kind = 'delete' AND resolved = 0");
}

/*
 * Laptop A makes a member; laptop B gets it and, offline, edits its
 * notes; later A deletes the member, having seen B's edit (a_saw) or
 * not.  The hub takes A's delete and B's edit in the order asked, then
 * each laptop pulls the other's.
 */
static void run_trio(const char *tag, int delete_first, int a_saw, struct trio *t)
{
	struct field_value fv[] = { { "notes", B_EDIT } };
	char file[64];
	struct fb_error err;
	uint64_t base = hlc_wall_ms() - HOUR_MS;

	snprintf(file, sizeof(file), "trio_%s_a.db", tag);
	t->a = new_book(file);
	snprintf(file, sizeof(file), "trio_%s_b.db", tag);
	t->b = new_book(file);
	snprintf(file, sizeof(file), "trio_%s_hub.db", tag);
	t->hub = new_book(file);
	t->a->wall_ms = wall_a;
	t->b->wall_ms = wall_b;
	wall_a_ms = wall_b_ms = base;
	fb_error_clear(&err);
	if (add_member(t->a, "Đỗ Thị Sáu", t->id, &err) != FB_OK)
		printf("# add: %s\n", err.msg);
	relay(t->a, t->hub, 0);
	relay(t->a, t->b, BOOK_FROM_HUB);
	wall_b_ms = base + 10000;
	if (book_edit(t->b, t->id, fv, 1, NULL, &err) != FB_OK)
		printf("# edit: %s\n", err.msg);
	if (a_saw) {
		relay(t->b, t->hub, 0);
		relay(t->b, t->a, BOOK_FROM_HUB);
	}
	wall_a_ms = base + 20000;
	if (book_set_deleted(t->a, t->id, 1, &err) != FB_OK)
		printf("# delete: %s\n", err.msg);
	if (delete_first) {
		relay(t->a, t->hub, 0);
		relay(t->b, t->hub, 0);
	} else {
		relay(t->b, t->hub, 0);
		relay(t->a, t->hub, 0);
	}
	relay(t->b, t->a, BOOK_FROM_HUB);
	relay(t->a, t->b, BOOK_FROM_HUB);
}

static void close_trio(struct trio *t)
{
	book_close(t->a);
	book_close(t->b);
	book_close(t->hub);
}

/* The three books hold the member alike, and log its delete conflicts alike. */
static void check_trio(const char *what, struct trio *t, int deleted, long long open)
{
	struct book *bk[3] = { t->a, t->b, t->hub };
	static const char *const who[3] = { "A", "B", "the hub" };
	char log0[1024], logk[1024];
	int k;

	delete_log(t->a, t->id, log0, sizeof(log0));
	for (k = 0; k < 3; k++) {
		struct record *r = NULL;
		struct fb_error err;

		if (book_get(bk[k], t->id, &r, &err) != FB_OK) {
			ok(0, "%s: %s has no member (%s)", what, who[k], err.msg);
			continue;
		}
		ok(record_deleted(r) == deleted && !strcmp(record_get(r, "notes"), B_EDIT),
		   "%s: %s holds it %s, with B's notes", what, who[k],
		   deleted ? "deleted" : "not deleted");
		record_free(r);
		is_int(open_deletes(bk[k]), open, "%s: %s has %lld open delete conflict%s",
		       what, who[k], open, open == 1 ? "" : "s");
		if (k)
			is_str(delete_log(bk[k], t->id, logk, sizeof(logk)), log0,
			       "%s: %s logs what A logs", what, who[k]);
		is_int(verify(bk[k], NULL, NULL, &err), FB_OK, "%s: %s verifies", what, who[k]);
	}
}

/* The open delete conflict of t's member on book b, or -1. */
static long long open_delete_id(struct book *b, const char *id)
{
	char out[32];

	q_text(b, "SELECT id FROM conflict WHERE kind = 'delete' AND resolved = 0"
	       " AND record_id = ?1", id, out, sizeof(out));
	return out[0] ? atoll(out) : -1;
}

static void test_older_edit_delete(void)
{
	struct trio t;
	struct fb_error err;
	struct jchange cs[RELAY_MAX];
	struct fb_stamp seen[RECORD_FIELDS_MAX];
	const struct type_def *mt = model_type(REC_MEMBER);
	char log[1024];
	size_t n = 0, k;
	long long cid;

	fb_error_clear(&err);
	/* The delete reaches the hub first. */
	run_trio("df", 1, 0, &t);
	is_int(book_own_changes(t.a, 0, cs, RELAY_MAX, SIZE_MAX, &n, &err), FB_OK,
	       "A's journal reads");
	ok(n == 2 && cs[1].n == 2 && !strcmp(cs[1].e[0].field, FIELD_DELETED) &&
	   !strcmp(cs[1].e[1].field, FIELD_SEEN), "A's delete writes deleted and _seen");
	if (n == 2 && cs[1].n == 2) {
		is_int(seen_parse(mt, cs[1].e[1].value, seen, RECORD_FIELDS_MAX, &err), FB_OK,
		       "...a canonical vector (%s)", cs[1].e[1].value);
		ok(seen[model_field_index(mt, "full_name")].hlc == cs[0].hlc &&
		   !strcmp(seen[model_field_index(mt, "full_name")].device, cs[0].device) &&
		   seen[model_field_index(mt, "notes")].hlc == 0,
		   "...listing the name A wrote, and no notes: A never saw B's");
	}
	for (k = 0; k < n; k++)
		jchange_release(&cs[k]);
	check_trio("older edit, delete first at the hub", &t, 1, 1);
	ok(strstr(delete_log(t.hub, t.id, log, sizeof(log)), "notes = " B_EDIT) == log,
	   "...the conflict is B's notes against the delete (%s)", log);

	/* B decides for its edit: the member is back everywhere, settled. */
	cid = open_delete_id(t.b, t.id);
	is_int(book_resolve_keep(t.b, cid, 0, &err), FB_OK,
	       "B resolves #%lld for its edit (%s)", cid, err.msg);
	push_pull_all(&t);
	check_trio("after resolve --keep other", &t, 0, 0);
	ok(strstr(delete_log(t.a, t.id, log, sizeof(log)), "(settled)") != NULL,
	   "...A's row is settled (%s)", log);
	close_trio(&t);

	/* The edit reaches the hub first. */
	run_trio("ef", 0, 0, &t);
	check_trio("older edit, edit first at the hub", &t, 1, 1);
	/* A keeps the delete: a new delete that saw B's edit. */
	cid = open_delete_id(t.a, t.id);
	is_int(book_resolve_keep(t.a, cid, 1, &err), FB_OK,
	       "A resolves #%lld keeping the delete (%s)", cid, err.msg);
	push_pull_all(&t);
	check_trio("after resolve --keep current", &t, 1, 0);
	ok(strstr(delete_log(t.b, t.id, log, sizeof(log)), "(settled)") != NULL,
	   "...B's row is settled (%s)", log);
	close_trio(&t);

	/* A saw B's edit before deleting: nothing to decide. */
	run_trio("saw", 1, 1, &t);
	check_trio("a delete that saw the edit", &t, 1, 0);
	is_str(delete_log(t.hub, t.id, log, sizeof(log)), "", "...nothing logged at all");
	close_trio(&t);
}

int main(void)
{
	struct book *b;
	char member[FB_RECORD_ID_MAX + 1], training[FB_RECORD_ID_MAX + 1];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/fieldbook-test-book.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	t0 = HLC_MAKE(hlc_wall_ms() - HOUR_MS, 0);
	test_create_open();
	test_rollback();

	b = new_book("main.db");
	test_add(b, member, training);
	test_refs(b, member, training);
	test_attendance(b, member, training);
	test_edit(b, member);
	test_sequence(b);
	book_close(b);

	test_clock();
	test_tamper();
	test_foreign();
	test_concurrent();
	test_edit_delete();
	test_delete_restore_orders();
	test_seen_checked();
	test_older_edit_delete();

	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
