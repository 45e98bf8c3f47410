/*
 * hub_store_rules.h - the hub's rules that do not depend on the store
 * keeping its rows: which token may take on a device id, what a push's
 * answer says of the entries it set aside, and what verify says of
 * records that differ from the journal.  Both stores (SQLite,
 * PostgreSQL) read their rows and ask these.
 */
#ifndef FB_HUB_STORE_RULES_H
#define FB_HUB_STORE_RULES_H

#include "hub_store.h"
#include "verify.h"

/* Who holds a device id: the token's row, and how. */
struct hub_holder {
	int found;
	long long id;                   /* the token's row (device.id) */
	int revoked;
	int by_fork;                    /* held through device_fork, not bound */
	char unit[FB_BRANCH_CODE_MAX + 1];
	char name[128];
};

/*
 * May dev's token take on `device`, which h holds?  Only a laptop
 * enrolled again (docs/SECURITY.md, "A laptop enrolled again"): h's
 * token is revoked, dev's is of the same unit and has never pushed.
 * A hub's token (enroll --hub) never does.  Otherwise FB_EAUTH, saying
 * what stands in the way.
 */
enum fb_code hub_may_take_on(const struct hub_device *dev, const char *device,
			     const struct hub_holder *h, struct fb_error *err);

/* FB_EAUTH: dev's token is bound to another device than `device`. */
enum fb_code hub_not_its_device(const struct hub_device *dev, const char *device,
				struct fb_error *err);

/* The chain hash after device's entry seq, as a store holds it; *found
 * 0 when none ends there. */
typedef enum fb_code (*hub_chain_at_fn)(void *ctx, const char *device, uint64_t seq,
					unsigned char hash[JOURNAL_HASH_LEN], int *found,
					struct fb_error *err);

/*
 * The hash before each change on pull page p that needs it, as the
 * store holds it (chain_at): each run's start (version 2), each change
 * version 1 cuts short.  FB_ECORRUPT when the store's chain lacks one.
 */
enum fb_code hub_link_runs(struct wire_page *p, hub_chain_at_fn chain_at, void *ctx,
			   struct fb_error *err);

/* The columns of each listing (hub_store.h, enum hub_listing), which
 * every store gives in this order. */
struct hub_listing_cols {
	const char *const *names;
	int n;
};
extern const struct hub_listing_cols hub_listing_cols[];

/* Keep the hub's reason for an entry it set aside, for the answer. */
void hub_note_reject(struct hub_push_result *res, uint64_t seq, const char *reason);

/* book_difference_fn of the hub's verify: the first difference's text
 * into ctx (a char[FB_ERRMSG_MAX], "" at first), the others counted. */
enum fb_code hub_first_difference(const struct book_difference *d, void *ctx);

/* What the hub's verify says of the records: FB_OK when no record
 * differs, else FB_ECORRUPT with the first difference and how many
 * there are in all. */
enum fb_code hub_differences(const char *first, uint64_t differences,
			     struct fb_error *err);

#endif
