/* test_book_view.c - the commands' reads of a book (shared/book_view.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "book_view.h"
#include "buf.h"
#include "tap.h"

static enum fb_code collect(const char *id, void *ctx)
{
	struct fb_buf *b = ctx;

	return buf_printf(b, "%s;", id);
}

static enum fb_code count_changes(const struct jchange *c, void *ctx)
{
	*(size_t *)ctx += c->n;
	return FB_OK;
}

static enum fb_code stop_at_first(const struct jchange *c, void *ctx)
{
	(void)c;
	++*(int *)ctx;
	return FB_EINVAL;
}

int main(void)
{
	char path[] = "/tmp/test_book_view_XXXXXX", db[64];
	char m1[FB_RECORD_ID_MAX + 1], m2[FB_RECORD_ID_MAX + 1], t1[FB_RECORD_ID_MAX + 1];
	char att[FB_RECORD_ID_MAX + 1];
	struct fb_buf ids = FB_BUF_INIT(0);
	struct fb_error err = { 0 };
	struct book_status st;
	struct book_referred *ref = NULL;
	struct record *r = NULL;
	struct book *b = NULL;
	size_t n = 0;
	int any = 0, calls = 0;

	if (!mkdtemp(path))
		return 1;
	snprintf(db, sizeof(db), "%s/fb.db", path);
	if (book_create(db, "HN.PL.TT.03", "Chi hội 3", &err) != FB_OK ||
	    book_open(db, NULL, &b, &err) != FB_OK) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}
	{
		struct field_value a[] = { { "full_name", "Nguyễn Thị An" } };
		struct field_value c2[] = { { "full_name", "Trần Thị Bình" } };
		struct field_value t[] = { { "title", "Bình đẳng giới" }, { "start_date", "2026-03-08" },
					   { "topics", "gender_equality" } };

		ok(book_add(b, REC_MEMBER, NULL, a, 1, m1, &err) == FB_OK &&
		   book_add(b, REC_MEMBER, NULL, c2, 1, m2, &err) == FB_OK &&
		   book_add(b, REC_TRAINING, NULL, t, 3, t1, &err) == FB_OK, "two members, a training");
	}
	{
		struct field_value a1[] = { { "training_id", t1 }, { "member_id", m1 } };
		struct field_value a2[] = { { "training_id", t1 }, { "member_id", m2 } };

		ok(book_add(b, REC_ATTENDANCE, NULL, a1, 2, att, &err) == FB_OK &&
		   book_add(b, REC_ATTENDANCE, NULL, a2, 2, att, &err) == FB_OK, "both attend");
	}
	is_int(book_set_deleted(b, m2, 1, &err), FB_OK, "the second member deleted");

	is_int(book_status(b, &st, &err), FB_OK, "status reads");
	ok(st.live[REC_MEMBER] == 1 && st.live[REC_TRAINING] == 1 && st.live[REC_ATTENDANCE] == 2 &&
	   st.live[REC_VISIT] == 0, "live records by type (a deleted one not counted)");
	ok(st.entries > 0 && st.acked == 0, "entries, none acknowledged");
	ok(st.conflicts == 0 && st.rejected == 0 && !st.remote && !st.last_sync,
	   "no conflicts, nothing set aside, no hub, never synced");
	is_str(st.branch_name, "Chi hội 3", "the branch's name");
	book_status_release(&st);
	is_str(book_branch(b), "HN.PL.TT.03", "the branch");
	is_int((int)strlen(book_device(b)), FB_DEVICE_ID_LEN, "the device id");

	is_int(book_note_rejected(b, 3, "bad date", &err), FB_OK, "a rejected entry noted");
	is_int(book_note_rejected(b, 3, "bad date again", &err), FB_OK, "the same again");
	is_int(book_status(b, &st, &err), FB_OK, "status reads again");
	is_int((int)st.rejected, 1, "one entry set aside, once");
	book_status_release(&st);

	if (book_get(b, t1, &r, &err) == FB_OK) {
		is_int(book_each_link(b, r, collect, &ids, &err), FB_OK, "a training's links");
		ok(!strncmp(buf_str(&ids), m1, strlen(m1)) && ids.len == strlen(m1) + 1,
		   "only the attendee who is not deleted (m1)");
		record_free(r);
	}
	buf_reset(&ids);
	is_int(book_referred_open(b, NULL, &ref, &any, &err), FB_OK, "referred records gathered");
	ok(any == 1 && book_referred_has(ref, m2) && !book_referred_has(ref, "nope"),
	   "the deleted member is referred to by an attendance");
	book_referred_close(ref);

	is_int(book_each_change(b, NULL, count_changes, &n, &err), FB_OK, "the whole journal");
	ok(n > 5, "every change walked (%zu)", n);
	n = 0;
	is_int(book_each_change(b, m2, count_changes, &n, &err), FB_OK, "one record's journal");
	is_int((int)n, 3, "m2: added (one field) and deleted (with its seen vector)");
	is_int(book_each_change(b, NULL, stop_at_first, &calls, &err), FB_EINVAL,
	       "a callback's code stops the walk");
	is_int(calls, 1, "after one row");

	is_int(book_resolve_keep(b, 99, 1, &err), FB_ENOENT, "no such conflict");
	is_str(err.msg, "no conflict 99", "says so");

	buf_release(&ids);
	book_close(b);
	unlink(db);
	{
		char side[96];

		snprintf(side, sizeof(side), "%s-wal", db);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", db);
		unlink(side);
	}
	rmdir(path);
	return tap_done();
}
