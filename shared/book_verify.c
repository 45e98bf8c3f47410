/*
 * book_verify.c - what `verify` checks beyond SQLite's own check, over
 * the book's SQLite rows: the hash chains (book_verify_chain) and the
 * records people see against what the journal says
 * (book_verify_records).  The checks themselves are verify.c's, which
 * the PostgreSQL hub feeds its own rows; here are only SQLite's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book_internal.h"
#include "book_view.h"
#include "i18n.h"

/* The journal by device, for the chains; by record, for the records
 * (quarantined entries never reach a record). */
static const char *const SQL_JOURNAL_BY_DEVICE =
	"SELECT " BOOK_JOURNAL_COLUMNS " FROM journal ORDER BY device, seq";
static const char *const SQL_JOURNAL_BY_RECORD =
	"SELECT " BOOK_JOURNAL_COLUMNS " FROM journal WHERE quarantined = 0"
	" ORDER BY record_id, cseq";
static const char *const SQL_RECORDS_BY_ID =
	"SELECT id, type, branch, deleted, vals, clk FROM record ORDER BY id";

/* The statements verify.c reads rows from. */
struct sqlite_rows {
	struct fb_store *st;
	sqlite3_stmt *journal, *record;
};

static enum fb_code next_journal(void *ctx, struct journal_row *row, int *more,
				 struct fb_error *err)
{
	struct sqlite_rows *x = ctx;
	int s = sqlite3_step(x->journal);

	*more = s == SQLITE_ROW;
	if (s == SQLITE_ROW)
		book_journal_row_read(x->journal, 0, row);
	else if (s != SQLITE_DONE)
		return store_fail(x->st, s, _("reading journal"), err);
	return FB_OK;
}

static enum fb_code next_record(void *ctx, struct verify_record *row, int *more,
				struct fb_error *err)
{
	struct sqlite_rows *x = ctx;
	sqlite3_stmt *q = x->record;
	int s = sqlite3_step(q);

	*more = s == SQLITE_ROW;
	if (s == SQLITE_ROW) {
		row->id = (const char *)sqlite3_column_text(q, 0);
		row->type = (const char *)sqlite3_column_text(q, 1);
		row->branch = (const char *)sqlite3_column_text(q, 2);
		row->deleted = sqlite3_column_int(q, 3);
		row->vals = (const char *)sqlite3_column_text(q, 4);
		row->clk = (const char *)sqlite3_column_text(q, 5);
	} else if (s != SQLITE_DONE) {
		return store_fail(x->st, s, _("reading records"), err);
	}
	return FB_OK;
}

enum fb_code book_verify_chain(struct book *b, uint64_t *rows,
			       uint64_t *entries, struct fb_error *err)
{
	struct sqlite_rows x = { b->st, NULL, NULL };
	struct verify_rows src = { next_journal, next_record, &x };
	enum fb_code rc;

	*rows = *entries = 0;
	if ((rc = store_prepare(b->st, SQL_JOURNAL_BY_DEVICE, &x.journal, err)) == FB_OK)
		rc = verify_chains(&src, b->branch[0] ? b->device : NULL, rows, entries, err);
	sqlite3_finalize(x.journal);
	return rc;
}

enum fb_code book_verify_records(struct book_verify_walk *w, struct fb_error *err)
{
	struct sqlite_rows x = { w->b->st, NULL, NULL };
	struct verify_rows src = { next_journal, next_record, &x };
	enum fb_code rc;

	w->records = w->differences = 0;
	if ((rc = store_prepare(x.st, SQL_JOURNAL_BY_RECORD, &x.journal, err)) == FB_OK &&
	    (rc = store_prepare(x.st, SQL_RECORDS_BY_ID, &x.record, err)) == FB_OK)
		rc = verify_records(&src, w->fn, w->ctx, &w->records, &w->differences, err);
	sqlite3_finalize(x.journal);
	sqlite3_finalize(x.record);
	return rc;
}
