/*
 * book.c - opening and creating a replica's book, and its transactions.
 *
 * The other jobs of book.h live beside it: record state (book_state.c),
 * the merge of a change (book_apply.c), local edits and resolve
 * (book_edit.c), reading and verifying the journal (book_journal.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>

#include "book_internal.h"
#include "i18n.h"

static const char *const SQL_GET =
	"SELECT type, branch, vals, clk FROM record WHERE id = ?1";
static const char *const SQL_PUT =
	"INSERT INTO record(id, type, branch, deleted, vals, clk)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET"
	" deleted = excluded.deleted, vals = excluded.vals, clk = excluded.clk";
static const char *const SQL_JOURNAL =
	"INSERT INTO journal(device, seq, n, hlc, record_id, type, branch, body,"
	" hash, quarantined) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char *const SQL_SETTLE =
	"UPDATE conflict SET resolved = 1 WHERE record_id = ?1 AND field = ?2"
	" AND resolved = 0 AND winner_hlc = ?3 AND winner_device = ?4";
/*
 * A loser already logged stays as it is, unless its row is of kind
 * delete (docs/MERGE.md, "The conflict log"): a delete conflict the
 * record's state has again is opened again, with the winning delete of
 * now, and a value that was in conflict with a delete and now loses to
 * a concurrent edit becomes that field conflict, as a replica that saw
 * the two edits first logs it.
 */
static const char *const SQL_CONFLICT =
	"INSERT INTO conflict(record_id, type, branch, field, kind,"
	" winner_value, winner_hlc, winner_device, loser_value, loser_hlc,"
	" loser_device) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
	" ON CONFLICT(record_id, field, loser_hlc, loser_device) DO UPDATE SET"
	" kind = excluded.kind, winner_value = excluded.winner_value,"
	" winner_hlc = excluded.winner_hlc, winner_device = excluded.winner_device,"
	" resolved = 0 WHERE conflict.kind = 'delete'";
/* Before a deleted record's delete conflicts are logged again. */
static const char *const SQL_SETTLE_DELETES =
	"UPDATE conflict SET resolved = 1 WHERE record_id = ?1 AND kind = 'delete'"
	" AND resolved = 0";
static const char *const SQL_DEVICE_HEAD =
	"SELECT seq + n - 1, hash, hlc FROM journal WHERE device = ?1"
	" ORDER BY seq DESC LIMIT 1";
static const char *const SQL_REF =
	"SELECT type, deleted FROM record WHERE id = ?1";
static const char *const SQL_HAVE =
	"SELECT hash, n FROM journal WHERE device = ?1 AND seq = ?2";

/* --- opening -------------------------------------------------------- */

enum fb_code book_new_device_id(char out[FB_DEVICE_ID_LEN + 1])
{
	unsigned char r[FB_DEVICE_ID_LEN / 2];
	size_t i;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return FB_EINTERNAL;
	for (i = 0; i < sizeof(r); i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	return FB_OK;
}

enum fb_code book_create(const char *path, const char *branch,
			 const char *name, struct fb_error *err)
{
	struct fb_store *st = NULL;
	char device[FB_DEVICE_ID_LEN + 1];
	char *have = NULL;
	enum fb_code rc;

	if (!model_valid_unit_code(branch))
		return fb_fail(err, FB_EINVAL,
			       _("branch code '%s' is not valid (letters, digits, '.', '-', '_'; at most %d)"),
			       branch, FB_BRANCH_CODE_MAX);
	rc = store_open(path, STORE_CREATE, NULL, &st, err);
	if (rc != FB_OK)
		return rc;
	if ((rc = store_meta_get(st, "branch", &have, err)) != FB_OK)
		goto out;
	if (have) {
		rc = fb_fail(err, FB_EEXIST, _("%s already holds a Fieldbook for branch %s"
			       " (to correct a branch code typed wrong, while nothing has been"
			       " sent: fieldbook init --fix-branch CODE)"), path, have);
		goto out;
	}
	if (book_new_device_id(device) != FB_OK) {
		rc = fb_fail(err, FB_EINTERNAL, _("no random bytes for a device id"));
		goto out;
	}
	if ((rc = store_begin(st, err)) != FB_OK)
		goto out;
	if ((rc = store_meta_set(st, "device", device, err)) != FB_OK ||
	    (rc = store_meta_set(st, "branch", branch, err)) != FB_OK ||
	    (rc = store_meta_set(st, "branch_name", name ? name : "", err)) != FB_OK)
		goto out;
	rc = store_commit(st, err);
out:
	free(have);
	store_close(st);
	return rc;
}

/* The device's last row: sequence, chain hash and (hlc, may be NULL) HLC. */
static enum fb_code device_head(struct book *b, const char *device,
				uint64_t *last_seq,
				unsigned char hash[JOURNAL_HASH_LEN], fb_hlc *hlc,
				struct fb_error *err)
{
	sqlite3_stmt *q = b->q_device_head;
	enum fb_code rc = FB_OK;
	int s;

	*last_seq = 0;
	memcpy(hash, zero_hash, JOURNAL_HASH_LEN);
	sqlite3_bind_text(q, 1, device, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW) {
		*last_seq = (uint64_t)sqlite3_column_int64(q, 0);
		if (hlc)
			*hlc = (fb_hlc)sqlite3_column_int64(q, 2);
		if (sqlite3_column_bytes(q, 1) != JOURNAL_HASH_LEN)
			rc = fb_fail(err, FB_ECORRUPT, _("journal hash of %s is damaged"),
				     device);
		else
			memcpy(hash, sqlite3_column_blob(q, 1), JOURNAL_HASH_LEN);
	} else if (s != SQLITE_DONE) {
		rc = store_fail(b->st, s, _("reading journal"), err);
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc;
}

enum fb_code book_device_head(struct book *b, const char *device,
			      uint64_t *last_seq,
			      unsigned char hash[JOURNAL_HASH_LEN],
			      struct fb_error *err)
{
	return device_head(b, device, last_seq, hash, NULL, err);
}

/*
 * Reload what the book caches about its own device from the database:
 * the id too, which book_fork (perhaps in another process, perhaps in a
 * transaction since rolled back) may have changed.
 */
static enum fb_code load_head(struct book *b, struct fb_error *err)
{
	uint64_t last = 0;
	long long clock = 0;
	fb_hlc newest = 0;
	char *device = NULL;
	enum fb_code rc;

