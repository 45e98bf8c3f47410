/*
 * sync_local.h - what a sync works on at its own end.
 *
 * A laptop syncs its book.  A hub relaying to the hub above it syncs its
 * store: an SQLite hub's database is a book too, a PostgreSQL hub's is
 * not.  What every such end does for a sync (sync/client.c,
 * sync/bundle_client.c) goes through this table of operations: the
 * remote and the cursors kept as meta keys, the chains it holds, a
 * pulled change applied, and what the hub above is known to hold of
 * each other device (the relay).  What only a book has (a chain of its
 * own to push, a clock, a branch) the sync asks of `book` directly, and
 * a PostgreSQL hub, which writes no change of its own, has none.
 *
 * The operations keep book.h's meanings; sync_local_of_book() is the
 * book's, hub_store_pg_local() (hub_store_pg.h) PostgreSQL's.
 */
#ifndef FB_SYNC_LOCAL_H
#define FB_SYNC_LOCAL_H

#include <stdint.h>
#include "book.h"
#include "error.h"
#include "journal.h"

struct sync_local_ops {
	/* The device id it syncs under (a hub's relay id). */
	const char *(*device)(void *ctx);
	/* meta keys, as book_meta_get() and the others (NULL: none). */
	enum fb_code (*meta_get)(void *ctx, const char *key, char **out,
				 struct fb_error *err);
	enum fb_code (*meta_int)(void *ctx, const char *key, long long def, long long *out,
				 struct fb_error *err);
	enum fb_code (*meta_set)(void *ctx, const char *key, const char *value,
				 struct fb_error *err);
	enum fb_code (*meta_set_int)(void *ctx, const char *key, long long value,
				     struct fb_error *err);
	/* One transaction: what is written between begin and commit
	 * stands or falls together. */
	enum fb_code (*begin)(void *ctx, struct fb_error *err);
	enum fb_code (*commit)(void *ctx, struct fb_error *err);
	void (*rollback)(void *ctx);
	/* The chain hash after device's entry seq; *found 0 when not held. */
	enum fb_code (*chain_at)(void *ctx, const char *device, uint64_t seq,
				 unsigned char hash[JOURNAL_HASH_LEN], int *found,
				 struct fb_error *err);
	/* A change pulled from the hub above, its chain checked, applied
	 * in the open transaction (book_apply with BOOK_FROM_HUB).  c stays
	 * the caller's, and unchanged, until the commit or rollback. */
	enum fb_code (*apply)(void *ctx, struct jchange *c, struct fb_error *err);
	/* The relay (book.h: book_relay_first and the others). */
	enum fb_code (*relay_identity)(void *ctx, struct fb_error *err);
	enum fb_code (*relay_first)(void *ctx, const char *device, uint64_t held,
				    uint64_t *cseq, struct fb_error *err);
	enum fb_code (*relay_changes)(void *ctx, const char *device, uint64_t held,
				      uint64_t below, struct jchange *out, size_t max,
				      size_t max_bytes, size_t *n, struct fb_error *err);
	enum fb_code (*relay_known)(void *ctx, const char *device, uint64_t seq,
				    struct fb_error *err);
	enum fb_code (*relay_known_of)(void *ctx, const char *device, uint64_t *seq,
				       struct fb_error *err);
	enum fb_code (*relay_forget)(void *ctx, struct fb_error *err);
	enum fb_code (*each_relay_candidate)(void *ctx, book_head_fn fn, void *fn_ctx,
					     struct fb_error *err);
	enum fb_code (*relay_waiting)(void *ctx, uint64_t *entries, uint64_t *devices,
				      struct fb_error *err);
	/* Close it: the end it was opened on is released. */
	void (*close)(void *ctx);
};

struct sync_local {
	const struct sync_local_ops *ops;
	void *ctx;
	struct book *book;      /* the book, or NULL (a PostgreSQL hub) */
};

/* b as a sync's end; closing it closes b. */
void sync_local_of_book(struct book *b, struct sync_local *out);

/* Close it (safe on one never opened, zeroed). */
void sync_local_close(struct sync_local *l);

#endif
