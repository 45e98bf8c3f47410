/*
 * csv.h - RFC 4180 CSV reading and writing.
 *
 * Reading: a whole file already in memory is split into records of
 * fields, separated by commas or by another separator that
 * csv_reader_set_sep() chooses (';' and tab, as spreadsheets save
 * them).  Fields may be quoted with '"'; inside quotes, separators, CR, LF
 * and doubled quotes ("") are data.  Records end at CRLF or LF (a bare
 * CR outside quotes is also accepted as an end of line).  A UTF-8 BOM
 * at the very start is skipped.  A final line ending is optional; a
 * file that ends inside quotes is an error.  Every record is capped at
 * FB_CSV_LINE_MAX bytes as they stand in the input (quotes included,
 * its line ending not) and FB_CSV_FIELDS_MAX fields.
 *
 * Writing: csv_write_field() quotes a field when it contains a comma,
 * quote, CR or LF, or begins or ends with a space; csv_write_record()
 * ends the record with CRLF as RFC 4180 says.
 */
#ifndef FB_CSV_H
#define FB_CSV_H

#include <stddef.h>
#include "buf.h"
#include "error.h"

#define FB_CSV_FIELDS_MAX 64

struct csv_reader {
	const char *p;          /* next byte to read */
	const char *end;        /* one past the last byte */
	char sep;               /* the field separator: ',' unless set */
	unsigned long line;     /* line number (1-based) where the next record starts */
	/* the record last read: */
	unsigned long rec_line; /* line on which it started */
	size_t nfields;
	char *fields[FB_CSV_FIELDS_MAX]; /* NUL-terminated, point into store */
	struct fb_buf store;    /* owns the field text */
};

/* Start reading data[0..len).  The data must outlive the reader. */
void csv_reader_init(struct csv_reader *r, const char *data, size_t len);

/* Read fields separated by sep (',', ';' or '\t') from now on. */
void csv_reader_set_sep(struct csv_reader *r, char sep);

/*
 * The separator a spreadsheet's text most likely uses: of ',', ';' and
 * tab, the one that splits the header into the most fields while every
 * record of the first CSV_GUESS_RECORDS has as many fields as the
 * header; failing that, the one that splits the header most; ',' when
 * none splits it (one column).  A UTF-8 BOM is skipped.
 */
#define CSV_GUESS_RECORDS 50
char csv_guess_sep(const char *data, size_t len);

/*
 * Read the next record into r->fields.  Returns FB_OK with
 * r->nfields > 0 for a record, FB_OK with r->nfields == 0 at the end of
 * the input, or FB_EINVAL / FB_ETOOBIG with err saying the line and
 * what is wrong ("line 7: unterminated quoted field").  A quote inside
 * an unquoted field, text after a closing quote and a NUL byte are
 * errors.  Empty lines are skipped.
 *
 * Lines are physical lines (a CR, LF or CRLF inside quotes counts).
 * An error names the line of the offending byte; for an unterminated
 * quote, the line where it opened; for a record over a cap, the line
 * where the record starts.  After an error the reader is at the end of
 * its input and reads no more records.  The fields stay valid until the
 * next csv_read_record() or csv_reader_release().
 */
enum fb_code csv_read_record(struct csv_reader *r, struct fb_error *err);

/* Free what the reader owns. */
void csv_reader_release(struct csv_reader *r);

/*
 * Writing appends to out; on failure (FB_ETOOBIG at its cap, FB_ENOMEM)
 * out is left as it was.
 */

/* Append one field, quoted if needed, with a leading comma unless first. */
enum fb_code csv_write_field(struct fb_buf *out, const char *s, int first);

/* Append a whole record of n fields and its CRLF.  A record of one empty
 * field is written as "" so that it is not read back as an empty line. */
enum fb_code csv_write_record(struct fb_buf *out, const char *const *fields,
			      size_t n);

#endif
