/* test_report.c - the report's figures on a small known book. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "book.h"
#include "book_internal.h"
#include "report.h"
#include "report_text.h"
#include "tap.h"

static struct book *b;

static void add(enum rec_type t, char *id, const char *f1, const char *v1,
		const char *f2, const char *v2, const char *f3, const char *v3)
{
	struct field_value fv[3] = { { f1, v1 }, { f2, v2 }, { f3, v3 } };
	size_t n = f3 ? 3 : f2 ? 2 : 1;
	char tmp[FB_RECORD_ID_MAX + 1];
	struct fb_error err;

	if (book_add(b, t, NULL, fv, n, id ? id : tmp, &err) != FB_OK)
		printf("# add failed: %s\n", err.msg);
}

/* report_rows_fn: the records of a type, newest id first (any order
 * must give the same figures and the same order of names). */
static enum fb_code rows_backwards(void *src, const char *type, report_row_fn fn, void *ctx,
				   struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;

	rc = store_prepare(src, "SELECT id, branch, deleted, vals FROM record WHERE type = ?1"
			   " ORDER BY id DESC", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, type, -1, SQLITE_STATIC);
	while (rc == FB_OK && sqlite3_step(q) == SQLITE_ROW) {
		struct report_row row;

		row.id = (const char *)sqlite3_column_text(q, 0);
		row.branch = (const char *)sqlite3_column_text(q, 1);
		row.deleted = sqlite3_column_int(q, 2);
		row.vals = (const char *)sqlite3_column_text(q, 3);
		row.len = (size_t)sqlite3_column_bytes(q, 3);
		rc = fn(ctx, &row);
	}
	sqlite3_finalize(q);
	return rc;
}

static int same_figures(const struct report *x, const struct report *y)
{
	int g, same = x->members_total == y->members_total && x->courses == y->courses &&
		      x->attendances == y->attendances && x->trainees == y->trainees &&
		      x->visits == y->visits && x->amount == y->amount;

	for (g = 0; g < REPORT_GROUPS; g++)
		same = same && x->group[g].total == y->group[g].total &&
		       x->group[g].trained == y->group[g].trained;
	return same;
}

/*
 * The people not yet trained come in the order SQLite's ORDER BY
 * fb_vi_name_key(name), id gives (the report sorted so before it sorted
 * in C, and the collector's lists still do), for names that differ by
 * tone, case, form (NFC, NFD), spaces and nothing at all; and the same
 * from rows fed in another order.
 */
static void name_order(void)
{
	static const char *const names[] = {
		"Lê Thị Ân", "LÊ THỊ ÂN", "Le\xcc\x82 Thi\xcc\xa3 A\xcc\x82n", "Ân", " Ân",
		"  Nguyễn  Thị   Anh ", "Trần Văn Anh", "Bé", "Anh", "anh", "Phạm Thị Hoa",
		"Phạm Thị Hoa", "Phạm Thị Hòa", "Phạm Thị Hóa", "Phạm Thị Hoà", "Đào Thị Ánh",
		"Dương Thị Ánh", "Ánh", "Ư", "U", "Ơn", "Ôn", "On",
	};
	struct report_scan sc, back;
	struct fb_error err;
	sqlite3_stmt *q = NULL;
	size_t i, same = 0, n = 0, agree = 1;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		add(REC_MEMBER, NULL, "full_name", names[i], "role", "branch_deputy", NULL, NULL);
	if (report_scan(b->st, 2026, 1, &sc, &err) != FB_OK) {
		ok(0, "report_scan: %s", err.msg);
		return;
	}
	ok(store_exec(b->st, "CREATE TEMP TABLE names(id TEXT, name TEXT)", &err) == FB_OK &&
	   store_prepare(b->st, "INSERT INTO names VALUES(?1, ?2)", &q, &err) == FB_OK,
	   "a table of the names");
	for (i = 0; q && i < sc.npeople; i++) {
		sqlite3_bind_text(q, 1, sc.people[i].id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, sc.people[i].name, -1, SQLITE_STATIC);
		sqlite3_step(q);
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	q = NULL;
	if (store_prepare(b->st, "SELECT id FROM names ORDER BY fb_vi_name_key(name), id", &q,
			  &err) == FB_OK)
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(q, 0);

			if (n < sc.npeople && !strcmp(id, sc.people[n].id))
				same++;
			n++;
		}
	sqlite3_finalize(q);
	ok(sc.npeople > sizeof(names) / sizeof(names[0]), "%zu names to sort", sc.npeople);
	is_int((long long)n, (long long)sc.npeople, "SQLite sorts as many names");
	is_int((long long)same, (long long)n,
	       "the report's order of names is SQLite's ORDER BY fb_vi_name_key(name), id");
	if (report_scan_rows(rows_backwards, b->st, 2026, 1, &back, &err) != FB_OK) {
		ok(0, "report_scan_rows: %s", err.msg);
		report_scan_release(&sc);
		return;
	}
	agree = back.npeople == sc.npeople && back.nbranch == sc.nbranch;
	for (i = 0; agree && i < sc.npeople; i++)
		agree = !strcmp(back.people[i].id, sc.people[i].id);
	for (i = 0; agree && i < sc.nbranch; i++)
		agree = !strcmp(back.branch[i].code, sc.branch[i].code) &&
			back.branch[i].records == sc.branch[i].records &&
			same_figures(&back.branch[i].r, &sc.branch[i].r);
	ok(agree, "rows fed in another order: the same figures and the same order of names");
	report_scan_release(&back);
	report_scan_release(&sc);
	ok(store_exec(b->st, "DROP TABLE temp.names", &err) == FB_OK, "the table dropped");
}

