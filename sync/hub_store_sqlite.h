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
enum fb_code sqhub_list(struct hub_store *s, enum hub_listing what, int all,
			hub_row_fn fn, void *ctx, struct fb_error *err);
enum fb_code sqhub_verify(struct hub_store *s, uint64_t *rows, uint64_t *entries,
			  struct fb_error *err);
enum fb_code sqhub_add_units(struct hub_store *s, const struct hub_unit *u, size_t n,
			     size_t *failed, struct fb_error *err);
enum fb_code sqhub_top_unit(struct hub_store *s, char **code, struct fb_error *err);
enum fb_code sqhub_each_unit(struct hub_store *s, const char *root, const char *level,
			     hub_unit_fn fn, void *ctx, struct fb_error *err);
enum fb_code sqhub_report(struct hub_store *s, const char *unit, int year,
			  struct report *r, struct fb_error *err);

#endif
