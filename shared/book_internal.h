/*
 * book_internal.h - what the files of the book module share among
 * themselves: book.c (open, close, transactions), book_state.c (record
 * state), book_apply.c (the merge of one change), book_edit.c (local
 * edits and resolve) and book_journal.c (reading and verifying the
 * journal).
 *
 * Private to those files: commands, the sync client and the hub use
 * book.h (and book_view.h), never this header.  Nothing here checks
 * its arguments beyond what book.h's callers already have.
 */
#ifndef FB_BOOK_INTERNAL_H
#define FB_BOOK_INTERNAL_H

#include "book.h"

/*
 * book_apply flag for changes made here (book_edit.c, commit_local):
 * every value was canonicalised by model_check as it was typed, so it
 * is not checked a second time.  Not in book.h: only the book module
 * makes such changes.
 */
#define BOOK_VALIDATED 0x100

/* The hash a device's chain starts from (before its first entry). */
static const unsigned char zero_hash[JOURNAL_HASH_LEN];

/*
 * A new, empty record (no field ever written) of type t and branch,
 * malloc'd; NULL when out of memory.  Release it with record_free().
 */
struct record *record_new(const char *id, enum rec_type t,
			  const char *branch);

/*
 * Load a record with the book's prepared statement: *out is the
 * caller's (record_free), or NULL with FB_OK when there is none.
 * FB_ECORRUPT when its row does not decode.
 */
enum fb_code record_load(struct book *b, const char *id,
			 struct record **out, struct fb_error *err)
	FB_MUST_CHECK;

/* Write r's state (insert or update its row), in the current transaction. */
enum fb_code record_save(struct book *b, const struct record *r,
			 struct fb_error *err)
	FB_MUST_CHECK;

#endif
