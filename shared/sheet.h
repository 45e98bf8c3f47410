/*
 * sheet.h - spreadsheets saved as text, as Excel and LibreOffice save
 * them: the file's encoding, and what its header row's columns are.
 *
 * An import reads a file in three steps: sheet_decode() turns its bytes
 * into UTF-8 in NFC whatever the spreadsheet saved (UTF-8 with or
 * without a BOM, UTF-16, Windows-1258); csv_guess_sep() (csv.h) finds
 * its separator; sheet_columns() says which field each header names,
 * from the field names, the Vietnamese and common labels below
 * (docs/COMMANDS.md, "import"), and the user's --map.
 *
 * Nothing here prints: notices (a column ignored) are returned as data
 * for the command to show, errors as one line in a struct fb_error.
 */
#ifndef FB_SHEET_H
#define FB_SHEET_H

#include <stddef.h>
#include "buf.h"
#include "csv.h"
#include "error.h"
#include "model.h"

/* --- encodings -------------------------------------------------------- */

enum sheet_encoding {
	SHEET_UTF8,             /* UTF-8 without a BOM (or plain ASCII) */
	SHEET_UTF8_BOM,         /* UTF-8 with a BOM ("CSV UTF-8" of Excel) */
	SHEET_UTF16LE,          /* UTF-16, little-endian ("Unicode Text") */
	SHEET_UTF16BE,
	SHEET_CP1258,           /* Windows-1258, Vietnamese in combining tones */
};

/* "UTF-8", "UTF-16LE", "Windows-1258"... */
const char *sheet_encoding_name(enum sheet_encoding e);

/*
 * The text of a file's bytes data[0..len), as UTF-8 in NFC without a
 * BOM, appended to out (whose cap bounds it).  The encoding is told by
 *   - a byte order mark: UTF-8 (EF BB BF), UTF-16 (FF FE, FE FF);
 *   - UTF-16 without one: zero bytes in every other place;
 *   - else valid UTF-8;
 *   - else Windows-1258 (iconv) when every letter it decodes to is one
 *     that Vietnamese or its punctuation uses.
 * Anything else (UTF-32, another code page, a workbook, binary data) is
 * FB_EINVAL with a message that says how to save the sheet as CSV
 * UTF-8; a workbook (.xlsx, .xls) is named as such.  `name` is the file
 * name for messages.  *enc (may be NULL) says what was found.
 * FB_ETOOBIG past out's cap, FB_ENOMEM.
 */
enum fb_code sheet_decode(const char *data, size_t len, const char *name,
			  struct fb_buf *out, enum sheet_encoding *enc,
			  struct fb_error *err)
	FB_MUST_CHECK;

/* --- columns ---------------------------------------------------------- */

enum sheet_col_kind {
	SHEET_FIELD,            /* a field of the type: cols[i].field */
	SHEET_ID,               /* the record's id */
	SHEET_DELETED,          /* `deleted`: 0/1 */
	SHEET_SKIP,             /* `branch`, `type`, or --map HEADER=skip */
	SHEET_ROWNUM,           /* STT: the sheet's row numbers, ignored */
	SHEET_BLANK,            /* no header: must hold no value */
};

struct sheet_column {
	enum sheet_col_kind kind;
	int field;              /* SHEET_FIELD: index in the type's fields */
};

/* What --map says: header names (folded) and what each is. */
#define SHEET_MAP_MAX FB_CSV_FIELDS_MAX
struct sheet_map {
	size_t n;
	struct {
		char *header;           /* as given, for messages */
		char *key;              /* folded (text_fold, accents off) */
		struct sheet_column col;
		int used;               /* a header of the file matched it */
	} e[SHEET_MAP_MAX];
};

/*
 * Parse --map "HEADER=FIELD,HEADER=FIELD..." for type t.  FIELD is a
 * field name of t, `id`, `deleted` or `skip`.  FB_EUSAGE with a message
 * for a malformed pair, an unknown field, a header given twice, or more
 * than SHEET_MAP_MAX pairs; FB_ENOMEM.  Release with sheet_map_release
 * either way.  spec NULL or "" is an empty map.
 */
enum fb_code sheet_map_parse(const struct type_def *t, const char *spec,
			     struct sheet_map *m, struct fb_error *err)
	FB_MUST_CHECK;
void sheet_map_release(struct sheet_map *m);

/*
 * What each of the n header cells names, into cols[0..n).  In order:
 * the map's entry for that header; the field's name; `id`, `deleted`,
 * `branch`, `type`; a label of sheet_labels(); a row-number column
 * (STT, TT, Số TT, Số thứ tự, No) becomes SHEET_ROWNUM; an empty header
 * SHEET_BLANK.  All compared after text_fold() with accents off.
 *
 * FB_EINVAL, with a message "column N: ..." (the caller adds the line),
 * for a header nothing matches (naming the fields it might be: those
 * whose names or labels are near it, else every field of t, and how to
 * use --map), or two columns of one field.  FB_EUSAGE when an entry of
 * the map matches no header.  The map's entries are marked used.
 */
enum fb_code sheet_columns(const struct type_def *t, struct sheet_map *m,
			   char *const *headers, size_t n,
			   struct sheet_column *cols, struct fb_error *err)
	FB_MUST_CHECK;

/*
 * The header labels a field of type t answers to, besides its name,
 * NULL-ended; the first is the one `export --lang vi` writes.  `field`
 * may also be "id" or "deleted".  NULL when it has none.
 */
const char *const *sheet_labels(const struct type_def *t, const char *field);

/* The Vietnamese header of a column for export (its first label), or
 * the field's name when it has none. */
const char *sheet_label(const struct type_def *t, const char *field);

#endif
