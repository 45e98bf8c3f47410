/*
 * match.h - which record a row without an id stands for, so that
 * importing the same spreadsheet twice never adds anyone twice.
 *
 * The keys (docs/COMMANDS.md, "import"):
 *   - a member: her full name, folded with TEXT_FOLD_TONES (case,
 *     spacing and tone placement aside: "NGUYỄN THỊ THUỶ" is "Nguyễn
 *     Thị Thủy"; "Lan" is not "Lân"), and then her birth year when both
 *     the row and the record have one, else her phone when both have
 *     one (digits only, a lost leading zero given back), else the name
 *     alone;
 *   - a training: its title, folded the same way, and its start date;
 *   - a visit: its date, its reason, and the member visited (member_id)
 *     or the person's name, folded;
 *   - an attendance needs no key: its id is training_id:member_id.
 * A record not deleted is matched before a deleted one.
 *
 * match_find() answers with the one record a row matches, none, or an
 * error naming the candidates when several match, or when the record
 * it matches was already matched or added by an earlier row of the same
 * file (a sheet lists each record once).
 */
#ifndef FB_MATCH_H
#define FB_MATCH_H

#include "book.h"

struct match_index;

/*
 * Index every record of type t in b, deleted ones included.  *out is
 * the caller's (match_close).  Store errors as book_each; FB_ENOMEM.
 * For REC_ATTENDANCE the index is empty: such rows are never matched.
 */
enum fb_code match_open(struct book *b, enum rec_type t,
			struct match_index **out, struct fb_error *err)
	FB_MUST_CHECK;
void match_close(struct match_index *x);

/*
 * The record the row with canonical values vals (by field index of the
 * type, NULL or "" when the row does not set the field) stands for:
 * id[0] == '\0' when none.  `line` is the row's line, for messages and
 * to claim the record found.  FB_EINVAL with a message naming the
 * candidates (name, birth year, phone, id prefix; or title and date)
 * when several match, or when an earlier line claimed the one found.
 */
enum fb_code match_find(struct match_index *x, const char *const *vals,
			unsigned long line, char id[FB_RECORD_ID_MAX + 1],
			struct fb_error *err)
	FB_MUST_CHECK;

/*
 * Note the record a row at `line` just added with canonical values
 * vals and id, so that a later row of the file matching it is refused
 * rather than taken as an update.
 */
enum fb_code match_add(struct match_index *x, const char *const *vals,
		       const char *id, unsigned long line)
	FB_MUST_CHECK;

/*
 * A phone number for comparison into out: its digits only, "+84" or
 * "84" before nine or ten digits written as "0", a lost leading zero
 * given back (value_phone_zero).  "" when it holds no digit.
 */
void match_phone_key(const char *phone, char *out, size_t size);

#endif
