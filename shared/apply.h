/*
 * apply.h - the merge of one change into a store, whatever the store.
 *
 * A change (journal.h) is applied by one rule on the laptop, on an
 * SQLite hub and on a PostgreSQL hub: continue its device's chain or
 * recognise a replay, merge its entries into the record field by field
 * (merge.h), log what lost, settle what it settles, and keep its
 * journal row.  apply_change() is that rule; a store gives it the nine
 * reads and writes it needs as a table of functions, each working in
 * the transaction the caller has open.  The book (book_apply.c) is one
 * such store, the PostgreSQL hub (sync/hub_store_pg_push.c) another.
 */
#ifndef FB_APPLY_H
#define FB_APPLY_H

#include <stdint.h>
#include "book.h"
#include "error.h"
#include "journal.h"
#include "merge.h"

/* Flags of apply_change(): those of book_apply() (book.h). */
#define APPLY_QUARANTINE BOOK_QUARANTINE
#define APPLY_FROM_HUB   BOOK_FROM_HUB
#define APPLY_HASHED     BOOK_HASHED
#define APPLY_VALIDATED  0x100  /* values canonical already (book_internal.h) */

/* What a store does for apply_change(); ctx is the store's. */
struct apply_ops {
	/* The record id, or *out NULL with FB_OK when there is none;
	 * FB_ECORRUPT when its row does not decode. */
	enum fb_code (*load)(void *ctx, const char *id, struct record **out,
			     struct fb_error *err);
	/* Write r's state (insert or update). */
	enum fb_code (*save)(void *ctx, const struct record *r, struct fb_error *err);
	/* Keep c's journal row (quarantined: set aside, never merged). */
	enum fb_code (*journal)(void *ctx, const struct jchange *c, int quarantined,
				struct fb_error *err);
	/* Log a conflict of r's field: the kept value (wv, by ws) and the
	 * one that lost (lv, by ls); kind "field" or "delete".  A conflict
	 * logged already is not logged twice. */
	enum fb_code (*conflict)(void *ctx, const struct record *r, const char *field,
				 const char *kind, const struct fb_stamp *ws,
				 const char *wv, const struct fb_stamp *ls,
				 const char *lv, struct fb_error *err);
	/* Is c->seq of c->device held as the start of a change of c->n
	 * entries?  Then *same = 1 and held[] is its hash. */
	enum fb_code (*have)(void *ctx, const struct jchange *c, int *same,
			     unsigned char held[JOURNAL_HASH_LEN], struct fb_error *err);
	/* The open conflicts of r's field whose winner is `winner`: settled. */
	enum fb_code (*settle)(void *ctx, const struct record *r, const char *field,
			       const struct fb_stamp *winner, struct fb_error *err);
	/* Every open delete conflict of record id: settled. */
	enum fb_code (*settle_deletes)(void *ctx, const char *id, struct fb_error *err);
	/* device's last sequence and chain hash held (0 and zeros: none). */
	enum fb_code (*head)(void *ctx, const char *device, uint64_t *last,
			     unsigned char hash[JOURNAL_HASH_LEN], struct fb_error *err);
	/* The chain hash after device's entry seq; *found 0 when not held. */
	enum fb_code (*chain_at)(void *ctx, const char *device, uint64_t seq,
				 unsigned char hash[JOURNAL_HASH_LEN], int *found,
				 struct fb_error *err);
	/* c was written, merged or (flags with APPLY_QUARANTINE) set
	 * aside: a store caching chain heads or a clock moves them on.
	 * May be NULL. */
	void (*wrote)(void *ctx, const struct jchange *c, int flags);
};

/* A store as apply_change() sees it. */
struct applier {
	const struct apply_ops *ops;
	void *ctx;
	const char *self;       /* this store's own device id ("" on a hub) */
};

/*
 * Apply c as book_apply() does (book.h says what it does with each
 * flag and what each code means), in the caller's transaction: on a
 * code other than FB_OK the caller rolls it back.  *applied (may be
 * NULL) is 1 when c was written, 0 for a replay.
 */
enum fb_code apply_change(const struct applier *a, struct jchange *c, int flags,
			  int *applied, struct fb_error *err)
	FB_MUST_CHECK;

/*
 * A record's row, as every store keeps it: its values and their stamps
 * as two JSON objects keyed by field name (docs/DECISIONS.md).
 */

/* A new, empty record (no field ever written) of type t and branch,
 * malloc'd; NULL when out of memory.  Release it with record_free(). */
struct record *record_new(const char *id, enum rec_type t, const char *branch);

/* Fill r (from record_new) from the vals and clk JSON of its row.
 * FB_ECORRUPT when they do not decode. */
enum fb_code record_decode(struct record *r, const char *vals, const char *clk,
			   struct fb_error *err)
	FB_MUST_CHECK;

/* r's row: *vals and *clk malloc'd (the caller frees).  FB_ENOMEM. */
enum fb_code record_encode(const struct record *r, char **vals, char **clk)
	FB_MUST_CHECK;

/* A journal row as a store reads it (BOOK_JOURNAL_COLUMNS, book.h). */
struct journal_row {
	const char *device;
	uint64_t seq, n;
	fb_hlc hlc;
	const char *record_id, *type, *branch, *body;
	const unsigned char *hash;      /* JOURNAL_HASH_LEN bytes; NULL: not so long */
};

/* The change a journal row holds, into c (initialised here; release it
 * either way).  FB_ECORRUPT, naming the device and the entry, when the
 * row is damaged or its body does not read as its n entries. */
enum fb_code journal_row_fill(struct jchange *c, const struct journal_row *row,
			      struct fb_error *err)
	FB_MUST_CHECK;

#endif
