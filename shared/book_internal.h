/*
 * book_internal.h - what the files of the book module share among
 * themselves: book.c (open, close, transactions), book_state.c (record
 * state), book_apply.c (the merge of one change), book_edit.c (local
 * edits and resolve), book_journal.c (reading and verifying the
 * journal), book_rewrite.c (re-issuing own rows the hub never took),
 * and its three users: book_fork.c (continuing under a new device id),
 * book_restamp.c (re-dating entries stamped by a fast clock) and
 * book_branch.c (a branch code corrected).
 *
 * Private to those files and to the store modules built on a book (the
 * hub's SQLite store): commands and the sync client use book.h and
 * book_view.h, never this header.  Nothing here checks
 * its arguments beyond what book.h's callers already have.
 */
#ifndef FB_BOOK_INTERNAL_H
#define FB_BOOK_INTERNAL_H

#include "apply.h"
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
#define BOOK_VALIDATED APPLY_VALIDATED

/* The hash a device's chain starts from (before its first entry). */
static const unsigned char zero_hash[JOURNAL_HASH_LEN];

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

/*
 * Re-issuing this laptop's own journal rows from a sequence on
 * (book_rewrite.c): what book_fork (a new device id), book_restamp (new
 * HLCs) and book_set_branch (another branch code) share.  Only rows the
 * hub never took may be re-issued: the caller decides which.
 *
 *   book_rewrite_init(&rw, b, from, to);       the rows' device, and after
 *   book_rewrite_align(&rw, seq, err);         start at the row holding seq
 *   book_rewrite_collect(&rw, err);            map: their HLCs, new = old
 *   ... set rw.map[i].new, rw.next_seq, rw.chain, rw.branch as wanted
 *   book_rewrite_apply(&rw, err);
 *   book_rewrite_release(&rw);
 *
 * book_rewrite_apply re-issues each row of `from` from `start` on, in
 * sequence order and where it lies (its cseq is kept): under `to`,
 * numbered from next_seq, with the HLC the map gives for its own, under
 * `branch` when that is set (only rows of `branch_from`, when that is
 * set too), chained from `chain`.  Then every stamp of
 * a re-issued write (`from` and one of the map's old HLCs) becomes (`to`,
 * its new HLC) wherever the book names it: the rows' bases and seen
 * vectors, the record state and the conflict log.  The new stamps must
 * name writes nobody else holds, and the new HLCs must keep the order
 * of the old ones among each other and with every other stamp the book
 * holds (book_restamp sees to it), so that every comparison the merge
 * made reads the same afterwards.  In the caller's transaction; on
 * failure the caller rolls it back.  Afterwards rw.next_seq and
 * rw.chain are the new head of `to`, rw.moved the rows re-issued.
 */
struct book_rewrite_hlc {
	fb_hlc old, new;
};

struct book_rewrite {
	struct book *b;
	char from[FB_DEVICE_ID_MAX + 1];        /* the rows' device */
	char to[FB_DEVICE_ID_MAX + 1];          /* their device after */
	uint64_t start;                         /* the first sequence re-issued */
	uint64_t next_seq;                      /* the number the next row takes */
	unsigned char chain[JOURNAL_HASH_LEN];  /* the chain head before it */
	const char *branch;                     /* NULL: rows keep their own; */
	const char *branch_from;                /* else the rows of this one
						 * (NULL: all) take it */
	struct book_rewrite_hlc *map;           /* ascending in old */
	size_t n, cap;
	size_t moved;                           /* rows re-issued */
};

/* Ready rw: nothing mapped, next_seq 1, the zero chain, start 0. */
void book_rewrite_init(struct book_rewrite *rw, struct book *b, const char *from,
		       const char *to);
void book_rewrite_release(struct book_rewrite *rw);

/* Start at `from`, moved back to the first sequence of the row holding
 * it: a change travels, and is hashed, whole. */
enum fb_code book_rewrite_align(struct book_rewrite *rw, uint64_t from,
				struct fb_error *err)
	FB_MUST_CHECK;

/* The HLCs of the rows from the start on into the map (new = old). */
enum fb_code book_rewrite_collect(struct book_rewrite *rw, struct fb_error *err)
	FB_MUST_CHECK;

enum fb_code book_rewrite_apply(struct book_rewrite *rw, struct fb_error *err)
	FB_MUST_CHECK;

#endif
