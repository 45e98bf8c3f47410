/*
 * book_branch.c - correcting the branch code typed at init, while
 * nothing recorded here has been sent (book_set_branch in book.h).
 *
 * The branch code is in every record and in every journal entry, whose
 * hash covers it.  Before a hub has taken any of them they are known
 * only to this book, so the code can still be written again: in the
 * journal (rechained by book_rewrite.c, as for a fork), the records,
 * the conflict log and meta.  Once a hub holds entries under the old
 * code, it cannot: the hub would hold the records in one branch and the
 * laptop in another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book_internal.h"
#include "i18n.h"

/* Run sql with ?1 and ?2 the old and new codes. */
static enum fb_code rebranch(struct book *b, const char *sql, const char *old,
			     const char *code, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc = store_prepare(b->st, sql, &q, err);
	int s;

	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, old, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, code, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	if (s != SQLITE_DONE)
		rc = store_fail(b->st, s, _("correcting the branch"), err);
	sqlite3_finalize(q);
	return rc;
}

/* 1 when sql (?1 the device, ?2 the old code) gives a row. */
static enum fb_code any_row(struct book *b, const char *sql, const char *old,
			    int *yes, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc = store_prepare(b->st, sql, &q, err);
	int s;

	*yes = 0;
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, b->device, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, old, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW)
		*yes = 1;
	else if (s != SQLITE_DONE)
		rc = store_fail(b->st, s, _("reading journal"), err);
	sqlite3_finalize(q);
	return rc;
}

/*
 * FB_OK when nothing of this branch has left the book: no entry
 * acknowledged, no push whose answer never came (meta BOOK_PUSH_UNSURE),
 * no fork (which only follows a hub holding entries), and no record of
 * the branch written by another device (it came from a hub).
 */
static enum fb_code nothing_sent(struct book *b, const char *code,
				 struct fb_error *err)
{
	long long acked = 0, unsure = 0;
	char *forks = NULL;
	enum fb_code rc;
	int others = 0, forked;

	if ((rc = store_meta_int(b->st, "acked_seq", 0, &acked, err)) != FB_OK ||
	    (rc = store_meta_int(b->st, BOOK_PUSH_UNSURE, 0, &unsure, err)) != FB_OK ||
	    (rc = store_meta_get(b->st, "forked_from", &forks, err)) != FB_OK)
		return rc;
	forked = forks && *forks;
	free(forks);
	if (acked > 0 || forked)
		return fb_fail(err, FB_EINVAL, _("--fix-branch: this laptop has already sent"
			         " changes as branch %s, and the hub keeps them there, so its"
			         " branch can no longer be changed here; record for %s in a new"
			         " database (fieldbook --db NEW.db init --branch %s), and ask"
			         " the hub's operator about what was sent"), b->branch, code, code);
	if (unsure)
		return fb_fail(err, FB_EINVAL, _("--fix-branch: a sync was cut off before the"
			         " hub answered, so it may hold changes of branch %s; run"
			         " 'fieldbook sync' once more, then try again"), b->branch);
	if ((rc = any_row(b, "SELECT 1 FROM journal WHERE device <> ?1 AND branch = ?2"
			  " LIMIT 1", b->branch, &others, err)) != FB_OK)
		return rc;
	if (others)
		return fb_fail(err, FB_EINVAL, _("--fix-branch: this laptop holds records of"
			         " branch %s that came from the hub, so that code is the hub's"
			         " and cannot be changed here; record for %s in a new database"
			         " (fieldbook --db NEW.db init --branch %s)"), b->branch, code, code);
	return FB_OK;
}

enum fb_code book_set_branch(struct book *b, const char *code, const char *name,
			     size_t *moved, struct fb_error *err)
{
	char old[FB_BRANCH_CODE_MAX + 1];
	struct book_rewrite rw;
	enum fb_code rc;

	*moved = 0;
	if (!b->branch[0])
		return fb_fail(err, FB_EINVAL, _("this database has no branch; run init"));
	if (!model_valid_unit_code(code))
		return fb_fail(err, FB_EINVAL,
			       _("branch code '%s' is not valid (letters, digits, '.', '-', '_'; at most %d)"),
			       code, FB_BRANCH_CODE_MAX);
	if ((rc = book_begin(b, err)) != FB_OK)
		return rc;
	snprintf(old, sizeof(old), "%s", b->branch);
	book_rewrite_init(&rw, b, b->device, b->device);
	if (!strcmp(old, code)) {
		rc = fb_fail(err, FB_EINVAL, _("--fix-branch: the branch is %s already"), code);
		goto out;
	}
	if ((rc = nothing_sent(b, code, err)) != FB_OK)
		goto out;
	/* Every own row of the old code takes the new one, chained again
	 * from the first; HLCs and numbers stay, so no stamp is renamed. */
	rw.branch_from = old;
	rw.branch = code;
	if ((rc = book_rewrite_align(&rw, 1, err)) != FB_OK ||
	    (rc = book_rewrite_collect(&rw, err)) != FB_OK ||
	    (rc = book_rewrite_apply(&rw, err)) != FB_OK ||
	    (rc = rebranch(b, "UPDATE record SET branch = ?2 WHERE branch = ?1", old, code,
			   err)) != FB_OK ||
	    (rc = rebranch(b, "UPDATE conflict SET branch = ?2 WHERE branch = ?1", old, code,
			   err)) != FB_OK ||
	    (rc = store_meta_set(b->st, "branch", code, err)) != FB_OK ||
	    (name && (rc = store_meta_set(b->st, "branch_name", name, err)) != FB_OK))
		goto out;
	memcpy(b->chain, rw.chain, sizeof(b->chain));
	snprintf(b->branch, sizeof(b->branch), "%s", code);
	*moved = rw.moved;
out:
	book_rewrite_release(&rw);
	if (rc == FB_OK) {
		rc = book_commit(b, err);
		if (rc != FB_OK)
			snprintf(b->branch, sizeof(b->branch), "%s", old);
	} else {
		book_rollback(b);
		*moved = 0;
	}
	return rc;
}
