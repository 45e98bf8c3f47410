/*
 * book.h - a replica's records and journal: the operations behind every
 * command, on the laptop and (through book_apply) on the hub.
 *
 * A book wraps a store (store.h) with the device's identity, its HLC
 * and its place in its own hash chain.  Every change goes through
 * book_apply(): the record's current state and the journal row are
 * written in the same SQLite transaction, so a change is either wholly
 * saved or not at all.  Local edits (book_add, book_edit, book_delete)
 * validate what the user typed, stamp it with a fresh HLC and the next
 * sequence numbers, chain its hash and apply it; entries from other
 * devices are applied with the same function and the same merge rule.
 *
 * Each call runs in its own transaction unless the caller has opened
 * one with book_begin(), in which case all of them commit (or roll
 * back) together: import uses that to be all-or-nothing.
 */
#ifndef FB_BOOK_H
#define FB_BOOK_H

#include "journal.h"
#include "model.h"
#include "store.h"

#define RECORD_FIELDS_MAX 16

/* A branch's or a hub's book: opaque; book_internal.h has its fields. */
struct book;

/* One record's current state. */
struct record {
	char id[FB_RECORD_ID_MAX + 1];
	enum rec_type type;
	char branch[FB_BRANCH_CODE_MAX + 1];
	/* by field index of the type (model.h); val NULL: never written */
	char *val[RECORD_FIELDS_MAX];
	struct fb_stamp stamp[RECORD_FIELDS_MAX];
};

/* A field as the user typed it, by name. */
struct field_value {
	const char *name;
	const char *value;
};

/*
 * Create a collector database at path for a branch: a new device id,
 * the branch code and name.  FB_EEXIST if one is already there.
 */
enum fb_code book_create(const char *path, const char *branch,
			 const char *name, struct fb_error *err)
	FB_MUST_CHECK;

/*
 * Open the book at path.  extra_schema is passed to store_open (the hub
 * adds its tables).  On success *out is the caller's; book_close().
 */
enum fb_code book_open(const char *path, const char *extra_schema,
		       struct book **out, struct fb_error *err)
	FB_MUST_CHECK;
void book_close(struct book *b);

/*
 * A new random device id (FB_DEVICE_ID_LEN hex digits of RAND_bytes),
 * as init makes it, book_fork re-makes it and a hub takes one to
 * relay under.  FB_EINTERNAL, with no message, when there are no
 * random bytes.
 */
enum fb_code book_new_device_id(char out[FB_DEVICE_ID_LEN + 1])
	FB_MUST_CHECK;

/* Group several calls into one transaction. */
enum fb_code book_begin(struct book *b, struct fb_error *err)
	FB_MUST_CHECK;
enum fb_code book_commit(struct book *b, struct fb_error *err)
	FB_MUST_CHECK;
void book_rollback(struct book *b);

/* Load a record.  FB_ENOENT (with a message naming id) if absent. */
enum fb_code book_get(struct book *b, const char *id, struct record **out,
		      struct fb_error *err)
	FB_MUST_CHECK;
void record_free(struct record *r);

/* A field's current text, "" if never set; 1 if the record is deleted. */
const char *record_get(const struct record *r, const char *field);
int record_deleted(const struct record *r);

/*
 * Call fn for each record of type t (REC_NTYPES: every type) in a
 * stable order (docs/DECISIONS.md, "Vietnamese order"): members by
 * name in Vietnamese order, given name first (collate.h); trainings by
 * start date, then title in Vietnamese order; visits by date; each then
 * by id; attendance by id; every type at once by type, then id.
 * Deleted ones only with include_deleted, and, when year > 0, only
 * those whose date (start date, visit date, joined) falls in that year.
 * fn returns FB_OK to go on; anything else stops the walk and is
 * returned.  The record is freed after fn returns.
 */
typedef enum fb_code (*book_each_fn)(const struct record *r, void *ctx);
enum fb_code book_each(struct book *b, enum rec_type t, int year,
		       int include_deleted, book_each_fn fn, void *ctx,
		       struct fb_error *err)
	FB_MUST_CHECK;

/* The date field a type's year filter and order use, or NULL. */
const char *book_date_field(enum rec_type t);

