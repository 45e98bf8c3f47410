/* cli.c - option parsing and output helpers shared by the commands. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "book_view.h"
#include "cli.h"
#include "label.h"
#include "i18n.h"
#include "limits.h"
#include "text.h"
#include "vocab.h"

void cli_flags(const struct cmd_ctx *c, struct cli_flags *fl)
{
	fl->json = cmd_has(c, "json");
	fl->all = cmd_has(c, "all");
	fl->bom = cmd_has(c, "bom");
	fl->format = cmd_get(c, "format");
	fl->type = cmd_get(c, "type");
	fl->output = cmd_get(c, "output");
	fl->year = cmd_get(c, "year");
}

/* ms as minutes, hours or days, to the nearest, into out. */
static void span_text(uint64_t ms, char *out, size_t n)
{
	const uint64_t min = 60 * 1000, hour = 60 * min, day = 24 * hour;
	uint64_t mins = (ms + min / 2) / min, hours = (ms + hour / 2) / hour;

	if (mins < 120)
		snprintf(out, n, _("%llu minutes"), (unsigned long long)mins);
	else if (hours < 48)
		snprintf(out, n, _("%llu hours"), (unsigned long long)hours);
	else
		snprintf(out, n, _("%llu days"), (unsigned long long)((ms + day / 2) / day));
}

void cli_warn_clock(int64_t ahead_ms)
{
	uint64_t off = ahead_ms < 0 ? (uint64_t)-(ahead_ms + 1) + 1 : (uint64_t)ahead_ms;
	char span[64];

	if (off <= FB_HLC_MAX_DRIFT_MS)
		return;
	span_text(off, span, sizeof(span));
	if (ahead_ms > 0)
		fprintf(stderr, _("fieldbook: warning: this laptop's clock is %s ahead of the"
				  " hub's; set its date and time (what is saved meanwhile is kept,"
				  " and dated again by the next sync once the clock is right)\n"),
			span);
	else
		fprintf(stderr, _("fieldbook: warning: this laptop's clock is %s behind the"
				  " hub's; set its date and time\n"), span);
}

enum fb_code cli_open_quiet(struct cmd_ctx *c, struct book **out)
{
	return book_open(c->db_path, NULL, out, &c->err);
}

enum fb_code cli_names(struct cmd_ctx *c, struct book *b, struct book_names **out)
{
	return book_names_open(b, out, &c->err);
}

/* The columns of the widest name of a type a candidate may be of. */
static size_t type_cols(void)
{
	static const enum rec_type named[] = { REC_MEMBER, REC_TRAINING, REC_VISIT };
	size_t i, w = 0;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (text_width(label_type(named[i])) > w)
			w = text_width(label_type(named[i]));
	return w;
}

/* One candidate of an ambiguous name, a line of c->detail. */
static enum fb_code candidate(struct fb_buf *out, const struct book_name *m)
{
	char day[FB_WHEN_MAX];
	/* TRANSLATORS: before a year of birth, in a list of members. */
	const char *born = _("born ");
	enum fb_code rc = buf_printf(out, "  %-8s  ", m->short_id);

	fb_day(m->date, day);           /* dd/mm/yyyy in Vietnamese */
	if (rc == FB_OK)
		rc = text_pad(out, label_type(m->type), type_cols());
	if (rc == FB_OK)
		rc = buf_adds(out, "  ");
	if (rc == FB_OK)
		rc = text_pad(out, m->label, 28);
	if (rc == FB_OK && m->type == REC_MEMBER)
		rc = buf_printf(out, "  %s%*s%-4s  %s", *m->year ? born : "",
				*m->year ? 0 : (int)text_width(born), "", m->year, m->phone);
	else if (rc == FB_OK)
		rc = buf_printf(out, "  %s", day);
	if (rc == FB_OK && m->deleted)
		rc = buf_printf(out, "  %s", _("(deleted)"));
	/* No blanks at the end of the line, whatever was left empty. */
	while (rc == FB_OK && out->len && out->data[out->len - 1] == ' ')
		out->data[--out->len] = '\0';
	return rc == FB_OK ? buf_addc(out, '\n') : rc;
}

enum fb_code cli_find(struct cmd_ctx *c, const struct book_names *n, const char *ref,
		      int flags, char id[FB_RECORD_ID_MAX + 1])
{
	struct book_found f;
	enum fb_code rc = book_names_find(n, ref, flags, &f, &c->err);
	size_t i;

	if (rc == FB_OK) {
		memcpy(id, f.id, sizeof(f.id));
		return FB_OK;
	}
	for (i = 0; f.n > 1 && i < f.n && i < BOOK_FIND_LIST_MAX; i++)
		if (candidate(&c->detail, f.cand[i]) != FB_OK)
			break;
	if (f.n > BOOK_FIND_LIST_MAX)
		(void)buf_printf(&c->detail, _("  ... and %zu more\n"), f.n - BOOK_FIND_LIST_MAX);
	return rc;
}

const char *cli_describe(const struct book_names *n, const char *id, enum rec_type t)
{
	static struct fb_buf line;

	buf_reset(&line);
	if (book_names_describe(n, id, t, &line) != FB_OK)
		buf_reset(&line);
	return buf_str(&line);
}