	if ((rc = store_meta_get(b->st, "device", &device, err)) != FB_OK)
		return rc;
	if (device)
		snprintf(b->device, sizeof(b->device), "%s", device);
	free(device);
	if (!b->device[0]) {
		b->next_seq = 1;
		return FB_OK;
	}
	rc = device_head(b, b->device, &last, b->chain, &newest, err);
	if (rc != FB_OK)
		return rc;
	b->next_seq = last + 1;
	rc = store_meta_int(b->st, "hlc", 0, &clock, err);
	if (rc != FB_OK)
		return rc;
	/* The saved clock, or the newest own row's HLC if it was not saved. */
	b->clock = hlc_observe(b->clock, (fb_hlc)clock);
	b->clock = hlc_observe(b->clock, newest);
	return FB_OK;
}

enum fb_code book_relay_identity(struct book *b, struct fb_error *err)
{
	char fresh[FB_DEVICE_ID_LEN + 1], *id = NULL;
	enum fb_code rc;

	if (b->device[0])
		return FB_OK;
	if ((rc = store_meta_get(b->st, "relay_device", &id, err)) != FB_OK)
		return rc;
	if (!id) {
		if (book_new_device_id(fresh) != FB_OK)
			return fb_fail(err, FB_EINTERNAL, _("no random bytes for a device id"));
		if ((rc = store_meta_set(b->st, "relay_device", fresh, err)) != FB_OK)
			return rc;
	}
	snprintf(b->device, sizeof(b->device), "%s", id ? id : fresh);
	free(id);
	b->next_seq = 1;
	return FB_OK;
}

enum fb_code book_open(const char *path, const char *extra_schema,
		       struct book **out, struct fb_error *err)
{
	struct book *b = calloc(1, sizeof(*b));
	char *branch = NULL;
	enum fb_code rc;

	*out = NULL;
	if (!b)
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	b->wall_ms = hlc_wall_ms;
	rc = store_open(path, 0, extra_schema, &b->st, err);
	if (rc != FB_OK)
		goto fail;
	if ((rc = store_prepare(b->st, SQL_GET, &b->q_get, err)) ||
	    (rc = store_prepare(b->st, SQL_PUT, &b->q_put, err)) ||
	    (rc = store_prepare(b->st, SQL_JOURNAL, &b->q_journal, err)) ||
	    (rc = store_prepare(b->st, SQL_CONFLICT, &b->q_conflict, err)) ||
	    (rc = store_prepare(b->st, SQL_DEVICE_HEAD, &b->q_device_head, err)) ||
	    (rc = store_prepare(b->st, SQL_HAVE, &b->q_have, err)) ||
	    (rc = store_prepare(b->st, SQL_SETTLE, &b->q_settle, err)) ||
	    (rc = store_prepare(b->st, SQL_SETTLE_DELETES, &b->q_settle_deletes,
				err)) ||
	    (rc = store_prepare(b->st, SQL_REF, &b->q_ref, err)))
		goto fail;
	if ((rc = store_meta_get(b->st, "branch", &branch, err)))
		goto fail;
	snprintf(b->branch, sizeof(b->branch), "%s", branch ? branch : "");
	/* The device id comes with the rest of what load_head caches. */
	if ((rc = load_head(b, err)) != FB_OK)
		goto fail;
	free(branch);
	*out = b;
	return FB_OK;
fail:
	free(branch);
	book_close(b);
	return rc;
}

void book_close(struct book *b)
{
	if (!b)
		return;
	sqlite3_finalize(b->q_get);
	sqlite3_finalize(b->q_put);
	sqlite3_finalize(b->q_journal);
	sqlite3_finalize(b->q_conflict);
	sqlite3_finalize(b->q_device_head);
	sqlite3_finalize(b->q_have);
	sqlite3_finalize(b->q_settle);
	sqlite3_finalize(b->q_settle_deletes);
	sqlite3_finalize(b->q_ref);
	store_close(b->st);
	free(b);
}

enum fb_code book_begin(struct book *b, struct fb_error *err)
{
	enum fb_code rc = store_begin(b->st, err);

	/* Another process may have written since we looked: now that we
	 * hold the write lock, take our sequence and chain from disk. */
	if (rc == FB_OK && (rc = load_head(b, err)) != FB_OK)
		store_rollback(b->st);
	return rc;
}

enum fb_code book_commit(struct book *b, struct fb_error *err)
{
	enum fb_code rc = store_meta_set_int(b->st, "hlc", (long long)b->clock, err);

	if (rc != FB_OK) {
		book_rollback(b);
		return rc;
	}
	rc = store_commit(b->st, err);
	if (rc != FB_OK)
		load_head(b, NULL);
	return rc;
}

void book_rollback(struct book *b)
{
	store_rollback(b->st);
	/* What we cached about our chain may describe rolled-back rows. */
	load_head(b, NULL);
}

enum fb_code book_save_clock(struct book *b, struct fb_error *err)
{
	return store_meta_set_int(b->st, "hlc", (long long)b->clock, err);
}
