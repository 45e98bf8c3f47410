/*
 * book_verify.c - what `verify` checks beyond the hash chains: that the
 * records people see are what the journal says (book_verify_records in
 * book_view.h).
 *
 * The record table is a cache of the journal: every value in it was
 * put there by book_apply merging an entry, and the merge rule keeps,
 * for each field, the value of the greatest stamp (merge.h), whatever
 * the order the entries came in.  So each record can be rebuilt from
 * its journal entries alone and compared with its row, field by field,
 * stamp and value.  A row changed behind the journal's back (the
 * sqlite3 shell, another program, a damaged page that still reads)
 * differs, and is named by record and field.
 *
 * One pass over the journal ordered by record and one over the record
 * table ordered by id, side by side: memory stays one record, whatever
 * the size of the book.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book_internal.h"
#include "book_view.h"
#include "i18n.h"
#include "label.h"

/* The journal in record order; quarantined entries never reach a record. */
static const char *const SQL_JOURNAL_BY_RECORD =
	"SELECT " BOOK_JOURNAL_COLUMNS " FROM journal WHERE quarantined = 0"
	" ORDER BY record_id, cseq";
static const char *const SQL_RECORDS_BY_ID =
	"SELECT id, type, branch, deleted, vals, clk FROM record ORDER BY id";

/* One side of the comparison, read row by row. */
struct side {
	sqlite3_stmt *q;
	int s;                  /* the last sqlite3_step: SQLITE_ROW while rows remain */
};

static void step(struct side *x)
{
	x->s = sqlite3_step(x->q);
}

/* The id of the row under x, or NULL at the end. */
static const char *row_id(const struct side *x, int col)
{
	return x->s == SQLITE_ROW ? (const char *)sqlite3_column_text(x->q, col) : NULL;
}

/* Report one difference; the walk goes on unless fn says otherwise. */
static enum fb_code report(struct book_verify_walk *w, const char *record,
			   const char *type, const char *field, const char *what,
			   const char *table, const char *journal)
{
	struct book_difference d = { record, type, field, what, table, journal };

	w->differences++;
	return w->fn ? w->fn(&d, w->ctx) : FB_OK;
}

/*
 * Rebuild the record the journal rows under j write, from the row j is
 * on to the last of its id; j is left on the next id's first row.
 * *out is the caller's (record_free).
 */
static enum fb_code rebuild(struct book *b, struct side *j, struct record **out,
			    struct fb_error *err)
{
	struct record *r = NULL;
	char id[FB_RECORD_ID_MAX + 1];
	enum fb_code rc = FB_OK;

	*out = NULL;
	snprintf(id, sizeof(id), "%s", row_id(j, 4));
	while (rc == FB_OK && j->s == SQLITE_ROW && !strcmp(row_id(j, 4), id)) {
		const struct type_def *t;
		struct jchange c;
		size_t i;

		rc = book_journal_row(j->q, 0, &c, err);
		if (rc == FB_OK && !r && !(r = record_new(c.record_id, c.type, c.branch)))
			rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
		t = r ? model_type(r->type) : NULL;
		for (i = 0; rc == FB_OK && i < c.n; i++) {
			int fi = model_field_index(t, c.e[i].field);
			struct merge_field cur;
			struct merge_entry in = { { c.hlc, "" }, c.e[i].base, c.e[i].value };
			struct merge_result res;
			char *v;

			/* A row of another type or branch, or an unknown field:
			 * book_apply would have refused it; the row shows it. */
			if (fi < 0 || c.type != r->type || strcmp(c.branch, r->branch))
				continue;
			cur.present = r->val[fi] != NULL;
			cur.stamp = r->stamp[fi];
			cur.value = r->val[fi];
			snprintf(in.stamp.device, sizeof(in.stamp.device), "%s", c.device);
			merge_field(&cur, &in, &res);
			if (res.outcome != MERGE_TAKE)
				continue;
			if (!(v = strdup(c.e[i].value))) {
				rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
				break;
			}
			free(r->val[fi]);
			r->val[fi] = v;
			r->stamp[fi] = in.stamp;
		}
		jchange_release(&c);
		if (rc == FB_OK)
			step(j);
	}
	if (rc == FB_OK && j->s != SQLITE_ROW && j->s != SQLITE_DONE)
		rc = store_fail(b->st, j->s, _("reading journal"), err);
	if (rc != FB_OK) {
		record_free(r);
		return rc;
	}
	*out = r;
	return FB_OK;
}