/*
 * Add a record of type t from the fields typed.  Every value is checked
 * (model_check), required fields must be there, referenced members and
 * trainings must exist and not be deleted.  The new id is written to
 * id_out.  For attendance the id is "training_id:member_id"; adding a
 * pair that exists restores it if it was removed and otherwise changes
 * nothing.  want_id, if not NULL, is the id to use (import keeps the
 * ids of exported records); it must be valid for the type and free.
 */
enum fb_code book_add(struct book *b, enum rec_type t, const char *want_id,
		      const struct field_value *fv, size_t n,
		      char id_out[FB_RECORD_ID_MAX + 1], struct fb_error *err)
	FB_MUST_CHECK;

/*
 * Change fields of a record.  Fields whose value does not change write
 * no entry.  A deleted record must be restored first; `deleted` and the
 * attendance keys cannot be edited.  *changed (may be NULL) is the
 * number of entries written.
 */
enum fb_code book_edit(struct book *b, const char *id,
		       const struct field_value *fv, size_t n, size_t *changed,
		       struct fb_error *err)
	FB_MUST_CHECK;

/*
 * Settle conflict `id` (a row of the conflict table) with `value`: an
 * entry that supersedes both sides (its base is the value held now, its
 * HLC newer than both), written even when the value is the one held, so
 * that every replica learns of the decision.  For an edit that met a
 * delete, a value is a decision for the edit: the record is restored
 * with it.  The value is checked like any edit (FB_EINVAL).  FB_ENOENT
 * if there is no such conflict; FB_EINVAL, with nothing written, when it
 * is settled already (a later change decided it).
 */
enum fb_code book_resolve(struct book *b, long long id, const char *value,
			  struct fb_error *err)
	FB_MUST_CHECK;

/*
 * Settle conflict `id` by keeping one side (`fieldbook resolve --keep`):
 * the value the record holds now (keep_current) or the one that lost,
 * written as book_resolve() writes a value.  For an edit that met a
 * delete, the current side is the delete: the record stays deleted,
 * with a new delete that has seen every value it holds, so that it
 * settles the record's delete conflicts on every replica; the other
 * side restores the record with the edit's value.
 */
enum fb_code book_resolve_keep(struct book *b, long long id, int keep_current,
			       struct fb_error *err)
	FB_MUST_CHECK;

/*
 * Delete (deleted=1) or restore (deleted=0) a record; nothing when it
 * already is.  A delete also writes the record's seen vector (`_seen`,
 * seen.h).
 */
enum fb_code book_set_deleted(struct book *b, const char *id, int deleted,
			      struct fb_error *err)
	FB_MUST_CHECK;

/* Flags of book_apply(). */
#define BOOK_QUARANTINE 1  /* hub: keep the change in the journal to
			    * continue its chain, but flagged, unmerged
			    * and never pulled (a rejected entry) */
#define BOOK_FROM_HUB   2  /* collector: a change pulled from the hub,
			    * whose chain the hub has checked; it may
			    * skip sequences (other branches, rejected
			    * entries) and its hash is stored as given */

#define BOOK_HASHED     4  /* c->hash is given and must be what the
			    * chain computes (otherwise it is computed) */

/*
 * Apply one change (a local one, or one from another device) with the
 * merge rule: record state, conflict log and journal row, in the
 * current transaction or in one of its own.  The change must continue
 * its device's sequence: its hash is computed from the chain into
 * c->hash (with BOOK_HASHED, checked against the one given).  A
 * sequence already held is a replay: it changes nothing, *applied is 0
 * and c->hash is set to the hash held, so a caller can go on chaining
 * (and compare the end of a batch with what the sender says).  A gap
 * is FB_ECONFLICT; a replay whose shape differs, or a hash that does
 * not follow, is FB_ECORRUPT; a change whose content is invalid is
 * FB_EINVAL with nothing written.  applied may be NULL.
 */
enum fb_code book_apply(struct book *b, struct jchange *c, int flags,
			int *applied, struct fb_error *err)
	FB_MUST_CHECK;

/*
 * The last sequence and chain hash this book holds for device (0 and
 * zeros when none).
 */
