/*
 * xlsx.c - workbooks written with libxlsxwriter into a temporary file,
 * then read back into memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "i18n.h"
#include "model.h"
#include "xlsx.h"

#define XLSX_TMP_NAME "/fieldbook-xlsx.XXXXXX"

struct xlsx {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *fmt[XLSX_NSTYLES];
	char path[4096];
	char dir[4096];
	lxw_error failed;       /* the first failure, or LXW_NO_ERROR */
};

static void note(struct xlsx *x, lxw_error e)
{
	if (e != LXW_NO_ERROR && x->failed == LXW_NO_ERROR)
		x->failed = e;
}

static void make_formats(struct xlsx *x, int vi)
{
	int i;

	for (i = 0; i < XLSX_NSTYLES; i++)
		x->fmt[i] = workbook_add_format(x->wb);
	format_set_num_format(x->fmt[XLSX_TEXT], "@");
	format_set_num_format(x->fmt[XLSX_WRAP], "@");
	format_set_text_wrap(x->fmt[XLSX_WRAP]);
	format_set_num_format(x->fmt[XLSX_DATE], vi ? "dd/mm/yyyy" : "yyyy-mm-dd");
	format_set_num_format(x->fmt[XLSX_INT], "0");
	format_set_num_format(x->fmt[XLSX_MONEY], "#,##0");
	format_set_num_format(x->fmt[XLSX_PERCENT], "0.0\"%\"");
	format_set_bold(x->fmt[XLSX_HEAD]);
	format_set_bottom(x->fmt[XLSX_HEAD], LXW_BORDER_THIN);
	format_set_text_wrap(x->fmt[XLSX_HEAD]);
	format_set_bold(x->fmt[XLSX_TITLE]);
	format_set_font_size(x->fmt[XLSX_TITLE], 13);
}

enum fb_code xlsx_new(int vi, struct xlsx **out, struct fb_error *err)
{
	lxw_workbook_options opt = { 0, NULL, 0 };
	const char *tmp = getenv("TMPDIR");
	struct xlsx *x;
	int fd;

	*out = NULL;
	if (!(x = calloc(1, sizeof(*x))))
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	snprintf(x->dir, sizeof(x->dir), "%s", tmp && *tmp ? tmp : "/tmp");
	if ((size_t)snprintf(x->path, sizeof(x->path), "%s" XLSX_TMP_NAME, x->dir) >=
	    sizeof(x->path) || (fd = mkstemp(x->path)) < 0) {
		free(x);
		return fb_fail(err, FB_EIO, _("cannot make a temporary file in %s: %s"),
			       tmp && *tmp ? tmp : "/tmp", strerror(errno));
	}
	close(fd);
	opt.tmpdir = x->dir;
	if (!(x->wb = workbook_new_opt(x->path, &opt))) {
		unlink(x->path);
		free(x);
		return fb_fail(err, FB_ENOMEM, _("out of memory (workbook)"));
	}
	make_formats(x, vi);
	*out = x;
	return FB_OK;
}

void xlsx_sheet(struct xlsx *x, const char *name)
{
	x->ws = workbook_add_worksheet(x->wb, name);
	if (!x->ws)
		note(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
}

void xlsx_cell(struct xlsx *x, unsigned row, unsigned col, enum xlsx_style st,
	       const char *value)
{
	lxw_datetime dt = { 0, 0, 0, 0, 0, 0 };

	if (!x->ws || !value || !*value)
		return;
	if (st == XLSX_DATE && model_valid_date(value)) {
		dt.year = atoi(value);
		dt.month = atoi(value + 5);
		dt.day = atoi(value + 8);
		note(x, worksheet_write_datetime(x->ws, row, (lxw_col_t)col, &dt,
						 x->fmt[st]));
	} else if ((st == XLSX_INT || st == XLSX_MONEY) &&
		   strspn(value, "0123456789") == strlen(value)) {
		note(x, worksheet_write_number(x->ws, row, (lxw_col_t)col,
					       strtod(value, NULL), x->fmt[st]));
	} else {
		note(x, worksheet_write_string(x->ws, row, (lxw_col_t)col, value,
					       x->fmt[st == XLSX_DATE || st == XLSX_INT ||
						      st == XLSX_MONEY ? XLSX_TEXT : st]));
	}
}

void xlsx_number(struct xlsx *x, unsigned row, unsigned col, enum xlsx_style st,
		 double v)
{
	if (x->ws)
		note(x, worksheet_write_number(x->ws, row, (lxw_col_t)col, v, x->fmt[st]));
}

void xlsx_width(struct xlsx *x, unsigned col, double width)
{
	if (x->ws)
		note(x, worksheet_set_column(x->ws, (lxw_col_t)col, (lxw_col_t)col, width,
					     NULL));
}

void xlsx_table(struct xlsx *x, unsigned last_row, unsigned last_col)
{
	if (!x->ws)
		return;
	worksheet_freeze_panes(x->ws, 1, 0);
	note(x, worksheet_autofilter(x->ws, 0, 0, last_row, (lxw_col_t)last_col));
}

void xlsx_free(struct xlsx *x)
{
	if (!x)
		return;
	if (x->wb) {
		/* libxlsxwriter frees a workbook only by closing it. */
		workbook_close(x->wb);
	}
	unlink(x->path);
	free(x);
}

enum fb_code xlsx_close(struct xlsx *x, struct fb_buf *out, struct fb_error *err)
{
	lxw_error e = workbook_close(x->wb);
	char chunk[65536];
	enum fb_code rc = FB_OK;
	FILE *f = NULL;
	size_t n;

	x->wb = NULL;
	note(x, e);
	if (x->failed != LXW_NO_ERROR) {
		rc = fb_fail(err, x->failed == LXW_ERROR_MEMORY_MALLOC_FAILED ? FB_ENOMEM
			     : FB_EIO, _("writing the workbook: %s"), lxw_strerror(x->failed));
		goto out;
	}
	if (!(f = fopen(x->path, "rb"))) {
		rc = fb_fail(err, FB_EIO, _("reading the workbook back: %s"), strerror(errno));
		goto out;
	}
	while (rc == FB_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = buf_add(out, chunk, n);
	if (rc == FB_OK && ferror(f))
		rc = fb_fail(err, FB_EIO, _("reading the workbook back: %s"), strerror(errno));
	else if (rc != FB_OK)
		fb_fail(err, rc, _("the workbook: %s"), fb_strerror(rc));
out:
	if (f)
		fclose(f);
	xlsx_free(x);
	return rc;
}