/* Compare the row under t (id, type, branch, deleted, vals, clk) with want. */
static enum fb_code compare(struct book_verify_walk *w, struct side *t,
			    const struct record *want, struct fb_error *err)
{
	const struct type_def *tw = model_type(want->type),
			      *tt = model_type_named((const char *)sqlite3_column_text(t->q, 1));
	const char *id = want->id, *branch = (const char *)sqlite3_column_text(t->q, 2);
	char st[STAMP_TEXT_MAX], sj[STAMP_TEXT_MAX];
	struct record *have = NULL;
	enum fb_code rc = FB_OK;
	int i;

	if (tt != tw)
		return report(w, id, tw->name, NULL, "type",
			      (const char *)sqlite3_column_text(t->q, 1), tw->name);
	if (!branch || strcmp(branch, want->branch))
		return report(w, id, tw->name, NULL, "branch", branch ? branch : "",
			      want->branch);
	if (!(have = record_new(id, want->type, want->branch)))
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	if (record_decode(have, (const char *)sqlite3_column_text(t->q, 4),
			  (const char *)sqlite3_column_text(t->q, 5), NULL) != FB_OK) {
		rc = report(w, id, tw->name, NULL, "damaged", "", "");
		goto out;
	}
	for (i = 0; rc == FB_OK && tw->fields[i].name; i++) {
		const char *hv = have->val[i], *wv = want->val[i];

		if ((hv == NULL) != (wv == NULL) || (hv && strcmp(hv, wv))) {
			rc = report(w, id, tw->name, tw->fields[i].name, "value",
				    hv ? hv : NULL, wv ? wv : NULL);
		} else if (hv && !stamp_eq(&have->stamp[i], &want->stamp[i])) {
			stamp_format(&have->stamp[i], st);
			stamp_format(&want->stamp[i], sj);
			rc = report(w, id, tw->name, tw->fields[i].name, "stamp", st, sj);
		}
	}
	/* The column reports filter on, beside the field it caches. */
	if (rc == FB_OK && sqlite3_column_int(t->q, 3) != record_deleted(want))
		rc = report(w, id, tw->name, FIELD_DELETED, "column",
			    sqlite3_column_int(t->q, 3) ? "1" : "0",
			    record_deleted(want) ? "1" : "0");
out:
	record_free(have);
	return rc;
}

enum fb_code book_verify_records(struct book_verify_walk *w, struct fb_error *err)
{
	struct book *b = w->b;
	struct side j = { NULL, SQLITE_DONE }, t = { NULL, SQLITE_DONE };
	enum fb_code rc;

	w->records = w->differences = 0;
	if ((rc = store_prepare(b->st, SQL_JOURNAL_BY_RECORD, &j.q, err)) != FB_OK ||
	    (rc = store_prepare(b->st, SQL_RECORDS_BY_ID, &t.q, err)) != FB_OK)
		goto out;
	step(&j);
	step(&t);
	while (rc == FB_OK && (j.s == SQLITE_ROW || t.s == SQLITE_ROW)) {
		const char *jid = row_id(&j, 4), *tid = row_id(&t, 0);
		int order = !jid ? 1 : !tid ? -1 : strcmp(jid, tid);
		struct record *want = NULL;

		if (order > 0) {
			/* A row no entry wrote. */
			w->records++;
			rc = report(w, tid, (const char *)sqlite3_column_text(t.q, 1), NULL,
				    "unjournaled", NULL, NULL);
			step(&t);
			continue;
		}
		if ((rc = rebuild(b, &j, &want, err)) != FB_OK)
			break;
		w->records++;
		if (order < 0)
			rc = report(w, want->id, model_type(want->type)->name, NULL, "missing",
				    NULL, NULL);
		else {
			rc = compare(w, &t, want, err);
			step(&t);
		}
		record_free(want);
	}
	if (rc == FB_OK && j.s != SQLITE_DONE)
		rc = store_fail(b->st, j.s, _("reading journal"), err);
	if (rc == FB_OK && t.s != SQLITE_DONE)
		rc = store_fail(b->st, t.s, _("reading records"), err);
out:
	sqlite3_finalize(j.q);
	sqlite3_finalize(t.q);
	return rc;
}

int book_difference_text(const struct book_difference *d, char *out, size_t n)
{
	const char *tv = d->table ? d->table : "", *jv = d->journal ? d->journal : "";
	const struct type_def *t = model_type_named(d->type);
	const char *type = t ? label_type(t->type) : d->type;

	if (!strcmp(d->what, "unjournaled"))
		return snprintf(out, n, _("%s %s: in the record table, but no journal entry"
					  " wrote it"), type, d->record);
	if (!strcmp(d->what, "missing"))
		return snprintf(out, n, _("%s %s: written in the journal, but missing from the"
					  " record table"), type, d->record);
	if (!strcmp(d->what, "damaged"))
		return snprintf(out, n, _("%s %s: its row in the record table does not read"),
				type, d->record);
	if (!strcmp(d->what, "type"))
		return snprintf(out, n, _("%s %s: the record table gives type %s, the journal %s"),
				type, d->record, tv, jv);
	if (!strcmp(d->what, "branch"))
		return snprintf(out, n, _("%s %s: the record table gives branch %s, the"
					  " journal %s"), type, d->record, tv, jv);
	if (!strcmp(d->what, "stamp"))
		return snprintf(out, n, _("%s %s field %s: the record table has it written at"
					  " %s, the journal at %s"), type, d->record, d->field, tv, jv);
	if (!strcmp(d->what, "column"))
		return snprintf(out, n, _("%s %s field %s: the record table's deleted column"
					  " says %s, the journal %s"), type, d->record, d->field,
				tv, jv);
	return snprintf(out, n, _("%s %s field %s: the record table holds %s%s%s, the journal"
				  " gives %s%s%s"), type, d->record, d->field,
			d->table ? "\"" : "", d->table ? tv : _("no value"), d->table ? "\"" : "",
			d->journal ? "\"" : "", d->journal ? jv : _("no value"),
			d->journal ? "\"" : "");
}
