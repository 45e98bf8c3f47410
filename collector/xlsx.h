/*
 * xlsx.h - workbooks for `export --format xlsx` and `report --format
 * xlsx` (libxlsxwriter): real .xlsx files in which phone numbers and ids
 * are text (no zero lost, no id turned into a number), dates are dates
 * and counts and amounts are numbers.
 *
 * The workbook is written to a temporary file (libxlsxwriter writes
 * files, not memory) and read back whole by xlsx_close(), so that the
 * command writes it as it writes any export (cli_write: never over an
 * existing file, on disk before it returns).  The first failure sticks:
 * later calls do nothing and xlsx_close() reports it.
 */
#ifndef FB_XLSX_H
#define FB_XLSX_H

#include "buf.h"
#include "error.h"

/* How a cell shows its value. */
enum xlsx_style {
	XLSX_TEXT,      /* text, kept as text when edited ("@") */
	XLSX_WRAP,      /* text over several lines (notes) */
	XLSX_DATE,      /* a YYYY-MM-DD value, written as a date */
	XLSX_INT,       /* a whole number: years, counts */
	XLSX_MONEY,     /* a whole number with thousands separators */
	XLSX_PERCENT,   /* a number of percent (87.5 shows 87.5%) */
	XLSX_HEAD,      /* a column's header */
	XLSX_TITLE,     /* a heading above a table */
	XLSX_NSTYLES
};

struct xlsx;

/*
 * A new workbook.  vi: dates show as dd/mm/yyyy, else yyyy-mm-dd.
 * FB_EIO when no temporary file can be made, FB_ENOMEM.
 */
enum fb_code xlsx_new(int vi, struct xlsx **out, struct fb_error *err)
	FB_MUST_CHECK;

/* Start a worksheet named name (at most 31 characters); later cells go
 * into it. */
void xlsx_sheet(struct xlsx *x, const char *name);

/*
 * A cell of the current sheet from its text: for XLSX_DATE an ISO date,
 * for XLSX_INT and XLSX_MONEY decimal digits; any other text as text.
 * An empty value writes nothing.
 */
void xlsx_cell(struct xlsx *x, unsigned row, unsigned col, enum xlsx_style st,
	       const char *value);

/* A number cell. */
void xlsx_number(struct xlsx *x, unsigned row, unsigned col, enum xlsx_style st,
		 double v);

/* The width of a column, in characters. */
void xlsx_width(struct xlsx *x, unsigned col, double width);

/* The header row stays in view, with a filter over rows 0..last_row. */
void xlsx_table(struct xlsx *x, unsigned last_row, unsigned last_col);

/*
 * Finish the workbook and append its bytes to out; the temporary file
 * is removed.  Returns the first failure of any call (FB_EIO naming
 * libxlsxwriter's reason), FB_ETOOBIG at out's cap.  x is freed either
 * way.
 */
enum fb_code xlsx_close(struct xlsx *x, struct fb_buf *out, struct fb_error *err)
	FB_MUST_CHECK;

/* Free x without writing (after another failure). */
void xlsx_free(struct xlsx *x);

#endif
