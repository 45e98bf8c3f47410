/*
 * hub_store_history.c - how laptops notice that a history changed
 * under them (docs/PROTOCOL.md §13.4, docs/DECISIONS.md "Restores").
 *
 * Epochs: every time a store opens to serve, it starts a new epoch, an
 * id of its own and the first commit sequence it will number.  A pull
 * cursor names its epoch.  A hub restored from an older copy holds the
 * epochs of the copy only, so a cursor of a later history is cut back
 * to where the two histories part, or to 0 when its epoch is unknown;
 * commit sequences the restored hub numbers again are then never
 * skipped.  The same holds however the copy was made, with no step
 * asked of the administrator: `.backup` while serving or `cp` while
 * stopped both give a file whose next start begins a new epoch.
 *
 * Forks: a token is bound to the device id of its first push.  A laptop
 * restored from a copy, or a copied database, continues under a new id
 * (book_fork); its token may take that id on when the push names an id
 * the token already has as the one it forked from.
 *
 * A laptop enrolled again: its old token revoked, a new one of the same
 * unit given to it.  The new token, before it has bound anything, takes
 * the laptop's device id over from the revoked one (device_handover
 * notes it), so its chain goes on under the id it always had
 * (docs/SECURITY.md says why this is safe).
 */
#include <stdio.h>
#include <string.h>
#include <openssl/rand.h>

#include "hub_store_rules.h"
#include "hub_store_sqlite.h"
#include "wire.h"

/*
 * The integer a query of one column gives in its first row, *found 0
 * when none (or NULL).  text binds to ?1 and num to ?2 where the query
 * has them (binding a parameter it lacks is a harmless SQLITE_RANGE).
 */
static enum fb_code query_int(struct book *b, const char *sql, const char *text,
			      sqlite3_int64 num, sqlite3_int64 *out, int *found,
			      struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc = store_prepare(b->st, sql, &q, err);
	int s;

	*found = 0;
	if (rc != FB_OK)
		return rc;
	if (text)
		sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, num);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
		*out = sqlite3_column_int64(q, 0);
		*found = 1;
	} else if (s != SQLITE_ROW && s != SQLITE_DONE) {
		rc = store_fail(b->st, s, "reading the hub's history", err);
	}
	sqlite3_finalize(q);
	return rc;
}

static enum fb_code insert_epoch(struct book *b, sqlite3_int64 first,
				 struct fb_error *err)
{
	unsigned char raw[WIRE_EPOCH_LEN / 2];
	char id[WIRE_EPOCH_LEN + 1];
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return fb_fail(err, FB_EINTERNAL, "no random bytes for an epoch");
	wire_hex(raw, sizeof(raw), id);
	rc = store_prepare(b->st, "INSERT INTO epoch(first_cseq, id, started) VALUES(?1, ?2,"
			   " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_int64(q, 1, first);
	sqlite3_bind_text(q, 2, id, -1, SQLITE_TRANSIENT);
	s = sqlite3_step(q);
	if (s != SQLITE_DONE)
		rc = store_fail(b->st, s, "starting an epoch", err);
	sqlite3_finalize(q);
	return rc;
}

enum fb_code sqhub_new_epoch(struct book *b, struct fb_error *err)
{
	sqlite3_int64 top = 0, any = 0;
	enum fb_code rc;
	int found;

