/* test_book_find.c - records named as people name them (shared/book_find.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "book_find.h"
#include "text.h"
#include "tap.h"

static struct book *b;
static struct book_names *names;

static void add(enum rec_type t, const struct field_value *fv, size_t n,
		char id[FB_RECORD_ID_MAX + 1])
{
	struct fb_error err = { 0 };

	if (book_add(b, t, NULL, fv, n, id, &err) != FB_OK) {
		printf("Bail out! %s\n", err.msg);
		exit(1);
	}
}

/* found(ref, flags): the id found, or "ENOENT" / "EINVAL n" / the code. */
static const char *found(const char *ref, int flags)
{
	static char out[FB_RECORD_ID_MAX + 32];
	struct fb_error err = { 0 };
	struct book_found f;
	enum fb_code rc = book_names_find(names, ref, flags, &f, &err);

	if (rc == FB_OK)
		snprintf(out, sizeof(out), "%s", f.id);
	else if (rc == FB_ENOENT)
		snprintf(out, sizeof(out), "ENOENT");
	else if (rc == FB_EINVAL)
		snprintf(out, sizeof(out), "EINVAL %zu", f.n);
	else
		snprintf(out, sizeof(out), "code %d", (int)rc);
	return out;
}

static void reopen(void)
{
	struct fb_error err = { 0 };

	book_names_close(names);
	names = NULL;
	if (book_names_open(b, &names, &err) != FB_OK) {
		printf("Bail out! %s\n", err.msg);
		exit(1);
	}
}

