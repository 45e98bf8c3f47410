/*
 * hub_store.h - what the hub's protocol code needs from its storage.
 *
 * The HTTP handlers (hub_http.c) speak only to this interface, so a
 * second backend (PostgreSQL for province and national hubs) is one more
 * implementation of these operations, not a change to the protocol.
 * The SQLite implementation is hub_store_sqlite.c.
 *
 * Every operation may be called from several request threads at once;
 * an implementation serialises what must be (pushes) itself.
 */
#ifndef FB_HUB_STORE_H
#define FB_HUB_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "error.h"
#include "journal.h"
#include "wire.h"
#include "token.h"

/* An enrolled device, as a token identifies it. */
struct hub_device {
	long long id;                        /* the hub's number for it */
	char name[128];
	char unit[FB_BRANCH_CODE_MAX + 1];   /* its scope: this unit and below */
	char device[FB_DEVICE_ID_MAX + 1];   /* the collector's device id, once bound */
	int hub;                             /* a hub below (enroll --hub): it
						relays and binds no device */
};

/* What a push did. */
struct hub_push_result {
	uint64_t ack;                        /* highest sequence held for the device */
	unsigned char ack_hash[JOURNAL_HASH_LEN]; /* its chain hash there */
	size_t applied, replayed, rejected;
	struct {
		uint64_t seq;
		char reason[160];
	} rejects[16];                       /* the first ones, for the answer */
	size_t nrejects;
	uint64_t expected;                   /* with FB_ECONFLICT: the sequence wanted */
	/* With FB_ECORRUPT: the first sequence of the batch at which the
	 * hub holds other content (a fork: a laptop restored from a copy,
	 * or a copied database), and the hub's last sequence of the device;
	 * fork 0 when the fault is another (last_hash). */
	uint64_t fork, held;
	char out_of_scope[FB_BRANCH_CODE_MAX + 1]; /* with FB_EAUTH: the branch */
	int revoked;                         /* with FB_EAUTH: the token was revoked
						since it was authenticated */
};

/* A pull request (docs/PROTOCOL.md §7). */
struct hub_pull {
	int version;            /* WIRE_VERSION, or WIRE_VERSION_OLD */
	uint64_t after;         /* the cursor: a commit sequence ... */
	const char *epoch;      /* v2: ... of this hub history ("": none).  A
				 * cursor of a history the hub does not hold
				 * (it was restored from an older copy) is
				 * cut back to where the two histories part. */
	size_t limit;
	const char *device;     /* v2: the asking device: its own changes are
				 * left out, and the answer says how much of
				 * its chain the hub holds.  v1: NULL, the
				 * token's bound device. */
};

struct hub_store;

/* The listings of the hub's commands, each a fixed set of columns. */
enum hub_listing {
	HUB_LIST_DEVICES,       /* id name unit device created last_seen revoked
				   last_push last_pull unit_name hub */
	HUB_LIST_CONFLICTS,     /* id record type branch field kind kept kept_hlc
				   kept_device lost lost_hlc lost_device resolved */
	HUB_LIST_REJECTED,      /* id device seq record type branch reason at */
};

#define HUB_ROW_COLS_MAX 16

/* One row of a listing: column names, values as text ("" for none). */
struct hub_row {
	int ncols;
	const char *const *names;
	const char *values[HUB_ROW_COLS_MAX];
	int is_number[HUB_ROW_COLS_MAX];        /* print as a JSON number */
};

typedef enum fb_code (*hub_row_fn)(const struct hub_row *row, void *ctx);

/* A unit of the organisation, as `unit add`, `unit import`, `unit
 * rename` and `unit move` give it. */
struct hub_unit {
	const char *code, *parent;      /* parent NULL: the hub's top unit
					   (HUB_UNITS_CHANGE: keep its own) */
	const char *level, *name;       /* HUB_UNITS_CHANGE: NULL keeps its own */
	unsigned long line;             /* the file's line it came from (0:
					   the command line), for messages */
};

