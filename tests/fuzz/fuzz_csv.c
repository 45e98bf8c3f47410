/*
 * fuzz_csv.c - the RFC 4180 reader behind `fieldbook import`.
 *
 * Every record of the input is read until the end or the first error.
 * Checked: records respect the field and byte caps, line numbers stay
 * within the lines of the input and never go back, the reader stops
 * for good after an error, and every record read, written again with
 * csv_write_record(), reads back as the same fields.
 *
 * Inputs of libFuzzer stay small, but the record cap is 64 KiB: an
 * input whose first byte is 0xFF (never the start of UTF-8 text) is
 * read as the rest repeated past FB_CSV_LINE_MAX, so the cap is tried.
 */
#include "fuzz.h"
#include "csv.h"

#define CSV_BOM "\xEF\xBB\xBF"
#define CSV_TILE_MARK 0xFF
#define CSV_TILE_LEN  ((size_t)FB_CSV_LINE_MAX + 1024)
#define CSV_TILE_ROUNDTRIPS 64

/* Physical lines: CRLF, LF and a lone CR each end one. */
static unsigned long count_lines(const uint8_t *p, size_t n)
{
	unsigned long lines = 1;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '\n' || (p[i] == '\r' && !(i + 1 < n && p[i + 1] == '\n')))
			lines++;
	return lines;
}

/* Write the record as an export would and read it back. */
static void check_roundtrip(const struct csv_reader *r)
{
	/* A BOM first, as a spreadsheet may write it: the reader drops
	 * exactly one, so a field that starts with U+FEFF survives. */
	struct fb_buf out = FB_BUF_INIT(0);
	struct csv_reader back;
	struct fb_error err;
	size_t i;

	FUZZ_CHECK(buf_adds(&out, CSV_BOM) == FB_OK);
	FUZZ_CHECK(csv_write_record(&out, (const char *const *)r->fields,
				    r->nfields) == FB_OK);
	/* Quoting can push a record over the reader's cap: fine to refuse. */
	if (out.len - 3 - 2 > FB_CSV_LINE_MAX) {
		buf_release(&out);
		return;
	}
	csv_reader_init(&back, out.data, out.len);
	fb_error_clear(&err);
	if (csv_read_record(&back, &err) != FB_OK) {
		fprintf(stderr, "written record refused: %s\n", err.msg);
		abort();
	}
	FUZZ_CHECK(back.nfields == r->nfields);
	for (i = 0; i < r->nfields; i++)
		FUZZ_CHECK(!strcmp(back.fields[i], r->fields[i]));
	FUZZ_CHECK(csv_read_record(&back, &err) == FB_OK && back.nfields == 0);
	csv_reader_release(&back);
	buf_release(&out);
}

static void read_all(const uint8_t *data, size_t size, size_t roundtrips)
{
	struct csv_reader r;
	struct fb_error err;
	unsigned long lines = count_lines(data, size), last = 0;
	size_t records = 0, i;
	enum fb_code rc;

	csv_reader_init(&r, (const char *)data, size);
	for (;;) {
		fb_error_clear(&err);
		rc = csv_read_record(&r, &err);
		if (rc != FB_OK) {
			FUZZ_CHECK(rc == FB_EINVAL || rc == FB_ETOOBIG);
			FUZZ_CHECK(err.code == rc && !strncmp(err.msg, "line ", 5));
			FUZZ_CHECK(strtoul(err.msg + 5, NULL, 10) <= lines);
			FUZZ_CHECK(r.nfields == 0);
			/* Stopped for good. */
			FUZZ_CHECK(csv_read_record(&r, &err) == FB_OK && r.nfields == 0);
			break;
		}
		if (r.nfields == 0)
			break;
		FUZZ_CHECK(++records <= size);
		FUZZ_CHECK(r.nfields <= FB_CSV_FIELDS_MAX);
		FUZZ_CHECK(r.rec_line >= 1 && r.rec_line <= lines);
		FUZZ_CHECK(r.rec_line > last);
		FUZZ_CHECK(r.line >= r.rec_line && r.line <= lines);
		last = r.rec_line;
		for (i = 0; i < r.nfields; i++)
			FUZZ_CHECK(strlen(r.fields[i]) <= FB_CSV_LINE_MAX);
		if (records <= roundtrips)
			check_roundtrip(&r);
	}
	csv_reader_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *tiled;
	size_t n, i;

	if (size < 2 || data[0] != CSV_TILE_MARK) {
		read_all(data, size, size);
		return 0;
	}
	data++;
	size--;
	n = (CSV_TILE_LEN + size - 1) / size * size;
	tiled = malloc(n);
	FUZZ_CHECK(tiled != NULL);
	for (i = 0; i < n; i += size)
		memcpy(tiled + i, data, size);
	/* The copies repeat themselves: write back only the first few. */
	read_all(tiled, n, CSV_TILE_ROUNDTRIPS);
	free(tiled);
	return 0;
}