int main(void)
{
	char path[] = "/tmp/test_book_find_XXXXXX", db[64];
	char lan[FB_RECORD_ID_MAX + 1], lan2[FB_RECORD_ID_MAX + 1], nhung[FB_RECORD_ID_MAX + 1];
	char mai_old[FB_RECORD_ID_MAX + 1], mai[FB_RECORD_ID_MAX + 1];
	char t1[FB_RECORD_ID_MAX + 1], v1[FB_RECORD_ID_MAX + 1], att[FB_RECORD_ID_MAX + 1];
	char sid[FB_ATT_ID_LEN + 1], ref[128], *folded = NULL;
	struct fb_buf line = FB_BUF_INIT(0);
	struct fb_error err = { 0 };
	struct book_found f;
	const struct book_name *e;

	if (!mkdtemp(path))
		return 1;
	snprintf(db, sizeof(db), "%s/fb.db", path);
	if (book_create(db, "HN.PL.TT.03", "Chi hội 3", &err) != FB_OK ||
	    book_open(db, NULL, &b, &err) != FB_OK) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}
	{
		struct field_value m1[] = { { "full_name", "Nguyễn Thị Lan" }, { "birth_year", "1985" },
					    { "phone", "0912345678" } };
		struct field_value m2[] = { { "full_name", "Trần Thị Lan" } };
		struct field_value m3[] = { { "full_name", "Nguyễn Thị Hồng Nhung" } };
		struct field_value m4[] = { { "full_name", "Phạm Thị Mai" } };
		struct field_value t[] = { { "title", "Kỹ năng lãnh đạo" }, { "start_date", "2026-03-08" },
					   { "topics", "leadership" }, { "location", "Nhà văn hóa" } };

		add(REC_MEMBER, m1, 3, lan);
		add(REC_MEMBER, m2, 1, lan2);
		add(REC_MEMBER, m3, 1, nhung);
		add(REC_MEMBER, m4, 1, mai_old);
		add(REC_MEMBER, m4, 1, mai);
		add(REC_TRAINING, t, 4, t1);
	}
	{
		struct field_value v[] = { { "visit_date", "2026-01-25" }, { "reason", "tet" },
					   { "member_id", nhung }, { "gift", "Quà Tết" } };
		struct field_value a[] = { { "training_id", t1 }, { "member_id", lan } };

		add(REC_VISIT, v, 4, v1);
		add(REC_ATTENDANCE, a, 2, att);
	}
	ok(book_set_deleted(b, mai_old, 1, &err) == FB_OK, "one of two members of the same name deleted");
	reopen();

	/* The index. */
	e = book_names_get(names, lan);
	ok(e && e->type == REC_MEMBER && !strcmp(e->label, "Nguyễn Thị Lan") &&
	   !strcmp(e->year, "1985") && !strcmp(e->phone, "0912345678"), "a member in the index");
	ok(e && !strcmp(e->folded, "nguyen thi lan"), "her name folded");
	ok(e && strlen(e->short_id) == SHORTID_MIN && !strcmp(e->short_id, lan + FB_ID_LEN - 8),
	   "her short id: the last 8 digits of her id");
	e = book_names_get(names, v1);
	ok(e && !strcmp(e->label, "Nguyễn Thị Hồng Nhung") && !strcmp(e->date, "2026-01-25"),
	   "a visit to a member is labelled with her name");
	ok(book_names_get(names, att) == NULL, "attendance is not in the index");
	is_int((long long)book_names_short_width(names, REC_MEMBER), SHORTID_MIN,
	       "list's ID column: 8 wide when no two ids end alike");
	ok(book_names_get(names, "nope") == NULL, "nor what is no id");

	/* Finding. */
	is_str(found(lan, BOOK_FIND_ANY), lan, "a full id is itself");
	is_str(found("00000000-0000-4000-8000-000000000000", BOOK_FIND_ANY),
	       "00000000-0000-4000-8000-000000000000", "even one of no record (the command says so)");
	is_str(found(att, BOOK_FIND_ANY), att, "a full attendance id is itself");
	is_str(found("Nguyễn Thị Lan", BOOK_FIND_ANY), lan, "a whole name");
	is_str(found("nguyen thi lan", BOOK_FIND_MEMBER), lan, "folded");
	is_str(found("lan", BOOK_FIND_ANY), "EINVAL 2", "a word two names hold: ambiguous");
	is_str(found("tran lan", BOOK_FIND_ANY), lan2, "words in order");
	is_str(found("lan tran", BOOK_FIND_ANY), "ENOENT", "not out of order");
	is_str(found("la", BOOK_FIND_ANY), "ENOENT", "not a part of a word");
	is_str(found("ky nang", BOOK_FIND_ANY), t1, "a training by words of its title");
	is_str(found("ky nang", BOOK_FIND_MEMBER), "ENOENT", "not where a member is wanted");
	is_str(found("Kỹ năng lãnh đạo", BOOK_FIND_TRAINING), t1, "by its whole title");
	is_str(found("Nguyễn Thị Hồng Nhung", BOOK_FIND_VISIT), "ENOENT",
	       "a visit is never found by a name");
	is_str(found(lan + FB_ID_LEN - 8, BOOK_FIND_ANY), lan, "by short id");
	is_str(found(lan + FB_ID_LEN - 8, BOOK_FIND_TRAINING), "ENOENT", "of the wrong type: nothing");
	is_str(found(v1 + FB_ID_LEN - 8, BOOK_FIND_VISIT), v1, "a visit by short id");
	snprintf(ref, sizeof(ref), "%.13s", lan);
	ok(!strcmp(found(ref, BOOK_FIND_ANY), lan) || !strncmp(found(ref, BOOK_FIND_ANY), "EINVAL", 6),
	   "the start of an id: that record, or ambiguous among records of the same moment");
	is_str(found("Phạm Thị Mai", BOOK_FIND_ANY), mai, "a live record is preferred to a deleted one");
	is_str(found("Phạm Thị Mai", BOOK_FIND_ANY | BOOK_FIND_DELETED_FIRST), mai_old,
	       "and a deleted one with DELETED_FIRST (restore)");
	is_str(found("mai", BOOK_FIND_ANY), mai, "the preference holds for words of a name too");
	is_str(found("", BOOK_FIND_ANY), "ENOENT", "nothing typed finds nothing");
	is_str(found("!!", BOOK_FIND_ANY), "ENOENT", "nor does punctuation");
	is_str(found("\xff", BOOK_FIND_ANY), "EINVAL 0", "bytes that are not UTF-8 are refused");

	/* An attendance by its two sides. */
	book_names_short(names, att, sid);
	ok(strlen(sid) == 17 && sid[8] == ':', "an attendance's short form: T:M (%s)", sid);
	is_str(found(sid, BOOK_FIND_ANY), att, "which finds it");
	is_str(found("ky nang:nguyen thi lan", BOOK_FIND_ANY), att, "as do a title and a name");
	is_str(found("ky nang:lan", BOOK_FIND_ANY), "EINVAL 2", "an ambiguous side is ambiguous");
	is_str(found(sid, BOOK_FIND_MEMBER), "ENOENT", "not where only a member is wanted");

	/* The candidates of an ambiguous name, and the messages. */
	is_int(book_names_find(names, "thi", BOOK_FIND_MEMBER, &f, &err), FB_EINVAL, "'thi': ambiguous");
	is_int((long long)f.n, 4, "four live members hold it");
	ok(f.cand[0] && f.cand[3] && !f.cand[4], "the first of them listed");
	if (f.cand[0] && f.cand[3]) {
		snprintf(ref, sizeof(ref), "%s|%s|%s|%s", f.cand[0]->label, f.cand[1]->label,
			 f.cand[2]->label, f.cand[3]->label);
		is_str(ref, "Nguyễn Thị Lan|Trần Thị Lan|Phạm Thị Mai|Nguyễn Thị Hồng Nhung",
		       "in Vietnamese order, given name first, then the whole name");
	} else {
		ok(0, "in Vietnamese order, given name first, then the whole name");
	}
	is_str(err.msg, "'thi' could be any of 4 members (below); nothing was done: give more of"
	       " the name, or a short id", "the message");
	is_int(book_names_find(names, "Hoa", BOOK_FIND_MEMBER, &f, &err), FB_ENOENT, "'Hoa': nobody");
	is_str(err.msg, "no member matches 'Hoa' (see 'fieldbook list members')", "none: the message");

	/* Describing. */
	ok(book_names_describe(names, lan, REC_MEMBER, &line) == FB_OK, "describe a member");
	snprintf(ref, sizeof(ref), "member Nguyễn Thị Lan (%s)", lan + FB_ID_LEN - 8);
	is_str(buf_str(&line), ref, "her name and short id");
	buf_reset(&line);
	ok(book_names_describe(names, att, REC_ATTENDANCE, &line) == FB_OK &&
	   strstr(buf_str(&line), "attendance of Nguyễn Thị Lan at \"Kỹ năng lãnh đạo\" ("),
	   "an attendance: its member and training");
	buf_reset(&line);
	ok(book_names_describe(names, "x-y", REC_VISIT, &line) == FB_OK &&
	   !strcmp(buf_str(&line), "visit x-y"), "an id not in the index, as it is");
	buf_release(&line);

	/* Searching. */
	ok(text_fold("NGUYEN thi", TEXT_FOLD_ACCENTS, &folded) == FB_OK, "fold a search");
	ok(book_names_search(names, lan, folded) && book_names_search(names, nhung, folded) &&
	   !book_names_search(names, lan2, folded), "it finds the names that hold it");
	ok(book_names_search(names, v1, folded), "and a visit to such a member");
	free(folded);
	ok(book_names_search(names, lan, "0912"), "a member by phone");
	ok(book_names_search(names, t1, "nha van hoa"), "a training by place");
	ok(book_names_search(names, v1, "qua tet"), "a visit by gift");
	ok(!book_names_search(names, t1, "lan|"), "fields are not run together");
	ok(book_names_search(names, lan, ""), "an empty search finds all");
	ok(!book_names_search(names, att, ""), "but not what the index does not hold");

	book_names_close(names);
	book_close(b);
	unlink(db);
	{
		char more[80];

		snprintf(more, sizeof(more), "%s-wal", db);
		unlink(more);
		snprintf(more, sizeof(more), "%s-shm", db);
		unlink(more);
	}
	rmdir(path);
	return tap_done();
}