/* What put_units does with the units it is given. */
enum hub_units_mode {
	HUB_UNITS_ADD,          /* new units only: a code held is refused */
	HUB_UNITS_IMPORT,       /* add the new, rename and move those held;
				   a unit as held already is not written */
	HUB_UNITS_CHANGE,       /* rename or move units held (FB_ENOENT else) */
};

#define HUB_UNIT_FAULTS_MAX 20  /* refused units whose reasons are kept */

/* What put_units did, or why it did nothing. */
struct hub_units_outcome {
	size_t added, renamed, moved, unchanged;  /* a unit renamed and moved
						     counts in both */
	size_t nfaults;                 /* units refused, in all */
	struct {
		size_t index;           /* into the units given */
		enum fb_code code;      /* FB_EINVAL, FB_ENOENT or FB_EEXIST */
		char msg[FB_ERRMSG_MAX];
	} fault[HUB_UNIT_FAULTS_MAX];   /* the first ones, in the units' order */
};

/* One unit of the tree below a root, in tree order (unit_tree). */
struct hub_tree_row {
	const char *code, *parent;      /* parent NULL: the hub's top unit */
	const char *level, *name;
	int depth;                      /* 0: the root asked for */
	size_t branches;                /* units of level branch at or below it */
	size_t devices;                 /* tokens not revoked enrolled at or below it */
};

typedef enum fb_code (*hub_tree_fn)(const struct hub_tree_row *row, void *ctx);

/* A unit of the hierarchy, for reports. */
typedef enum fb_code (*hub_unit_fn)(const char *code, const char *name, void *ctx);

struct hub_report_data;

struct hub_store_ops {
	/* The device a token's SHA-256 belongs to; FB_EAUTH when none
	 * or revoked.  Implementations compare in constant time. */
	enum fb_code (*auth)(struct hub_store *s,
			     const unsigned char hash[TOKEN_HASH_LEN],
			     struct hub_device *dev, struct fb_error *err);
	/* Apply a batch in one transaction (docs/PROTOCOL.md).  The token's
	 * revocation is looked at again inside it: FB_EAUTH with
	 * res->revoked when it was revoked after auth. */
	enum fb_code (*push)(struct hub_store *s, struct hub_device *dev,
			     struct wire_batch *b, struct hub_push_result *res,
			     struct fb_error *err);
	/* Write to out the pull answer (wire_pull_encode) of the changes in
	 * dev's scope from other devices after the request's cursor, at
	 * most its limit.  FB_EAUTH: the asking device is another token's. */
	enum fb_code (*pull)(struct hub_store *s, const struct hub_device *dev,
			     const struct hub_pull *req, fb_hlc hub_time,
			     struct fb_buf *out, struct fb_error *err);
	/* Fill h->seq: the hub's last sequence of each device in h (0:
	 * none).  docs/PROTOCOL.md §7.6. */
	enum fb_code (*heads)(struct hub_store *s, const struct hub_device *dev,
			      struct wire_heads *h, struct fb_error *err);
	/* The enrolled device whose token bound (or took on) device, or
	 * whose bundles came from it (a hub's relay id), in *dev; FB_ENOENT
	 * when none, FB_EAUTH when its token is revoked. */
	enum fb_code (*find_device)(struct hub_store *s, const char *device,
				    struct hub_device *dev, struct fb_error *err);
	/* Where a bundle for device is to start (the cursor and epoch its
	 * last push bundle gave), and noting that. */
	enum fb_code (*bundle_cursor)(struct hub_store *s, const char *device,
				      uint64_t *after, char epoch[WIRE_EPOCH_LEN + 1],
				      struct fb_error *err);
	enum fb_code (*bundle_mark)(struct hub_store *s, const char *device, long long token,
				    uint64_t after, const char *epoch, struct fb_error *err);
	/* 1 when the store answers (health). */
	int (*healthy)(struct hub_store *s);
	void (*close)(struct hub_store *s);