enum fb_code book_device_head(struct book *b, const char *device,
			      uint64_t *last_seq,
			      unsigned char hash[JOURNAL_HASH_LEN],
			      struct fb_error *err)
	FB_MUST_CHECK;

/*
 * The chain hash of device after entry seq, into hash: *found = 1 when
 * this book holds a change of device that ends exactly at seq, else 0
 * (nothing held there, or seq falls inside a change).  Used to check a
 * pulled run against what is held, and a hub's idea of this device's
 * chain against the book's own.
 */
enum fb_code book_chain_at(struct book *b, const char *device, uint64_t seq,
			   unsigned char hash[JOURNAL_HASH_LEN], int *found,
			   struct fb_error *err)
	FB_MUST_CHECK;

/*
 * What a hub's word on this device's chain means (docs/PROTOCOL.md
 * §13.4): it holds `held` entries of it, the last with chain hash
 * held_hash (a pull answer says so).
 *   - It holds more than this book ever wrote: the book was restored
 *     from an older copy, or copied to a second laptop.  *fork_at is
 *     where to go on under a new device id (book_fork); nothing else
 *     is done.
 *   - It holds other content at or below `held`: acked_seq becomes 0,
 *     so that everything is sent again and the hub's replay check finds
 *     where the two histories part (a fork answer).
 *   - It holds less than it acknowledged (it was restored from a
 *     backup): acked_seq becomes `held`, so the rest is sent again.
 * *resend is how many entries are to be sent again (0: nothing to do).
 * acked_seq is changed in a transaction of its own.
 */
enum fb_code book_hub_holds(struct book *b, uint64_t held,
			    const unsigned char held_hash[JOURNAL_HASH_LEN],
			    uint64_t *fork_at, uint64_t *resend, struct fb_error *err)
	FB_MUST_CHECK;

/*
 * This device's changes after sequence `after`, in order, into
 * out[0..*n): at most max changes, and no more once max_bytes of
 * journal text have been read (a change is never split).  The caller
 * releases each with jchange_release(), also on failure.
 */
enum fb_code book_own_changes(struct book *b, uint64_t after,
			      struct jchange *out, size_t max, size_t max_bytes,
			      size_t *n, struct fb_error *err)
	FB_MUST_CHECK;

/*
 * Another device's changes to send to a hub that holds its chain up to
 * `held` (a relay): those from held + 1 on, as far as they follow one
 * another without a hole (a change outside this book's scope was never
 * pulled here), committed here before commit `below` (0: any), at most
 * max changes and about max_bytes.  *n 0: none follow `held` here.
 * Released as for book_own_changes.
 *
 * A relay sends in this book's commit order, across devices, so that
 * a change reaches the hub after every change it was written over:
 * book_relay_first() says where device's next change stands in that
 * order (*cseq 0: none), and `below` stops a run where another
 * device's change comes first.
 */
enum fb_code book_relay_changes(struct book *b, const char *device, uint64_t held,
				uint64_t below, struct jchange *out, size_t max,
				size_t max_bytes, size_t *n, struct fb_error *err)
	FB_MUST_CHECK;
enum fb_code book_relay_first(struct book *b, const char *device, uint64_t held,
			      uint64_t *cseq, struct fb_error *err)
	FB_MUST_CHECK;

/*
 * A hub's book has no device of its own.  Towards the hub above it, it
 * speaks under an id kept in meta `relay_device` (made on first use),
 * under which it writes nothing.  A book that has a device keeps it.
 */
enum fb_code book_relay_identity(struct book *b, struct fb_error *err)
	FB_MUST_CHECK;

/* A device and the last sequence of it that one side holds. */
typedef enum fb_code (*book_head_fn)(const char *device, uint64_t last, void *ctx);

/*
 * What this book knows the hub it syncs with holds of other devices
 * (the relay_head table): book_relay_known() notes that the hub holds a
 * device's chain up to seq at least; book_relay_forget() forgets it all,
 * when the hub showed it lost part of its history.  Either runs in the
 * caller's transaction, or in one of its own.
 */
enum fb_code book_relay_known(struct book *b, const char *device, uint64_t seq,
			      struct fb_error *err)
	FB_MUST_CHECK;
enum fb_code book_relay_forget(struct book *b, struct fb_error *err)
	FB_MUST_CHECK;
