/*
 * book_internal.h - what the files of the book module share among
 * themselves: book.c (open, close, transactions), book_state.c (record
 * state), book_apply.c (the merge of one change), book_edit.c (local
 * edits and resolve), book_journal.c (reading and verifying the
 * journal) and book_fork.c (continuing under a new device id).
 *
 * Private to those files and to the store modules built on a book (the
 * hub's SQLite store): commands and the sync client use book.h and
 * book_view.h, never this header.  Nothing here checks
 * its arguments beyond what book.h's callers already have.
 */
#ifndef FB_BOOK_INTERNAL_H
#define FB_BOOK_INTERNAL_H

#include "book.h"

/* The book, for the book module and the store modules that run SQL on its
 * connection (the hub store); everything else sees struct book opaque. */
struct book {
	struct fb_store *st;
	char device[FB_DEVICE_ID_MAX + 1];
	char branch[FB_BRANCH_CODE_MAX + 1];   /* "" on a hub */
	fb_hlc clock;                 /* last HLC issued or observed */
	uint64_t next_seq;            /* this device's next sequence */
	unsigned char chain[JOURNAL_HASH_LEN]; /* this device's chain head */
	uint64_t (*wall_ms)(void);    /* the clock; tests may replace it */
	int refs_may_be_deleted;      /* import: a reference may name a
				       * deleted record (files exported with
				       * their deleted records keep them) */
	/* The chain head of the last other device whose change this
	 * transaction (tx, store.h tx_count) wrote: a push of thousands of
	 * one device's changes looks it up once, not once per change. */
	struct {
		char device[FB_DEVICE_ID_MAX + 1];
		uint64_t last;
		unsigned char hash[JOURNAL_HASH_LEN];
		unsigned long tx;
	} peer;
	/* prepared statements, reused */
	sqlite3_stmt *q_get, *q_put, *q_journal, *q_conflict, *q_device_head,
		     *q_have, *q_settle, *q_settle_deletes, *q_ref;
};


/*
 * book_apply flag for changes made here (book_edit.c, commit_local):
 * every value was canonicalised by model_check as it was typed, so it
 * is not checked a second time.  Not in book.h: only the book module
 * makes such changes.
 */
#define BOOK_VALIDATED 0x100

/*
 * A new random device id (FB_DEVICE_ID_LEN hex digits of RAND_bytes),
 * as init makes it and book_fork re-makes it.  FB_EINTERNAL, with no
 * message, when there are no random bytes.
 */
enum fb_code book_new_device_id(char out[FB_DEVICE_ID_LEN + 1])
	FB_MUST_CHECK;

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