	/* The hub's commands.  Enroll a device for unit under name with
	 * the token's hash; *id is its number.  FB_ENOENT: no such unit. */
	enum fb_code (*enroll)(struct hub_store *s, const char *unit, const char *name,
			       const unsigned char hash[TOKEN_HASH_LEN], long long *id,
			       struct fb_error *err);
	/* Make device id a hub below this one (enroll --hub). */
	enum fb_code (*make_hub)(struct hub_store *s, long long id, struct fb_error *err);
	/* Refuse device id's token from now on (again: no change).
	 * FB_ENOENT: no such device. */
	enum fb_code (*revoke)(struct hub_store *s, long long id, struct fb_error *err);
	/* Call fn for each row of a listing, oldest first; `all` takes
	 * resolved conflicts too.  fn's code other than FB_OK stops it. */
	enum fb_code (*list)(struct hub_store *s, enum hub_listing what, int all,
			     hub_row_fn fn, void *ctx, struct fb_error *err);
	/* The store's own integrity check (SQLite's; PostgreSQL has none
	 * that a client runs), every device's hash chain whole, then every
	 * record against what its journal entries give (verify.h); the
	 * counts of journal rows and entries, and of records compared.
	 * FB_ECORRUPT names the first fault (a record and field that
	 * differ, and how many differences in all).  It writes nothing. */
	enum fb_code (*verify)(struct hub_store *s, uint64_t *rows, uint64_t *entries,
			       uint64_t *records, struct fb_error *err);
	/* Add, rename and move units (mode), in any order (a child may
	 * come before its parent), all or none, in one transaction.  Every
	 * unit is checked against the tree it would make: its parent held
	 * or given, the levels' rule (model_level_holds), no unit under
	 * itself or its own descendant, a held unit's level unchanged, a
	 * code given once.  FB_EINVAL when any is refused: out->nfaults
	 * says how many, out->fault the first HUB_UNIT_FAULTS_MAX in the
	 * units' order, err the first's message; nothing is written.
	 * Nothing is written either when no unit changes. */
	enum fb_code (*put_units)(struct hub_store *s, const struct hub_unit *u, size_t n,
				  enum hub_units_mode mode, struct hub_units_outcome *out,
				  struct fb_error *err);
	/* Remove a unit that holds no records and has no devices enrolled
	 * (revoked or not) and no units under it; FB_EINVAL naming each
	 * reason otherwise, FB_ENOENT when there is no such unit. */
	enum fb_code (*remove_unit)(struct hub_store *s, const char *code,
				    struct fb_error *err);
	/* fn for root (NULL: the hub's own unit) and every unit below it,
	 * in tree order: a unit, then each of its children's subtrees, in
	 * the order of their codes.  FB_ENOENT: no unit root. */
	enum fb_code (*unit_tree)(struct hub_store *s, const char *root, hub_tree_fn fn,
				  void *ctx, struct fb_error *err);
	/* A consistent copy of the store at dest, taken while it serves,
	 * owner-only, checked as verify checks (*entries: its entries)
	 * before it is put in place. */
	enum fb_code (*backup)(struct hub_store *s, const char *dest, uint64_t *entries,
			       struct fb_error *err);
	/* The hub's top unit (init --unit), malloc'd into *code;
	 * FB_EINVAL when the store is no hub's. */
	enum fb_code (*top_unit)(struct hub_store *s, char **code, struct fb_error *err);
	/* Units of `level` at or below root, in code order. */
	enum fb_code (*each_unit)(struct hub_store *s, const char *root, const char *level,
				  hub_unit_fn fn, void *ctx, struct fb_error *err);
	/* What the report of `year` needs (hub_report.h), read in one
	 * transaction that writes nothing (PostgreSQL: a read-only
	 * connection or a hot standby will do): every unit with its
	 * laptops, every branch's figures;
	 * names: the people not yet trained too.  Release d with
	 * hub_report_data_release(), on failure too. */
	enum fb_code (*report_data)(struct hub_store *s, int year, int names,
				    struct hub_report_data *d, struct fb_error *err);
};

struct hub_store {
	const struct hub_store_ops *ops;
};

/* Open the SQLite store at path with `connections` pooled connections,
 * to serve (its checkpointer thread runs until close). */