/* What the hub is known to hold of device (0: nothing known). */
enum fb_code book_relay_known_of(struct book *b, const char *device, uint64_t *seq,
				 struct fb_error *err)
	FB_MUST_CHECK;

/*
 * Each device other than this book's own of which it holds more than
 * the hub is known to (book_relay_known), with the last sequence it
 * holds, in device order.  fn's code other than FB_OK stops the walk
 * and is returned.
 */
enum fb_code book_each_relay_candidate(struct book *b, book_head_fn fn, void *ctx,
				       struct fb_error *err)
	FB_MUST_CHECK;

/* How many entries of how many devices the hub is not known to hold
 * (`fieldbook-hub status`: what waits for the next relay). */
enum fb_code book_relay_waiting(struct book *b, uint64_t *entries, uint64_t *devices,
				struct fb_error *err)
	FB_MUST_CHECK;

/*
 * Each device other than this book's own whose changes it holds, with
 * the last sequence it holds of it, in device order.  fn's code other
 * than FB_OK stops the walk and is returned.
 */
enum fb_code book_each_other_device(struct book *b, book_head_fn fn, void *ctx,
				    struct fb_error *err)
	FB_MUST_CHECK;

/*
 * Continue this laptop's book under a new device id, after a restore
 * from an old copy or a copy of the file to a second laptop (docs/
 * DECISIONS.md, "A laptop restored from a copy, or copied").  Such a
 * book numbers its new entries from where the copy stood, so they reuse
 * sequences the hub holds with other content.  `from` is the fork point
 * the sync client found: this device's first sequence at which the hub
 * holds different content, or the book's last sequence + 1 when the hub
 * holds more than the book ever wrote.
 *
 * In one transaction (its own, or the caller's after book_begin()):
 *   - a new random device id, made as init makes one;
 *   - every journal row of this device from `from` on, in sequence
 *     order, is re-issued as a change of the new id: sequences from 1,
 *     the same HLC, record, type, branch, fields and values, chained
 *     from the zero hash.  A base that names one of those writes (old
 *     id, one of their HLCs) names the new id; other bases stay.  The
 *     row keeps its place in the commit order (`fieldbook log`).  A
 *     row that holds `from` inside it (from > its first sequence) is
 *     moved whole: the fork point becomes its first sequence;
 *   - rows before the fork point stay: from now on they are another
 *     device's (the old id's), which the hub holds identically;
 *   - in the record state and the conflict log, every stamp of a
 *     re-issued write takes the new id: values, conflicts and what is
 *     settled are as they were, only renamed;
 *   - meta: `device` is the new id; "<old>:<from>:<moved>:<new>" is
 *     appended to `forked_from`; `acked_seq` and `pull_cursor` start at
 *     0 and the hub's reasons in sync_rejected are dropped (they name
 *     sequences of the old id); the remote's URL, token and CA and
 *     `last_sync` are kept.
 * The book's cached id, next sequence and chain head follow: the next
 * local edit continues the new id's chain after the moved entries.  The
 * next pull, from cursor 0, brings the hub's entries of the old id:
 * those before the fork point are replays (skipped), the others (the
 * other copy's, or the work this one lost) merge as another device's.
 * The next push sends the new id's entries from 1.
 *
 * `from` beyond the last sequence moves nothing and still takes the
 * new id.  On success *moved is the number of changes (journal rows)
 * re-issued and old_device the id before the fork; either may be NULL;
 * on failure they are 0 and "".  FB_EINVAL when from is 0 or b is a
 * hub's book (no branch of its own); FB_EINTERNAL when there are no
 * random bytes or the new id is already in the journal; FB_ECORRUPT
 * when a row does not read; store errors (FB_EIO ...) as book_apply.
 * On failure in its own transaction nothing is changed, the cached
 * state included; in the caller's, book_rollback() undoes what it
 * wrote and reloads the cached id, sequence and chain with the rest.
 * It does not talk to the hub: sync rebinds the token (docs/
 * DECISIONS.md).
 */
enum fb_code book_fork(struct book *b, uint64_t from,
		       char old_device[FB_DEVICE_ID_MAX + 1],
		       size_t *moved, struct fb_error *err)
	FB_MUST_CHECK;

