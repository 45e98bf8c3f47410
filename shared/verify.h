/*
 * verify.h - what `verify` checks, over rows from any store.
 *
 * The journal's hash chains (verify_chains) and every record rebuilt
 * from its journal entries and compared with its row (verify_records)
 * are checked here once, for the laptop's book and the SQLite hub
 * (book_verify.c feeds them SQLite's rows) and for the PostgreSQL hub
 * (sync/hub_store_pg_verify.c feeds them PostgreSQL's).  A store only
 * hands rows over, in the order each check asks for; nothing here knows
 * which store it reads.
 */
#ifndef FB_VERIFY_H
#define FB_VERIFY_H

#include <stdint.h>
#include "apply.h"
#include "error.h"

/* A record's row as the store holds it. */
struct verify_record {
	const char *id, *type, *branch;
	int deleted;
	const char *vals, *clk;
};

/*
 * The rows a check reads, one at a time: each call puts the next row in
 * *row and sets *more, or sets *more to 0 after the last.  A row's
 * strings stay valid until the next call of the same function.  A
 * failure of the store is its code, with err set.  Which rows, and in
 * what order, each check says.
 */
struct verify_rows {
	enum fb_code (*journal)(void *ctx, struct journal_row *row, int *more,
				struct fb_error *err);
	enum fb_code (*record)(void *ctx, struct verify_record *row, int *more,
			       struct fb_error *err);
	void *ctx;
};

/*
 * Every device's hash chain, from the journal's rows (all of them,
 * quarantined too) ordered by device (by its bytes) then seq: each
 * device's entries numbered from 1 without a gap, each row's hash the
 * chain's.  own: a collector's own device, the one chain it holds whole
 * (the others hold what the hub sent of them, with gaps the hub, which
 * holds them whole, has checked); NULL: every chain is whole (a hub).
 * FB_ECORRUPT names the first row whose sequence or hash does not
 * follow.  *rows counts the rows checked, *entries their entries.
 */
enum fb_code verify_chains(const struct verify_rows *src, const char *own, uint64_t *rows,
			   uint64_t *entries, struct fb_error *err)
	FB_MUST_CHECK;

/*
 * One way a record's row differs from what its journal entries give
 * (verify_records).  what is one of:
 *   "value"        field's value differs (table or journal NULL: none);
 *   "stamp"        the same value, written at another stamp;
 *   "column"       the row's deleted column against its deleted field;
 *   "type", "branch"  the row's, against its entries';
 *   "unjournaled"  a row no journal entry wrote;
 *   "missing"      entries of a record that has no row;
 *   "damaged"      a row whose values do not read.
 * Strings are borrowed for the callback's time.
 */
struct book_difference {
	const char *record, *type, *field;      /* field NULL: the record */
	const char *what;
	const char *table, *journal;            /* as the row, and the journal, have it */
};

typedef enum fb_code (*book_difference_fn)(const struct book_difference *d, void *ctx);

/*
 * Rebuild every record from the journal (each field the value of its
 * greatest stamp: what book_apply's merge keeps) and compare it with its
 * row, field by field, value and stamp.  src->journal gives the journal
 * rows not quarantined, ordered by record id (by its bytes) then cseq;
 * src->record the record table's rows ordered by id (by its bytes): the
 * two are read side by side, so memory stays one record.  fn is called
 * for each difference (NULL: none is); a code other than FB_OK from it
 * stops the walk and is returned.  *records counts the records compared,
 * *differences the differences, which are not an error here: the
 * caller judges them (`verify` exits 65).
 */
enum fb_code verify_records(const struct verify_rows *src, book_difference_fn fn,
			    void *ctx, uint64_t *records, uint64_t *differences,
			    struct fb_error *err)
	FB_MUST_CHECK;

/* One line of text for a difference, into out (snprintf's result). */
int book_difference_text(const struct book_difference *d, char *out, size_t n);

#endif
