/*
 * csv.c - RFC 4180 CSV: a reader over a buffer in memory, and a writer.
 *
 * The reader never looks at r->end or beyond, and it holds at most one
 * record: the text of the fields is unquoted into r->store, whose cap
 * is one record's bytes plus a terminator per field.  While a record is
 * built the store may move, so fields are kept as offsets and turned
 * into pointers only once the record is complete.
 */
#include <string.h>

#include "csv.h"
#include "i18n.h"

/* The unquoted text of a record is never longer than its raw bytes. */
#define CSV_STORE_CAP ((size_t)FB_CSV_LINE_MAX + FB_CSV_FIELDS_MAX)

#define CSV_BOM     "\xEF\xBB\xBF"
#define CSV_BOM_LEN 3

void csv_reader_init(struct csv_reader *r, const char *data, size_t len)
{
	memset(r, 0, sizeof(*r));
	if (!data) {
		data = "";
		len = 0;
	}
	r->p = data;
	r->end = data + len;
	r->line = 1;
	r->sep = ',';
	r->store = (struct fb_buf)FB_BUF_INIT(CSV_STORE_CAP);
	if (len >= CSV_BOM_LEN && memcmp(data, CSV_BOM, CSV_BOM_LEN) == 0)
		r->p += CSV_BOM_LEN;
}

void csv_reader_set_sep(struct csv_reader *r, char sep)
{
	r->sep = sep;
}

char csv_guess_sep(const char *data, size_t len)
{
	static const char seps[] = { ',', ';', '\t' };
	struct csv_reader r;
	size_t i, head[sizeof(seps)], best = 0;
	int consistent[sizeof(seps)], k, any = 0;

	for (i = 0; i < sizeof(seps); i++) {
		csv_reader_init(&r, data, len);
		csv_reader_set_sep(&r, seps[i]);
		head[i] = 0;
		consistent[i] = 1;
		if (csv_read_record(&r, NULL) == FB_OK)
			head[i] = r.nfields;
		for (k = 0; k < CSV_GUESS_RECORDS && head[i]; k++) {
			if (csv_read_record(&r, NULL) != FB_OK) {
				consistent[i] = 0;
				break;
			}
			if (r.nfields == 0)
				break;
			if (r.nfields != head[i])
				consistent[i] = 0;
		}
		csv_reader_release(&r);
	}
	/* Consistent splits first, then more fields. */
	for (i = 0; i < sizeof(seps); i++) {
		if (head[i] < 2)
			continue;
		if (!any || consistent[i] > consistent[best] ||
		    (consistent[i] == consistent[best] && head[i] > head[best]))
			best = i;
		any = 1;
	}
	return any ? seps[best] : ',';
}

void csv_reader_release(struct csv_reader *r)
{
	buf_release(&r->store);
	r->nfields = 0;
}

static int is_eol(char c)
{
	return c == '\r' || c == '\n';
}

/* Step over the CR, LF or CRLF at r->p, which is before r->end. */
static void skip_eol(struct csv_reader *r)
{
	if (r->p[0] == '\r' && r->end - r->p > 1 && r->p[1] == '\n')
		r->p++;
	r->p++;
	r->line++;
}

static enum fb_code too_long(const struct csv_reader *r,
			     struct fb_error *err)
{
	return fb_fail(err, FB_ETOOBIG, _("line %lu: record longer than %d bytes"),
		       r->rec_line, FB_CSV_LINE_MAX);
}

static enum fb_code nul_byte(const struct csv_reader *r, struct fb_error *err)
{
	return fb_fail(err, FB_EINVAL, _("line %lu: NUL byte"), r->line);
}

static enum fb_code store_add(struct csv_reader *r, const char *p, size_t n,
			      struct fb_error *err)
{
	enum fb_code rc = buf_add(&r->store, p, n);

	if (rc != FB_OK)
		return fb_fail(err, rc, _("line %lu: %s"), r->rec_line,
			       fb_strerror(rc));
	return FB_OK;
}

/*
 * Read a field that starts with a quote, up to and including its
 * closing quote.  lim is where the record must end by; reaching it
 * before r->end means the record is too long.
 */
static enum fb_code read_quoted(struct csv_reader *r, const char *lim,
				struct fb_error *err)
{
	unsigned long open_line = r->line;
	const char *run;
	enum fb_code rc;

	r->p++;
	run = r->p;
	for (;;) {
		if (r->p == lim) {
			if (lim != r->end)
				return too_long(r, err);
			return fb_fail(err, FB_EINVAL,
				       _("line %lu: unterminated quoted field"),
				       open_line);
		}
		if (*r->p == '"') {
			rc = store_add(r, run, (size_t)(r->p - run), err);
			if (rc != FB_OK)
				return rc;
			r->p++;
			if (r->p == lim || *r->p != '"')
				return FB_OK;
			/* "" is one quote: it starts the next run. */
			run = r->p++;
			continue;
		}
		if (*r->p == '\0')
			return nul_byte(r, err);
		/* CRLF inside quotes is one line; p[-1] is at least the
		 * opening quote. */
		if (*r->p == '\r' || (*r->p == '\n' && r->p[-1] != '\r'))
			r->line++;
		r->p++;
	}
}

