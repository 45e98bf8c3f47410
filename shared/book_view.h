/*
 * book_view.h - what the commands read from a book, and the few things
 * sync notes in it, so that no command or client code runs SQL of its
 * own: all schema stays in the store modules (store.c, book*.c, here).
 *
 * Each reader either fills a struct or calls back once a row; a callback
 * that returns other than FB_OK stops the walk and its code is returned.
 * Errors come with a one-line message in err (which may be NULL).
 */
#ifndef FB_BOOK_VIEW_H
#define FB_BOOK_VIEW_H

#include "book.h"
#include "verify.h"

/* This device's id, and the branch it records for ("" on a hub). */
const char *book_device(const struct book *b);
const char *book_branch(const struct book *b);

/* The last sequence this device has written (0 before any). */
uint64_t book_last_seq(const struct book *b);

/* Move the clock past a time a peer has seen (hlc.h). */
void book_observe(struct book *b, fb_hlc t);

/* The wall clock this book stamps by, in ms (hlc_wall_ms; tests may
 * replace it). */
uint64_t book_wall_ms(const struct book *b);

/*
 * How this laptop's clock compares with the hub's (docs/DATA-MODEL.md,
 * meta `clock_offset_ms` and `clock_seen`).  A sync notes what it saw:
 * the hub's time hub_ms, read when this laptop's wall clock said
 * local_ms and it had been up boot_ms (hlc_boot_ms).  Saved in a
 * transaction of its own.
 */
struct book_clock_note {
	uint64_t hub_ms, local_ms, boot_ms;
};

enum fb_code book_note_hub_clock(struct book *b, const struct book_clock_note *n,
				 struct fb_error *err) __attribute__((warn_unused_result));

/*
 * By how much this laptop's wall clock runs ahead of the hub's now
 * (negative: behind), in ms, into *ahead_ms; *known 0 when no sync ever
 * saw the hub's time.  Within the boot in which the hub's time was seen,
 * that time is carried forward by the time since (hlc_boot_ms), so a
 * clock set wrong after the sync shows at once; after a restart, the
 * offset the last sync measured stands.
 */
enum fb_code book_clock_drift(struct book *b, int64_t *ahead_ms, int *known,
			      struct fb_error *err) __attribute__((warn_unused_result));

/* Let references name deleted records in this transaction (an export
 * carries the deleted records its others refer to, and imports them). */
void book_allow_deleted_refs(struct book *b);

/* The book's own settings (store.h store_meta_*): the remote, cursors. */
enum fb_code book_meta_get(struct book *b, const char *key, char **out,
			   struct fb_error *err) __attribute__((warn_unused_result));
enum fb_code book_meta_int(struct book *b, const char *key, long long def,
			   long long *out, struct fb_error *err)
	__attribute__((warn_unused_result));
enum fb_code book_meta_set(struct book *b, const char *key, const char *value,
			   struct fb_error *err) __attribute__((warn_unused_result));
enum fb_code book_meta_set_int(struct book *b, const char *key, long long value,
			       struct fb_error *err) __attribute__((warn_unused_result));

/* SQLite's integrity check, then every device's chain (book_verify_chain). */
enum fb_code book_verify(struct book *b, uint64_t *rows, uint64_t *entries,
			 struct fb_error *err) __attribute__((warn_unused_result));

struct book_verify_walk {
	struct book *b;
	book_difference_fn fn;          /* each difference, or NULL */
	void *ctx;
	uint64_t records;               /* out: records compared */
	uint64_t differences;           /* out: differences found */
};

/*
 * verify_records (verify.h) over the book's journal and record table:
 * every record rebuilt from the journal (quarantined entries left out)
 * and compared with its row, fn called for each difference.
 */
enum fb_code book_verify_records(struct book_verify_walk *w, struct fb_error *err)
	__attribute__((warn_unused_result));

/* The year's report (report.h) of this book's branch. */
struct report;
enum fb_code book_report(struct book *b, int year, struct report *r,
			 struct fb_error *err) __attribute__((warn_unused_result));

/* How many records of type t (REC_NTYPES: every type) the book holds,
 * deleted ones only with include_deleted: the end of an export's
 * progress. */
enum fb_code book_count(struct book *b, enum rec_type t, int include_deleted,
			long long *n, struct fb_error *err) __attribute__((warn_unused_result));

/* What `fieldbook status` shows. */
struct book_status {
	long long live[REC_NTYPES];     /* records not deleted, by type */
	long long entries;              /* this device's journal entries */
	long long acked;                /* of them, acknowledged by the hub */
	long long conflicts;            /* open, this laptop's to settle */
	long long rejected;             /* entries the hub set aside */
	char *branch_name, *remote, *last_sync;  /* malloc'd, or NULL */
};

enum fb_code book_status(struct book *b, struct book_status *st, struct fb_error *err)
	__attribute__((warn_unused_result));
void book_status_release(struct book_status *st);

/*
 * Each time this book continued under a new device id after a restore
 * or a copy (book_fork), oldest first; nothing when it never did.
 * FB_ECORRUPT when the record of it (meta forked_from) does not read.
 */
