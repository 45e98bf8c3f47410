/*
 * text.h - UTF-8 at the edges: validation, NFC, display width.
 *
 * Every string that enters Fieldbook (argv, CSV, JSON, the wire) goes
 * through text_clean() once, so the rest of the code may assume valid
 * NFC UTF-8 without control characters.
 */
#ifndef FB_TEXT_H
#define FB_TEXT_H

#include <stddef.h>
#include "error.h"

/* Flags for text_clean(). */
#define TEXT_MULTILINE 1  /* allow LF and TAB (notes); otherwise refuse them */

/*
 * Check that s[0..len) is valid UTF-8 with no NUL or control characters
 * (except LF and TAB with TEXT_MULTILINE), normalise it to NFC and trim
 * surrounding white space.  On success *out is a new malloc'd string the
 * caller frees.  On failure returns FB_EINVAL with err naming `what`
 * ("full_name: invalid UTF-8 at byte 4").  A CR LF pair becomes LF.
 */
enum fb_code text_clean(const char *s, size_t len, int flags,
			const char *what, char **out, struct fb_error *err);

/*
 * 1 if NFC leaves cp as it is wherever it stands: a starter that is its
 * own NFC form and never composes with what comes before it.  Those are
 * U+0000..U+02FF (ASCII, Latin-1, Latin Extended-A and -B, IPA, spacing
 * modifiers) and U+1E00..U+1EFF (Latin Extended Additional: the
 * precomposed Vietnamese letters).  A text made only of them is already
 * NFC, and text_clean() does not run it through utf8proc.
 */
int text_nfc_inert(long cp);

/* 1 if s[0..len) is valid UTF-8 (any code point but NUL), else 0. */
int text_valid_utf8(const char *s, size_t len);

/* Columns a terminal gives s (combining marks 0, wide characters 2). */
size_t text_width(const char *s);

/*
 * The form of s that matching by name compares (book_find.h, `list
 * --search`): lower case, without accents or tone marks (the letter đ
 * becomes d), every run of characters that are neither letters nor
 * digits one space, trimmed.  "  Nguyễn  Thị-Lan " folds to "nguyen thi
 * lan", as do "NGUYEN THI LAN" and its NFD form.  s must be valid UTF-8
 * (what text_clean() gives).  On success *out is a new malloc'd string
 * the caller frees; FB_ENOMEM (no message) when memory runs out,
 * FB_EINVAL when s is not UTF-8.
 */
enum fb_code text_fold(const char *s, char **out) FB_MUST_CHECK;

/*
 * Append to out what fits in `cols` columns of s, padded with spaces to
 * exactly `cols` (a string too wide is cut and ends with "…").
 */
struct fb_buf;
enum fb_code text_pad(struct fb_buf *out, const char *s, size_t cols);

#endif