static enum fb_code read_unquoted(struct csv_reader *r, const char *lim,
				  struct fb_error *err)
{
	const char *run = r->p;

	while (r->p < lim && *r->p != r->sep && !is_eol(*r->p)) {
		if (*r->p == '"')
			return fb_fail(err, FB_EINVAL,
				       _("line %lu: quote inside unquoted field"),
				       r->line);
		if (*r->p == '\0')
			return nul_byte(r, err);
		r->p++;
	}
	return store_add(r, run, (size_t)(r->p - run), err);
}

enum fb_code csv_read_record(struct csv_reader *r, struct fb_error *err)
{
	size_t off[FB_CSV_FIELDS_MAX];
	size_t n = 0, i;
	const char *lim;
	enum fb_code rc = FB_OK;

	r->nfields = 0;
	buf_reset(&r->store);
	while (r->p < r->end && is_eol(*r->p))
		skip_eol(r);
	if (r->p == r->end)
		goto out;

	r->rec_line = r->line;
	/* Stop reading at the cap, so a long record costs no more memory. */
	if ((size_t)(r->end - r->p) > FB_CSV_LINE_MAX)
		lim = r->p + FB_CSV_LINE_MAX;
	else
		lim = r->end;

	for (;;) {
		if (n == FB_CSV_FIELDS_MAX) {
			rc = fb_fail(err, FB_ETOOBIG,
				     _("line %lu: more than %d fields"),
				     r->rec_line, FB_CSV_FIELDS_MAX);
			goto out;
		}
		off[n] = r->store.len;
		if (r->p < lim && *r->p == '"')
			rc = read_quoted(r, lim, err);
		else
			rc = read_unquoted(r, lim, err);
		if (rc != FB_OK)
			goto out;
		rc = store_add(r, "", 1, err);
		if (rc != FB_OK)
			goto out;
		n++;

		if (r->p == r->end)
			break;
		if (r->p == lim && !is_eol(*r->p)) {
			rc = too_long(r, err);
			goto out;
		}
		if (*r->p == r->sep) {
			r->p++;
			continue;
		}
		if (is_eol(*r->p)) {
			skip_eol(r);
			break;
		}
		/* An unquoted field stops only at sep, CR, LF or lim. */
		if (*r->p == '\0')
			rc = nul_byte(r, err);
		else
			rc = fb_fail(err, FB_EINVAL,
				     _("line %lu: text after closing quote"),
				     r->line);
		goto out;
	}

	for (i = 0; i < n; i++)
		r->fields[i] = r->store.data + off[i];
	r->nfields = n;
out:
	if (rc != FB_OK) {
		/* Resynchronising inside a bad record is guesswork: stop. */
		r->p = r->end;
		r->nfields = 0;
	}
	return rc;
}

/* Drop what a failed write appended, so out is left as it was. */
static void buf_truncate(struct fb_buf *b, size_t len)
{
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
}

static int needs_quotes(const char *s)
{
	size_t len = strlen(s);

	if (!len)
		return 0;
	return s[0] == ' ' || s[len - 1] == ' ' || strpbrk(s, ",\"\r\n");
}

static enum fb_code add_quoted(struct fb_buf *out, const char *s)
{
	const char *q;
	enum fb_code rc;

	rc = buf_addc(out, '"');
	while (rc == FB_OK && (q = strchr(s, '"'))) {
		/* Up to and including the quote, then its double. */
		rc = buf_add(out, s, (size_t)(q - s) + 1);
		if (rc == FB_OK)
			rc = buf_addc(out, '"');
		s = q + 1;
	}
	if (rc == FB_OK)
		rc = buf_adds(out, s);
	if (rc == FB_OK)
		rc = buf_addc(out, '"');
	return rc;
}

enum fb_code csv_write_field(struct fb_buf *out, const char *s, int first)
{
	size_t start = out->len;
	enum fb_code rc = FB_OK;

	if (!first)
		rc = buf_addc(out, ',');
	if (rc == FB_OK)
		rc = needs_quotes(s) ? add_quoted(out, s) : buf_adds(out, s);
	if (rc != FB_OK)
		buf_truncate(out, start);
	return rc;
}

enum fb_code csv_write_record(struct fb_buf *out, const char *const *fields,
			      size_t n)
{
	size_t start = out->len;
	enum fb_code rc = FB_OK;
	size_t i;

	if (n == 1 && !fields[0][0]) {
		/* Unquoted, a lone empty field is an empty line, which
		 * readers skip. */
		rc = buf_adds(out, "\"\"");
	} else {
		for (i = 0; i < n && rc == FB_OK; i++)
			rc = csv_write_field(out, fields[i], i == 0);
	}
	if (rc == FB_OK)
		rc = buf_adds(out, "\r\n");
	if (rc != FB_OK)
		buf_truncate(out, start);
	return rc;
}