	if ((rc = book_begin(b, err)) != FB_OK)
		return rc;
	rc = query_int(b, "SELECT coalesce(max(cseq), 0) FROM journal", NULL, 0,
		       &top, &found, err);
	if (rc == FB_OK)
		rc = query_int(b, "SELECT count(*) FROM epoch", NULL, 0, &any,
			       &found, err);
	/* A hub of the release before has commits but no epoch: they are
	 * one history, from the first commit. */
	if (rc == FB_OK && !any && top > 0)
		rc = insert_epoch(b, 1, err);
	/* An epoch that numbered nothing gives way to this one. */
	if (rc == FB_OK)
		rc = query_int(b, "DELETE FROM epoch WHERE first_cseq > ?2", NULL, top, &any,
			       &found, err);
	if (rc == FB_OK)
		rc = insert_epoch(b, top + 1, err);
	if (rc == FB_OK)
		return book_commit(b, err);
	book_rollback(b);
	return rc;
}

enum fb_code sqhub_cursor_after(struct book *b, uint64_t after, const char *epoch,
				uint64_t *out, struct fb_error *err)
{
	sqlite3_int64 first = 0, next = 0;
	enum fb_code rc;
	int found;

	*out = 0;
	if (after == 0)
		return FB_OK;
	/* A cursor without one is of a laptop of the release before, taken
	 * from the history this hub had before it had epochs: the oldest. */
	rc = epoch && *epoch
	     ? query_int(b, "SELECT first_cseq FROM epoch WHERE id = ?1", epoch, 0, &first,
			 &found, err)
	     : query_int(b, "SELECT min(first_cseq) FROM epoch", NULL, 0, &first, &found,
			 err);
	if (rc != FB_OK || !found)
		return rc;      /* a history this hub never held: from the start */
	rc = query_int(b, "SELECT min(first_cseq) FROM epoch WHERE first_cseq > ?2", NULL,
		       first, &next, &found, err);
	if (rc == FB_OK)
		*out = found && (uint64_t)next - 1 < after ? (uint64_t)next - 1 : after;
	return rc;
}

enum fb_code sqhub_cursor_epoch(struct book *b, uint64_t cseq,
				char epoch[WIRE_EPOCH_LEN + 1], struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s;

	epoch[0] = '\0';
	if (cseq == 0)
		return FB_OK;
	rc = store_prepare(b->st, "SELECT id FROM epoch WHERE first_cseq <= ?1"
			   " ORDER BY first_cseq DESC LIMIT 1", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)cseq);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW && sqlite3_column_bytes(q, 0) == WIRE_EPOCH_LEN)
		memcpy(epoch, sqlite3_column_text(q, 0), WIRE_EPOCH_LEN + 1);
	else if (s == SQLITE_ROW || s == SQLITE_DONE)
		rc = fb_fail(err, FB_EINTERNAL, "commit %llu belongs to no epoch",
			     (unsigned long long)cseq);
	else
		rc = store_fail(b->st, s, "reading epochs", err);
	sqlite3_finalize(q);
	return rc;
}

/* dev's token holds `device`: its bound id or one it took on in a fork. */
static enum fb_code token_holds(struct book *b, const struct hub_device *dev,
				const char *device, int *yes, struct fb_error *err)
{
	sqlite3_int64 one;

	*yes = dev->device[0] && !strcmp(dev->device, device);
	if (*yes)
		return FB_OK;
	return query_int(b, "SELECT 1 FROM device_fork WHERE device = ?1 AND owner = ?2",
			 device, dev->id, &one, yes, err);
}

/* The token that holds `device`, bound or taken on in a fork. */
static enum fb_code holder_of(struct book *b, const char *device, struct hub_holder *h,
			      struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s;

	memset(h, 0, sizeof(*h));
	rc = store_prepare(b->st, "SELECT d.id, d.revoked IS NOT NULL, d.unit, d.name, 0"
			   " FROM device d WHERE d.device = ?1 UNION ALL"
			   " SELECT d.id, d.revoked IS NOT NULL, d.unit, d.name, 1"
			   " FROM device_fork f JOIN device d ON d.id = f.owner WHERE f.device = ?1"
			   " LIMIT 1", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, device, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW) {
		h->found = 1;
		h->id = sqlite3_column_int64(q, 0);
		h->revoked = sqlite3_column_int(q, 1);
		snprintf(h->unit, sizeof(h->unit), "%s", sqlite3_column_text(q, 2));
		snprintf(h->name, sizeof(h->name), "%s", sqlite3_column_text(q, 3));
		h->by_fork = sqlite3_column_int(q, 4);
	} else if (s != SQLITE_DONE) {
		rc = store_fail(b->st, s, "reading devices", err);
	}
	sqlite3_finalize(q);
	return rc;
}