enum fb_code cli_open(struct cmd_ctx *c, struct book **out)
{
	enum fb_code rc = cli_open_quiet(c, out);
	int64_t ahead = 0;
	int known = 0;

	/* A warning only: a clock that cannot be compared stops nothing. */
	if (rc == FB_OK && book_clock_drift(*out, &ahead, &known, NULL) == FB_OK && known)
		cli_warn_clock(ahead);
	return rc;
}

enum fb_code cli_year(struct cmd_ctx *c, const char *s, int *year)
{
	time_t now = time(NULL);
	struct tm tm;
	char *end;
	long y;

	if (!s) {
		localtime_r(&now, &tm);
		*year = tm.tm_year + 1900;
		return FB_OK;
	}
	errno = 0;
	y = strtol(s, &end, 10);
	if (errno || *end || strlen(s) != 4 || y < FB_YEAR_MIN || y > FB_YEAR_MAX)
		return fb_fail(&c->err, FB_EINVAL, _("--year: '%s' is not a year (%d to %d)"),
			       s, FB_YEAR_MIN, FB_YEAR_MAX);
	*year = (int)y;
	return FB_OK;
}

enum fb_code cli_write(struct cmd_ctx *c, const char *path, const struct fb_buf *b)
{
	FILE *f = stdout;
	int bad;

	if (path && strcmp(path, "-")) {
		f = fopen(path, "wbx");
		if (!f && errno == EEXIST)
			return fb_fail(&c->err, FB_EIO,
				       _("%s exists; choose another name or remove it"), path);
		if (!f)
			return fb_fail(&c->err, FB_EIO, _("cannot create %s: %s"), path,
				       strerror(errno));
	}
	bad = b->len && fwrite(b->data, 1, b->len, f) != b->len;
	bad |= fflush(f) != 0;
	if (f != stdout) {
		/* On disk before we say it is written; a file that could
		 * not be written whole is not left behind half. */
		bad |= fsync(fileno(f)) != 0;
		bad |= fclose(f) != 0;
		if (bad) {
			int saved = errno;

			unlink(path);
			errno = saved;
		}
	}
	if (bad)
		return fb_fail(&c->err, FB_EIO, _("writing %s: %s"),
			       path && strcmp(path, "-") ? path : "output", strerror(errno));
	return FB_OK;
}

enum fb_code cli_print_json(struct cmd_ctx *c, cJSON *doc)
{
	struct fb_buf b = FB_BUF_INIT(0);
	char *s;
	enum fb_code rc;

	if (!doc)
		return fb_fail(&c->err, FB_ENOMEM, _("out of memory"));
	s = cJSON_Print(doc);
	cJSON_Delete(doc);
	if (!s)
		return fb_fail(&c->err, FB_ENOMEM, _("out of memory"));
	rc = buf_adds(&b, s);
	if (rc == FB_OK)
		rc = buf_addc(&b, '\n');
	free(s);
	if (rc == FB_OK)
		rc = cli_write(c, NULL, &b);
	else
		fb_fail(&c->err, rc, _("out of memory"));
	buf_release(&b);
	return rc;
}

const char *cli_label(const char *code)
{
	return vocab_label(code);
}

int cli_is_date(enum rec_type t, const char *field)
{
	const struct field_def *f = t < REC_NTYPES ? model_field(model_type(t), field) : NULL;

	return f && f->kind == FK_DATE;
}

const char *cli_shown(enum rec_type t, const char *field, const char *value)
{
	/* A few in turn, so that one line may show several. */
	static struct fb_buf room[CLI_SHOWN_MAX];
	static unsigned next;
	const struct type_def *td = model_type(t);
	struct fb_buf *b;

	if (!td)
		return value;
	b = &room[next++ % CLI_SHOWN_MAX];
	/* A day as people read it (fb_day): dd/mm/yyyy in Vietnamese. */
	if (cli_is_date(t, field)) {
		char day[FB_WHEN_MAX];

		fb_day(value, day);
		buf_reset(b);
		return buf_adds(b, day) == FB_OK ? buf_str(b) : value;
	}
	return label_value(model_user_field(td, field), value, b);
}

size_t cli_column_width(enum rec_type t, const char *field, const char *title, size_t width)
{
	/* Asked for every cell: the columns of a table, once each. */
	static struct column_seen { enum rec_type t; const char *field; size_t width, cols; } known[16];
	static size_t nknown;
	const struct field_def *f;
	const char *const *v;
	size_t i, w, cols = width;

	if (!fb_lang_vi())
		return width;
	for (i = 0; i < nknown; i++)
		if (known[i].t == t && known[i].field == field && known[i].width == width)
			return known[i].cols;
	f = model_type(t) ? model_user_field(model_type(t), field) : NULL;
	if ((w = text_width(_(title))) > cols)
		cols = w;
	for (v = f && f->kind == FK_ENUM ? f->vocab : NULL; v && *v; v++)
		if ((w = text_width(vocab_label(*v))) > cols)
			cols = w;
	if (nknown < sizeof(known) / sizeof(known[0]))
		known[nknown++] = (struct column_seen){ t, field, width, cols };
	return cols;
}
