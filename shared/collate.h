/*
 * collate.h - Vietnamese order: names and titles as Vietnamese readers
 * sort them (ICU's "vi" collation), and names by given name first, as
 * the union's lists do (docs/DECISIONS.md, "Vietnamese order").
 *
 * The order of letters is that of Vietnamese dictionaries,
 *   a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
 * each a letter of its own (a primary difference: "Ăn" comes after
 * "Anh"); tones are secondary differences, in the order without tone,
 * huyền, hỏi, ngã, sắc, nặng (a à ả ã á ạ); case is tertiary (lower
 * case first).  Text in NFD orders as its NFC form does.  Two texts that
 * ICU finds equal (one NFC, one NFD) are then ordered by their bytes, so
 * that only equal texts compare 0 and every order is total.
 *
 * A name's given name is its last word ("Nguyễn Thị Ân" -> "Ân"): words
 * are apart by white space (ASCII, or U+00A0 no-break space), and
 * spaces before and after are not part of any word.  A name of one word
 * is its own given name.  Names order
 *   1. by the given name's letters and tones;
 *   2. by the whole name's, word by word (family name, middle names,
 *      given name: each word before the next is looked at, as
 *      Vietnamese dictionaries read syllables; fewer words first);
 *   3. by case, word by word: "LÝ THỊ ÂN" comes between "Lê Thị Ân" and
 *      "Phan Thị Ân", and after "Lý Thị Ân";
 *   4. by bytes (NFC and NFD of one name).
 * Callers add the record's id after that.  The keys of words are kept
 * by each collator (FB_COLLATE_WORDS of them), so that sorting a list
 * of names asks ICU about each word about once.
 *
 * One ICU collator is opened once per process (the first
 * fb_collator_open) and cloned for each fb_collator: a clone serves one
 * thread at a time, so each SQLite connection has its own (the hub's
 * connections serve one request thread each).  fb_collate_cleanup()
 * closes the first one and ICU once no clone is left open.
 */
#ifndef FB_COLLATE_H
#define FB_COLLATE_H

#include <stddef.h>
#include <sqlite3.h>

#include "buf.h"
#include "error.h"

struct fb_collator;

/*
 * A collator of the "vi" order into *out, the caller's to close with
 * fb_collator_close().  FB_EINTERNAL when ICU has no Vietnamese (its
 * data missing), FB_ENOMEM.
 */
enum fb_code fb_collator_open(struct fb_collator **out, struct fb_error *err)
	FB_MUST_CHECK;
void fb_collator_close(struct fb_collator *c);

/*
 * <0, 0 or >0 as UTF-8 text a comes before, is, or comes after b in
 * Vietnamese order (lengths in bytes; -1: up to the NUL).  0 only for
 * the same bytes.  Invalid UTF-8 orders as U+FFFD would.
 */
int fb_collate(struct fb_collator *c, const char *a, int alen, const char *b, int blen);

/* The same for two full names, in the order above.  (Without memory
 * for the words' keys, ICU compares the names whole.) */
int fb_collate_name(struct fb_collator *c, const char *a, int alen,
		    const char *b, int blen);

/*
 * The given name of the full name s (len bytes): a pointer into s, its
 * length in *glen ("" at the end of s when s holds no word).
 */
const char *fb_given_name(const char *s, size_t len, size_t *glen);

/*
 * Sort keys: bytes appended to out whose memcmp order (shorter first
 * when one is the other's beginning, as SQLite orders BLOBs) is
 * fb_collate's order, or fb_collate_name's for a name's key.  Cheaper
 * than comparing the texts when a list is sorted: each text is read
 * once.  FB_ENOMEM, FB_ETOOBIG from out.
 */
enum fb_code fb_collate_key(struct fb_collator *c, const char *s, size_t len,
			    struct fb_buf *out) FB_MUST_CHECK;
enum fb_code fb_collate_name_key(struct fb_collator *c, const char *s, size_t len,
				 struct fb_buf *out) FB_MUST_CHECK;

/*
 * Teach a SQLite connection Vietnamese order, with a collator of its
 * own (closed with the connection; it clones ICU's the first time a
 * query uses it, so that a connection that sorts nothing costs nothing):
 *   ... ORDER BY title COLLATE VI          fb_collate
 *   ... ORDER BY full_name COLLATE VI_NAME fb_collate_name
 *   fb_vi_key(text), fb_vi_name_key(text)  the sort keys, as BLOBs
 *                                          (NULL for NULL): an ORDER BY
 *                                          a big table sorts faster by
 *                                          them than by a collation
 * store_open() calls it on every connection it opens; a program that
 * opens connections of its own calls it too.  FB_ENOMEM or
 * FB_EINTERNAL (SQLite refused), with the message in err.  ICU's
 * failure to open (no Vietnamese data) is met by the first query that
 * sorts: the key functions fail it with that message, the collations
 * fall back to the order of bytes.
 */
enum fb_code fb_collate_register(sqlite3 *db, struct fb_error *err) FB_MUST_CHECK;

/*
 * Close the process's first collator, and ICU (u_cleanup), when no
 * fb_collator is open any more; else nothing (those left open stay
 * usable).  For the end of main(), so that a leak checker sees nothing
 * left; fb_collator_open() may be called again after it.
 */
void fb_collate_cleanup(void);

#endif