int main(void)
{
	char dir[] = "/tmp/fieldbook-report.XXXXXX", path[256];
	char head[40], dep1[40], dep2[40], mem[40], t26[40], t25[40], tdel[40];
	const char *other = "ZZ.9";
	struct fb_error err;
	struct report r;
	const char *branch;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/r.db", dir);
	if (book_create(path, "HN.B1", "Chi hội 1", &err) != FB_OK) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}
	if (book_open(path, NULL, &b, &err) != FB_OK) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}
	add(REC_MEMBER, head, "full_name", "Nguyễn Thị Hồng Nhung", "role", "branch_head", NULL, NULL);
	add(REC_MEMBER, dep1, "full_name", "Trần Thị Lan", "role", "branch_deputy", NULL, NULL);
	add(REC_MEMBER, dep2, "full_name", "Lê Thị Mai", "role", "branch_deputy", NULL, NULL);
	add(REC_MEMBER, mem, "full_name", "Phạm Thị Hoa", NULL, NULL, NULL, NULL);
	add(REC_TRAINING, t26, "title", "Bình đẳng giới", "start_date", "2026-03-08",
	    "topics", "gender_equality,parenting");
	add(REC_TRAINING, t25, "title", "Năm trước", "start_date", "2025-12-31",
	    "topics", "food_safety");
	add(REC_TRAINING, tdel, "title", "Bị xóa", "start_date", "2026-05-01",
	    "topics", "gender_equality");
	add(REC_ATTENDANCE, NULL, "training_id", t26, "member_id", head, NULL, NULL);
	add(REC_ATTENDANCE, NULL, "training_id", t26, "member_id", mem, NULL, NULL);
	add(REC_ATTENDANCE, NULL, "training_id", t25, "member_id", dep1, NULL, NULL);
	add(REC_ATTENDANCE, NULL, "training_id", tdel, "member_id", dep2, NULL, NULL);
	is_int(book_set_deleted(b, tdel, 1, &err), FB_OK, "a training deleted");
	add(REC_VISIT, NULL, "visit_date", "2026-01-25", "reason", "tet", "person_name", "Bà Tư");
	{
		struct field_value fv[] = { { "visit_date", "2026-06-02" }, { "reason", "illness" },
					    { "member_id", mem }, { "amount_vnd", "1000000" } };
		char id[FB_RECORD_ID_MAX + 1];

		is_int(book_add(b, REC_VISIT, NULL, fv, 4, id, &err), FB_OK, "a visit");
	}
	{
		struct field_value fv[] = { { "visit_date", "2026-07-02" }, { "reason", "illness" },
					    { "person_name", "Bà Năm" }, { "amount_vnd", "500000" } };
		char id[FB_RECORD_ID_MAX + 1];

		is_int(book_add(b, REC_VISIT, NULL, fv, 4, id, &err), FB_OK, "a visit");
	}

	branch = "HN.B1";
	is_int(report_build(b->st, &branch, 1, 2026, &r, &err), FB_OK, "report for 2026");
	is_int(r.members_total, 4, "four members");
	is_int(r.members_by_role[1], 1, "one branch head");
	is_int(r.members_by_role[2], 2, "two deputies");
	is_int(r.members_by_role[0], 1, "a member without a role counts as a member");
	is_int(r.group[0].total, 3, "three heads and deputies");
	is_int(r.group[0].trained, 1, "one trained in 2026 (last year's and a deleted course do not count)");
	ok(report_pct(&r.group[0]) > 33.3 && report_pct(&r.group[0]) < 33.4, "33.3%%");
	is_int(r.group[0].nuntrained, 2, "two not yet trained");
	is_str(r.group[0].nuntrained ? r.group[0].untrained[0].name : NULL, "Trần Thị Lan",
	       "listed by given name: Lan before Mai");
	is_int(r.group[1].total, 0, "no commune presidents");
	is_int(r.courses, 1, "one course in 2026");
	is_int(r.attendances, 2, "two attendances");
	is_int(r.trainees, 2, "two different members trained");
	is_int(r.topic_courses[1], 1, "gender equality: one course");
	is_int(r.topic_attendances[1], 2, "gender equality: two attendances");
	is_int(r.topic_courses[3], 1, "parenting counts the same course too");
	is_int(r.topic_courses[4], 0, "food safety was last year");
	is_int(r.visits, 3, "three visits");
	is_int(r.visits_by_reason[0], 2, "two for illness");
	is_int(r.amount_by_reason[0], 1500000, "1,500,000 VND for illness");
	is_int(r.amount, 1500000, "total amount");
	report_release(&r);

	is_int(report_build(b->st, &branch, 1, 2025, &r, &err), FB_OK, "report for 2025");
	is_int(r.group[0].trained, 1, "in 2025 one deputy was trained");
	is_int(r.topic_courses[4], 1, "food safety: one course");
	is_int(r.visits, 0, "no visits");
	report_release(&r);

	is_int(report_build(b->st, &other, 1, 2026, &r, &err), FB_OK, "report for another branch");
	is_int(r.members_total + r.courses + r.visits, 0, "counts nothing of this branch");
	report_release(&r);

	{
		struct report_scan sc;
		struct report sum;
		char m[REPORT_MONEY_MAX];

		add(REC_MEMBER, NULL, "full_name", "An Thị Bé", "role", "branch_deputy", NULL, NULL);
		is_int(report_scan(b->st, 2026, 1, &sc, &err), FB_OK, "report_scan for 2026");
		is_int((long long)sc.nbranch, 1, "one branch");
		is_str(sc.nbranch ? sc.branch[0].code : NULL, "HN.B1", "...its code");
		is_int(sc.nbranch ? sc.branch[0].records : 0, 15,
		       "its records, the deleted training counted too");
		is_int((long long)sc.npeople, 3, "three of the heads and deputies not yet trained");
		/* By given name, in Vietnamese order: Bé, Lan, Mai. */
		is_str(sc.npeople == 3 ? sc.people[0].name : NULL, "An Thị Bé",
		       "names by given name: Bé ...");
		is_str(sc.npeople == 3 ? sc.people[1].name : NULL, "Trần Thị Lan", "... Lan ...");
		is_str(sc.npeople == 3 ? sc.people[2].name : NULL, "Lê Thị Mai", "... Mai");
		is_str(sc.npeople ? sc.people[0].branch : NULL, "HN.B1", "a person's branch");
		report_init(&sum, 2026);
		if (sc.nbranch) {
			report_add(&sum, &sc.branch[0].r);
			report_add(&sum, &sc.branch[0].r);
		}
		is_int(sum.courses, 2, "report_add adds courses ...");
		is_int(sum.trainees, 4, "... trainees ...");
		is_int(sum.group[0].total, 8, "... and groups");
		is_int(sum.amount, 3000000, "... and amounts");
		report_scan_release(&sc);
		report_release(&sum);
		is_int(report_scan(b->st, 2026, 0, &sc, &err), FB_OK, "report_scan without names");
		is_int((long long)sc.npeople, 0, "lists nobody");
		report_scan_release(&sc);
		report_money(1234567, m);
		is_str(m, "1.234.567", "amounts as Vietnamese write them");
		report_money(-1000, m);
		is_str(m, "-1.000", "a negative amount keeps its sign");
		report_money(0, m);
		is_str(m, "0", "zero");
	}

	is_int(book_set_deleted(b, mem, 1, &err), FB_OK, "a member deleted");
	is_int(report_build(b->st, NULL, 0, 2026, &r, &err), FB_OK, "report of every branch");
	is_int(r.attendances, 1, "a deleted member's attendance no longer counts");
	is_int(r.members_total, 4, "nor does she");
	report_release(&r);

	name_order();
	book_close(b);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		return 1;
	return tap_done();
}