struct book_fork_note {
	char old_device[FB_DEVICE_ID_MAX + 1];  /* the id before */
	char new_device[FB_DEVICE_ID_MAX + 1];  /* the id taken */
	uint64_t from;                  /* the old id's first sequence moved */
	uint64_t moved;                 /* changes re-issued under the new id */
};

typedef enum fb_code (*book_fork_fn)(const struct book_fork_note *f, void *ctx);

enum fb_code book_each_fork(struct book *b, book_fork_fn fn, void *ctx,
			    struct fb_error *err) __attribute__((warn_unused_result));

/*
 * The device id this book's present device went on from after its last
 * fork, into parent ("" when it never forked).  A push names it, so
 * that the hub lets the laptop's token take the new id on
 * (docs/PROTOCOL.md §6.2).
 */
enum fb_code book_forked_from(struct book *b, char parent[FB_DEVICE_ID_MAX + 1],
			      struct fb_error *err) __attribute__((warn_unused_result));

/* One row of the conflict log (docs/MERGE.md). */
struct book_conflict {
	long long row;                  /* this replica's row number */
	const char *id;                 /* its number on every replica
					 * (conflict_id.h), CONFLICT_ID_LEN hex */
	const char *record, *type, *field;
	const char *kind;               /* "field" (concurrent edits) or "delete" */
	const char *winner_value, *winner_device;
	const char *loser_value, *loser_device;
	const char *current;            /* the field's value in the record now */
	int resolved;
	int inherited;                  /* between other devices, logged as this
					 * laptop first caught up with the hub:
					 * not one it took part in */
};

typedef enum fb_code (*book_conflict_fn)(const struct book_conflict *k, void *ctx);

/*
 * The conflicts this laptop is to settle, oldest first: open, and not
 * inherited (below).  With all, every row: resolved ones and inherited
 * ones too, marked.
 *
 * A laptop that syncs for the first time applies the branch's history,
 * and logs the conflicts of that history as it goes.  Those between
 * other devices were never its own: a conflict is inherited when
 * neither side was written here (under this device id or one it had
 * before a fork) and it was logged before this laptop's first pull had
 * caught up with the hub (meta BOOK_CONFLICTS_JOINED).  The row stays,
 * open as on every replica; it is only not this laptop's to settle.
 */
enum fb_code book_each_conflict(struct book *b, int all, book_conflict_fn fn, void *ctx,
				struct fb_error *err) __attribute__((warn_unused_result));

/*
 * meta key: -1 while this laptop's first pull is catching up with the
 * hub, then the conflict log's last row when it had; rows up to it not
 * written here are inherited.  Absent: no pull yet (nothing inherited).
 */
#define BOOK_CONFLICTS_JOINED "conflicts_joined"

/*
 * Before a pull: *joining is 1 while the first catch-up is under way
 * (the mark is set to -1 the first time, when this book holds no other
 * device's entry; a book that already does, of an earlier release,
 * inherits nothing and the mark becomes 0).
 */
enum fb_code book_pull_joining(struct book *b, int *joining, struct fb_error *err)
	__attribute__((warn_unused_result));

/* A pull page with nothing more after it: if the first catch-up was
 * under way, it is over, and the mark becomes the log's last row.
 * Nothing otherwise.  In the caller's transaction. */
enum fb_code book_pull_joined(struct book *b, struct fb_error *err)
	__attribute__((warn_unused_result));

/*
 * The row of the conflict a person names by its id or a prefix of it
 * (conflict_id_prefix: '#' and at least CONFLICT_ID_MIN hex digits).
 * FB_EINVAL when text is no id, or names several (the message lists
 * them); FB_ENOENT when none.
 */
enum fb_code book_conflict_find(struct book *b, const char *text, long long *row,
				struct fb_error *err) __attribute__((warn_unused_result));

typedef enum fb_code (*book_change_fn)(const struct jchange *c, void *ctx);

/* The journal in commit order, every change or those of one record. */
enum fb_code book_each_change(struct book *b, const char *record_id, book_change_fn fn,
			      void *ctx, struct fb_error *err)
	__attribute__((warn_unused_result));

typedef enum fb_code (*book_id_fn)(const char *id, void *ctx);

/*
 * The links of record r: a training's attendees or a member's trainings,
 * counting only attendances and records not deleted, as the report does;
 * attendees in the order of book_each's members (given name first),
 * trainings in that of its trainings (date, then title).  Nothing for
 * other types.
 */
enum fb_code book_each_link(struct book *b, const struct record *r, book_id_fn fn,
			    void *ctx, struct fb_error *err)
	__attribute__((warn_unused_result));

/*
 * The deleted records that records not deleted refer to (an export
 * carries them, so that the file imports whole).  book_referred_open
 * gathers them and says in *any whether one is of type t (any type when
 * t is NULL); book_referred_has asks about one id.
 */
struct book_referred;
enum fb_code book_referred_open(struct book *b, const struct type_def *t,
				struct book_referred **out, int *any, struct fb_error *err)
	__attribute__((warn_unused_result));
int book_referred_has(struct book_referred *r, const char *id);
void book_referred_close(struct book_referred *r);

/* Keep the hub's reason for setting aside this device's entry seq. */
enum fb_code book_note_rejected(struct book *b, long long seq, const char *reason,
				struct fb_error *err) __attribute__((warn_unused_result));

#endif
