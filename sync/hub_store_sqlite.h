/*
 * hub_store_sqlite.h - what the SQLite hub store's two files share
 * (hub_store_sqlite.c: the pool, push and pull; hub_store_admin.c: the
 * hub commands' operations).  Not for the hub's other code, which sees
 * only hub_store.h.
 */
#ifndef FB_HUB_STORE_SQLITE_H
#define FB_HUB_STORE_SQLITE_H

#include <pthread.h>
#include "book.h"
#include "book_internal.h"
#include "hub_store.h"

struct sqlite_hub {
	struct hub_store base;
	pthread_mutex_t lock;          /* guards the pool and the fields below */
	pthread_cond_t freed;
	pthread_mutex_t writer;        /* one push at a time */
	int n;
	struct book **conn;
	int *busy;
	/* The checkpointer: its own connection, woken by wal_hook. */
	pthread_t ckpt_thread;
	pthread_cond_t ckpt_wake;
	sqlite3 *ckpt_db;
	int ckpt_started, ckpt_stop, wal_pages;
};

/* Take a free connection of the pool (waiting for one), and give it back. */
struct book *sqhub_get(struct sqlite_hub *h);
void sqhub_put(struct sqlite_hub *h, struct book *b);

/* The operations of hub_store_admin.c (hub_store.h says what each does). */
enum fb_code sqhub_enroll(struct hub_store *s, const char *unit, const char *name,
			  const unsigned char hash[TOKEN_HASH_LEN], long long *id,
			  struct fb_error *err);
enum fb_code sqhub_revoke(struct hub_store *s, long long id, struct fb_error *err);
enum fb_code sqhub_make_hub(struct hub_store *s, long long id, struct fb_error *err);
enum fb_code sqhub_backup(struct hub_store *s, const char *dest, uint64_t *entries,
			  struct fb_error *err);
enum fb_code sqhub_list(struct hub_store *s, enum hub_listing what, int all,
			hub_row_fn fn, void *ctx, struct fb_error *err);
enum fb_code sqhub_verify(struct hub_store *s, uint64_t *rows, uint64_t *entries,
			  uint64_t *records, struct fb_error *err);
/* hub_store_units.c: the unit tree. */
enum fb_code sqhub_put_units(struct hub_store *s, const struct hub_unit *u, size_t n,
			     enum hub_units_mode mode, struct hub_units_outcome *out,
			     struct fb_error *err);
enum fb_code sqhub_remove_unit(struct hub_store *s, const char *code, struct fb_error *err);
enum fb_code sqhub_unit_tree(struct hub_store *s, const char *root, hub_tree_fn fn,
			     void *ctx, struct fb_error *err);
/* Add the columns a hub of an earlier version lacks (device.last_push,
 * device.last_pull), in a transaction of its own; nothing when they are
 * there. */
enum fb_code sqhub_migrate(struct fb_store *st, struct fb_error *err);
enum fb_code sqhub_top_unit(struct hub_store *s, char **code, struct fb_error *err);
enum fb_code sqhub_each_unit(struct hub_store *s, const char *root, const char *level,
			     hub_unit_fn fn, void *ctx, struct fb_error *err);
/* hub_store_report.c */
enum fb_code sqhub_report_data(struct hub_store *s, int year, int names,
			       struct hub_report_data *d, struct fb_error *err);

/* hub_store_history.c: epochs and the device ids a token holds. */
/* Start a new epoch at the next commit sequence, in a transaction of
 * its own (serve does this once it has opened the store). */
enum fb_code sqhub_new_epoch(struct book *b, struct fb_error *err);
/* The commit sequence a v2 pull may start after: `after`, cut back to
 * the end of its epoch in this hub's history; 0 when the epoch is
 * unknown.  Read inside the pull's transaction. */
enum fb_code sqhub_cursor_after(struct book *b, uint64_t after, const char *epoch,
				uint64_t *out, struct fb_error *err);
/* The epoch commit sequence cseq belongs to ("" for 0). */
enum fb_code sqhub_cursor_epoch(struct book *b, uint64_t cseq,
				char epoch[WIRE_EPOCH_LEN + 1], struct fb_error *err);
/* Let dev's token write as `device`: bind it on a first push, take it
 * on when it forked from an id the token holds, or take it over from a
 * revoked token of the same unit when dev's has bound nothing yet (a
 * laptop enrolled again).  FB_EAUTH otherwise, saying what stands in
 * the way. */
enum fb_code sqhub_bind(struct book *b, struct hub_device *dev, const char *device,
			const char *forked_from, struct fb_error *err);
/* FB_OK when dev's token may pull as `device`: one it holds, one no
 * token holds yet, or one it may take over (above).  FB_EAUTH otherwise. */
enum fb_code sqhub_may_ask(struct book *b, const struct hub_device *dev,
			   const char *device, struct fb_error *err);

#endif
