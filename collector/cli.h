/*
 * cli.h - the helpers the `fieldbook` commands share.  A command is one
 * entry (shared/cmd.h) in its own cmd_*.c file, listed in main.c's
 * table; its function returns an fb_code and leaves the message in
 * c->err.  Only main() prints errors and chooses the exit status.
 */
#ifndef FB_CLI_H
#define FB_CLI_H

#include <stdint.h>
#include <stdio.h>
#include "book.h"
#include "book_find.h"
#include "buf.h"
#include "cmd.h"
#include "error.h"
#include "i18n.h"

/* The common flags of the collector's commands, from cmd_get(). */
struct cli_flags {
	int json;               /* --json */
	int all;                /* --all: include deleted */
	int bom;                /* --bom */
	const char *format;     /* --format */
	const char *type;       /* --type */
	const char *output;     /* -o / --output */
	const char *year;       /* --year */
};

/* Read the common flags that c's command line gave. */
void cli_flags(const struct cmd_ctx *c, struct cli_flags *fl);

/* Options several commands share, for their tables. */
#define CLI_OPT_JSON   { "json", 0, NULL, NULL, N_("print JSON instead of a table") }
#define CLI_OPT_ALL    { "all", 0, NULL, NULL, N_("include deleted records") }
#define CLI_OPT_YEAR   { "year", 0, "Y", NULL, N_("the year (default: this year)") }
#define CLI_OPT_QUIET  { "quiet", 'q', NULL, NULL, N_("no progress on a terminal, only the summary") }

/*
 * Open the book at c->db_path (message in c->err on failure).  When the
 * last sync found this laptop's clock more than the hub's tolerance
 * away from the hub's (book_clock_drift), a warning goes to stderr.
 */
enum fb_code cli_open(struct cmd_ctx *c, struct book **out);

/* The same without the warning (sync measures the clock again). */
enum fb_code cli_open_quiet(struct cmd_ctx *c, struct book **out);

/* The warning, on stderr, when ahead_ms (negative: behind) is more
 * than FB_HLC_MAX_DRIFT_MS either way; nothing otherwise. */
void cli_warn_clock(int64_t ahead_ms);

/* Parse --year (4 digits in range) or the current year when NULL. */
enum fb_code cli_year(struct cmd_ctx *c, const char *s, int *year);

/* Write the buffer to stdout (or a file); FB_EIO on failure. */
enum fb_code cli_write(struct cmd_ctx *c, const char *path, const struct fb_buf *b);

/* Print a cJSON document on stdout, pretty, and free it. */
struct cJSON;
enum fb_code cli_print_json(struct cmd_ctx *c, struct cJSON *doc);

/* The report as `report --format json` prints it (cmd_report.c), which
 * the local page shows too; NULL when memory runs out. */
struct report;
struct cJSON *cli_report_json(const struct report *r, const char *branch);

/* The book's index of names and short ids (book_find.h), read once. */
enum fb_code cli_names(struct cmd_ctx *c, struct book *b, struct book_names **out);

/*
 * The id of the record ref names (book_names_find) among the types of
 * flags, into id.  When several could be meant, nothing is chosen: the
 * error says so and c->detail lists them, a line each (short id, type,
 * name, birth year or date, phone), for main() to print after it.
 */
enum fb_code cli_find(struct cmd_ctx *c, const struct book_names *n, const char *ref,
		      int flags, char id[FB_RECORD_ID_MAX + 1]);

/* "member Nguyễn Thị Lan (1c2e5b7d)" (book_names_describe), for one
 * line of output; "" when memory runs out.  Valid until the next call. */
const char *cli_describe(const struct book_names *n, const char *id, enum rec_type t);

/* Vietnamese label of a vocabulary code, or the code itself. */
const char *cli_label(const char *code);

/* 1 when field of type t holds a day (a date field): tables show it
 * with fb_day() (docs/DECISIONS.md, "Times and days"). */
int cli_is_date(enum rec_type t, const char *field);
/*
 * A value of a field of type t as a table shows it: a vocabulary's code
 * (or a training's topics) by its Vietnamese name under Vietnamese,
 * anything else as it is (label.h).  Valid until CLI_SHOWN_MAX more
 * calls.
 */
#define CLI_SHOWN_MAX 4
const char *cli_shown(enum rec_type t, const char *field, const char *value);

/*
 * The columns of a table's column of field (title: its heading, marked
 * N_()), width in English; under Vietnamese wide enough for the
 * translated heading and for the longest name of the field's vocabulary
 * ("Phó Chủ tịch Hội LHPN xã"), so that no one value is cut.
 */
size_t cli_column_width(enum rec_type t, const char *field, const char *title, size_t width);

#endif