/* Run a write with ?1 text, ?2 integer, ?3 text (NULL: unbound). */
static enum fb_code write3(struct book *b, const char *sql, const char *t1,
			   sqlite3_int64 n2, const char *t3, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc = store_prepare(b->st, sql, &q, err);
	int s;

	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, t1, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, n2);
	if (t3)
		sqlite3_bind_text(q, 3, t3, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	if (s != SQLITE_DONE)
		rc = store_fail(b->st, s, "binding a device", err);
	sqlite3_finalize(q);
	return rc;
}

/* Bind `device` to dev's token, which holds none yet. */
static enum fb_code bind_free(struct book *b, struct hub_device *dev, const char *device,
			      struct fb_error *err)
{
	enum fb_code rc = write3(b, "UPDATE device SET device = ?1 WHERE id = ?2"
				 " AND device IS NULL", device, dev->id, NULL, err);

	if (rc == FB_OK && sqlite3_changes(b->st->db) != 1)
		rc = fb_fail(err, FB_EAUTH, "this token is bound to another device already");
	if (rc == FB_OK)
		snprintf(dev->device, sizeof(dev->device), "%s", device);
	return rc;
}

/*
 * dev's token takes `device` over from h's, revoked: the revoked token
 * lets go of it (its bound id, or its fork's), dev's binds it, and the
 * handover is noted.  In the push's transaction.
 */
static enum fb_code take_over(struct book *b, struct hub_device *dev, const char *device,
			      const struct hub_holder *h, struct fb_error *err)
{
	enum fb_code rc;

	rc = h->by_fork
	     ? write3(b, "DELETE FROM device_fork WHERE device = ?1 AND owner = ?2", device,
		      h->id, NULL, err)
	     : write3(b, "UPDATE device SET device = NULL WHERE device = ?1 AND id = ?2",
		      device, h->id, NULL, err);
	if (rc == FB_OK) {
		sqlite3_stmt *q = NULL;
		int s;

		rc = store_prepare(b->st, "INSERT INTO device_handover(device, from_owner,"
				   " to_owner, at) VALUES(?1, ?2, ?3,"
				   " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))", &q, err);
		if (rc == FB_OK) {
			sqlite3_bind_text(q, 1, device, -1, SQLITE_STATIC);
			sqlite3_bind_int64(q, 2, h->id);
			sqlite3_bind_int64(q, 3, dev->id);
			if ((s = sqlite3_step(q)) != SQLITE_DONE)
				rc = store_fail(b->st, s, "noting a handover", err);
		}
		sqlite3_finalize(q);
	}
	return rc == FB_OK ? bind_free(b, dev, device, err) : rc;
}

enum fb_code sqhub_bind(struct book *b, struct hub_device *dev, const char *device,
			const char *forked_from, struct fb_error *err)
{
	struct hub_holder h;
	enum fb_code rc;
	int yes;

	if ((rc = token_holds(b, dev, device, &yes, err)) != FB_OK || yes)
		return rc;
	if ((rc = holder_of(b, device, &h, err)) != FB_OK)
		return rc;
	if (h.found) {
		/* A laptop enrolled again, under a new token of its unit. */
		if ((rc = hub_may_take_on(dev, device, &h, err)) != FB_OK)
			return rc;
		return take_over(b, dev, device, &h, err);
	}
	if (!dev->device[0])
		return bind_free(b, dev, device, err);
	if (forked_from && *forked_from) {
		if ((rc = token_holds(b, dev, forked_from, &yes, err)) != FB_OK)
			return rc;
		if (yes)
			return write3(b, "INSERT INTO device_fork(device, owner, forked_from, at)"
				      " VALUES(?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
				      device, dev->id, forked_from, err);
	}
	return hub_not_its_device(dev, device, err);
}

enum fb_code sqhub_may_ask(struct book *b, const struct hub_device *dev,
			   const char *device, struct fb_error *err)
{
	struct hub_holder h;
	enum fb_code rc;
	int yes;

	if ((rc = token_holds(b, dev, device, &yes, err)) != FB_OK || yes)
		return rc;
	if ((rc = holder_of(b, device, &h, err)) != FB_OK || !h.found)
		return rc;
	/* A laptop enrolled again may pull before its first push binds. */
	return hub_may_take_on(dev, device, &h, err);
}
