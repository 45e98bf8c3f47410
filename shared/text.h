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
 * Folding, for comparing what people type with what a program knows:
 * a key that two spellings of the same thing share.  Case is folded
 * (utf8proc's case folding), and every run of characters that are not
 * letters, digits or marks (spaces, punctuation, '_', '-') becomes one
 * space, with none at either end: "  Họ và tên: " and "họ và tên" fold
 * alike.
 *
 * TEXT_FOLD_ACCENTS also drops every accent, and đ becomes d: "Bình
 * đẳng giới", "BINH DANG GIOI" and "binh_dang_gioi" fold to "binh dang
 * gioi".  For labels and header names, never for people's names.
 *
 * TEXT_FOLD_TONES keeps the letters' own marks (â ă ê ô ơ ư đ) but takes
 * each word's tone mark off its vowel and writes it after the word, so
 * that the old and new tone placements of a name fold alike ("Thuỷ" and
 * "Thủy", "Hoà" and "Hòa") while names that differ in a letter or a
 * tone do not ("Lan", "Lân" and "Lán").  For names.
 *
 * s must be valid UTF-8 (the caller has cleaned it).  On success *out
 * is a malloc'd NUL-terminated key the caller frees; FB_ENOMEM, or
 * FB_EINVAL when s is not UTF-8, with *out NULL.
 */
#define TEXT_FOLD_ACCENTS 1
#define TEXT_FOLD_TONES   2
enum fb_code text_fold(const char *s, int flags, char **out)
	FB_MUST_CHECK;

/*
 * Append to out what fits in `cols` columns of s, padded with spaces to
 * exactly `cols` (a string too wide is cut and ends with "…").
 */
struct fb_buf;
enum fb_code text_pad(struct fb_buf *out, const char *s, size_t cols);

#endif