enum fb_code hub_store_sqlite_open(const char *path, int connections,
				   struct hub_store **out, struct fb_error *err);

/* Create the SQLite store at path for its top unit (init).  FB_EEXIST
 * when a hub is there already. */
enum fb_code hub_store_sqlite_create(const char *path, const struct hub_unit *top,
				     struct fb_error *err);

/* The same with one connection and no thread, for the hub's commands. */
enum fb_code hub_store_sqlite_admin(const char *path, struct hub_store **out,
				    struct fb_error *err);

/* Put the copy at `copy` in place of the database at target, which no
 * process may have open (FB_EBUSY): checked first, then written whole
 * and renamed, the old database's -wal and -shm removed. */
enum fb_code hub_store_sqlite_restore(const char *copy, const char *target,
				      uint64_t *entries, struct fb_error *err);

/*
 * A copy of a hub as an SQLite hub file (hub_store_backup.c), whichever
 * store it is taken from: hub_copy_begin() makes an empty owner-only
 * file beside dest (part); hub_copy_end() checks what was written there
 * as `verify` checks a hub (*entries: its journal entries), then
 * flushes it and renames it to dest, or removes it.  hub_copy_check()
 * is that check of a hub file.
 */
#define HUB_COPY_PATH_MAX 4096
enum fb_code hub_copy_begin(const char *dest, char part[HUB_COPY_PATH_MAX],
			    struct fb_error *err)
	FB_MUST_CHECK;
enum fb_code hub_copy_end(const char *part, const char *dest, uint64_t *entries,
			  struct fb_error *err)
	FB_MUST_CHECK;
enum fb_code hub_copy_check(const char *path, uint64_t *entries, struct fb_error *err)
	FB_MUST_CHECK;

/* 1 when uri names a PostgreSQL store (postgresql:// or postgres://). */
int hub_store_is_pg(const char *uri);

#define HUB_PG_SHOWN_MAX 1024   /* a store's URI as messages show it */

/* uri as messages show it: a password in it (user:password@) cut out,
 * the rest as given (cut to size). */
void hub_store_pg_shown(const char *uri, char *out, size_t size);

/* Create the hub's schema and its top unit in the PostgreSQL database
 * of uri (init), migrating nothing else.  FB_EEXIST when it holds a hub
 * already; FB_EBUSY when PostgreSQL cannot be reached. */
enum fb_code hub_store_pg_create(const char *uri, const struct hub_unit *top,
				 struct fb_error *err);

/* Open the PostgreSQL store of uri for the hub's commands (one
 * connection), its schema migrated to this program's version first.
 * FB_ENOINPUT: no hub there; FB_EINVAL: a schema newer than this
 * program's, refused untouched.  Only the operations of the commands
 * hub_main.c lets through are written; the others refuse. */
enum fb_code hub_store_pg_admin(const char *uri, struct hub_store **out,
				struct fb_error *err);

/* Put the SQLite hub file at copy (a backup of either store), checked
 * first, in place of everything the PostgreSQL store of uri holds, in
 * one transaction; a database without a hub gets the hub's schema
 * first.  FB_EBUSY while a hub serves it.  *entries: the copy's. */
enum fb_code hub_store_pg_restore(const char *copy, const char *uri, uint64_t *entries,
				  struct fb_error *err)
	FB_MUST_CHECK;

/* Open the PostgreSQL store of uri to serve, with a pool of
 * `connections`, its schema migrated first, and a new epoch begun
 * (hub_store_history.c says why each start begins one). */
enum fb_code hub_store_pg_open(const char *uri, int connections, struct hub_store **out,
			       struct fb_error *err);

/* The PostgreSQL store of uri as the end of the hub's relay to the hub
 * above (sync_local.h; hub_store_pg_relay.c), on a connection of its
 * own; closed with sync_local_close. */
struct sync_local;
enum fb_code hub_store_pg_local(const char *uri, struct sync_local *out,
				struct fb_error *err);

/* The hub's tables, added to the common schema (store.h). */
extern const char hub_schema[];

#endif