/*
 * Date again this laptop's entries that no hub has acknowledged and that
 * are stamped after `bound`: those saved while its clock ran fast, which
 * a hub refuses (clock_ahead) and which would hold back every later
 * entry, the HLC never going back (docs/DECISIONS.md, "A clock that ran
 * fast").  `bound` is the latest stamp the hub takes now: max(this
 * laptop's clock, the hub's) plus FB_HLC_MAX_DRIFT_MS, as an HLC.
 *
 * The run of own rows after acked_seq that are all stamped after
 * `bound`, and after every other device's entry this book holds, takes
 * new HLCs in the same order, each the next tick of the clock after
 * everything else the book holds (hlc_tick from that floor with the
 * wall clock).  Sequences stay; the chain is hashed anew from the entry
 * before; bases, seen vectors, the record state and the conflict log
 * name the new stamps (book_rewrite.c); the book's clock comes down to
 * the last of them.  Every comparison the merge made here reads the
 * same afterwards, and no other replica ever saw the old stamps, so the
 * merge stays the same everywhere.
 *
 * *moved is the number of changes (journal rows) dated again: 0 when
 * none is ahead, or when the new stamps would not fit under `bound`
 * (the laptop's clock is still fast, or the hub's history holds entries
 * ahead), which leaves the book as it was.  In one transaction (its own
 * or the caller's).  FB_EINVAL on a hub's book; store errors as
 * book_apply.
 */
enum fb_code book_restamp(struct book *b, fb_hlc bound, size_t *moved,
			  struct fb_error *err)
	FB_MUST_CHECK;

/*
 * meta key: 1 while a push of this book's first entries went out and no
 * answer came back (the hub may hold them or not); the sync client sets
 * it before such a push and clears it on an answer.
 */
#define BOOK_PUSH_UNSURE "push_unsure"

/*
 * Correct the branch code typed at init (`fieldbook init --fix-branch`),
 * while nothing recorded here has been sent: no entry acknowledged, no
 * push left without an answer (BOOK_PUSH_UNSURE), no fork, and no record
 * of the old code written by another device (it would have come from a
 * hub).  In one transaction: every own journal row of the old code takes
 * the new one and the chain is hashed again (book_rewrite.c); records,
 * the conflict log and meta `branch` follow; with name, `branch_name`
 * too.  *moved is the number of journal rows rewritten.  FB_EINVAL, the
 * book unchanged, when the code is not valid or the same, or something
 * was sent (the message says what to do instead); store errors as
 * book_apply.
 */
enum fb_code book_set_branch(struct book *b, const char *code, const char *name,
			     size_t *moved, struct fb_error *err)
	FB_MUST_CHECK;

/* The journal's columns, in the order book_journal_row() reads them. */
#define BOOK_JOURNAL_COLUMNS \
	"device, seq, n, hlc, record_id, type, branch, body, hash"

/*
 * The journal row at q's cursor as a change, its hash as stored; the
 * row's BOOK_JOURNAL_COLUMNS start at column `col`.  c is initialised
 * here; release it either way.  FB_ECORRUPT, naming the device and the
 * entry, when the row is damaged (an unknown type, a hash that is not
 * 32 bytes) or its body does not read as its n entries.
 */
enum fb_code book_journal_row(sqlite3_stmt *q, int col, struct jchange *c,
			      struct fb_error *err)
	FB_MUST_CHECK;

/* The same row as it is (apply.h's struct journal_row), its strings
 * SQLite's until q steps again: for the checks of verify.h. */
struct journal_row;
void book_journal_row_read(sqlite3_stmt *q, int col, struct journal_row *row);

/* Persist the clock (after observing a remote time). */
enum fb_code book_save_clock(struct book *b, struct fb_error *err)
	FB_MUST_CHECK;

/*
 * Walk every journal row in commit order, recomputing each device's
 * chain.  FB_ECORRUPT names the first row whose sequence or hash does
 * not follow.  *rows counts the rows checked, *entries the entries.
 */
enum fb_code book_verify_chain(struct book *b, uint64_t *rows,
			       uint64_t *entries, struct fb_error *err)
	FB_MUST_CHECK;

#endif
