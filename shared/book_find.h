/*
 * book_find.h - records as people name them: by a short id, by a
 * member's name or by a training's title, rather than by the 36
 * characters of a full id.  Every command that takes a record id finds
 * it here, so all of them read a name the same way (docs/COMMANDS.md,
 * "Naming a record").
 *
 * A `struct book_names` is an index of the book's members, trainings
 * and visits, read once (one query) when a command starts: their ids,
 * their short ids (shortid.h), what a person would call them, and their
 * names folded for matching (text_fold() with TEXT_FOLD_ACCENTS).  It is a snapshot: a record
 * added after it was read is not in it.  Attendance rows are not in it;
 * they are named by their full id ("TRAINING_ID:MEMBER_ID") or through
 * their training and member.
 *
 * How a reference is read (book_names_find):
 *   1. A complete id (a UUID, or an attendance id) is taken as it is,
 *      without a look-up, so that the command reports a missing record
 *      as it always has.
 *   2. Otherwise the candidates are, first, the records whose id starts
 *      or ends with the reference (4 or more hex digits, dashes aside),
 *      and the members whose full name, or trainings whose title, is the
 *      reference, ignoring case, accents and punctuation; only when none
 *      is, the members and trainings whose name holds every word of the
 *      reference, whole and in order ("lan" and "nguyen lan" both find
 *      "Nguyễn Thị Lan").
 *   3. With BOOK_FIND_ATTENDANCE, "TRAINING:MEMBER" names an attendance
 *      by its two sides, each found as above ("9a0b1c2d:1c2e5b7d", the
 *      short form book_names_short() gives, or "Kỹ năng:Lan").
 *   4. Among names (not ids), records not deleted are preferred to
 *      deleted ones (deleted ones with BOOK_FIND_DELETED_FIRST, for a
 *      restore).
 *   5. One candidate: found.  None: FB_ENOENT.  More: FB_EINVAL, with
 *      the candidates in the result for the caller to list; nothing is
 *      chosen.
 */
#ifndef FB_BOOK_FIND_H
#define FB_BOOK_FIND_H

#include "book.h"
#include "buf.h"
#include "shortid.h"

/* The types a reference may name (bits), and how to prefer. */
#define BOOK_FIND_MEMBER        (1 << REC_MEMBER)
#define BOOK_FIND_TRAINING      (1 << REC_TRAINING)
#define BOOK_FIND_VISIT         (1 << REC_VISIT)
#define BOOK_FIND_ATTENDANCE    (1 << REC_ATTENDANCE) /* "TRAINING:MEMBER" */
#define BOOK_FIND_ANY           (BOOK_FIND_MEMBER | BOOK_FIND_TRAINING | \
				 BOOK_FIND_VISIT | BOOK_FIND_ATTENDANCE)
#define BOOK_FIND_DELETED_FIRST 0x100   /* prefer deleted records (restore) */

/* Candidates an ambiguous reference keeps for its message; the count is
 * always whole. */
#define BOOK_FIND_LIST_MAX      10

/* One record of the index, as a person would recognise it. */
struct book_name {
	char id[FB_ID_LEN + 1];
	char short_id[SHORTID_HEX + 1]; /* made when the index hands the
					   entry out (get, find, describe) */
	enum rec_type type;
	int deleted;
	const char *label;      /* a member's full name, a training's title,
				   a visit's person (or member's name) */
	const char *year;       /* a member's birth year ("" when not known) */
	const char *phone;      /* a member's phone ("") */
	const char *date;       /* a training's start date, a visit's date */
	const char *folded;     /* label, text_fold()ed */
	const char *search;     /* the folded text `list --search` looks in */
};

struct book_names;

/*
 * Read the index of book b.  *out is the caller's; book_names_close().
 * Store errors as book_each; FB_ENOMEM.
 */
enum fb_code book_names_open(struct book *b, struct book_names **out,
			     struct fb_error *err) FB_MUST_CHECK;
void book_names_close(struct book_names *n);

/* The record of the index with this full id, or NULL. */
const struct book_name *book_names_get(const struct book_names *n, const char *id);

/*
 * The short id `list` shows for a record id into out (shortid_of): an
 * attendance id gets its training's and its member's, "T:M".
 */
void book_names_short(const struct book_names *n, const char *id,
		      char out[FB_ATT_ID_LEN + 1]);

/*
 * The longest short id of the records of type t (deleted ones
 * included), SHORTID_MIN at least: the width of `list`'s ID column.
 */
size_t book_names_short_width(const struct book_names *n, enum rec_type t);

/*
 * One line that names record id for a person, appended to out: the
 * type, what she calls it and its short id (a day as fb_day() shows
 * it: dd/mm/yyyy in Vietnamese), as in
 *   member Nguyễn Thị Lan (1c2e5b7d)
 *   training "Kỹ năng lãnh đạo" 2026-03-08 (9a0b1c2d)
 *   visit 2026-01-25 to Bà Tư (3e4f5a6b)
 *   attendance of Nguyễn Thị Lan at "Kỹ năng lãnh đạo" (9a0b1c2d:1c2e5b7d)
 * An id the index does not hold is written as it is, after its type
 * when known (t < REC_NTYPES).  FB_ENOMEM or FB_ETOOBIG from out.
 */
enum fb_code book_names_describe(const struct book_names *n, const char *id,
				 enum rec_type t, struct fb_buf *out) FB_MUST_CHECK;

/* What book_names_find found: the id, or the candidates. */
struct book_found {
	char id[FB_RECORD_ID_MAX + 1];  /* the one found */
	size_t n;                       /* candidates (1 when found) */
	const struct book_name *cand[BOOK_FIND_LIST_MAX]; /* the first of them,
					   by type, then label in Vietnamese
					   order (members given name first),
					   then id; into the index */
};

/*
 * Find the record ref names among the types of `flags` (see above).
 * FB_OK: found->id is its id (for a complete id, ref itself).
 * FB_ENOENT: nothing matches; FB_EINVAL: several do (found->n of them,
 * the first in found->cand).  Either way err says so in one line.
 */
enum fb_code book_names_find(const struct book_names *n, const char *ref, int flags,
			     struct book_found *found, struct fb_error *err)
	FB_MUST_CHECK;

/*
 * 1 if record id matches a search (`list --search`): `folded` (from
 * text_fold(); "" matches everything) is found in what a person would
 * search the record by: a member's name and phone; a training's title,
 * place and trainer; a visit's person, member's name, visitors and
 * gift.  0 also for an id the index does not hold.
 */
int book_names_search(const struct book_names *n, const char *id, const char *folded);

#endif
