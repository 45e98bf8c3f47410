/*
 * cli.h - what every `fieldbook` command gets, and the helpers they
 * share.  A command is a function in its own cmd_*.c file, listed in
 * main.c's table; it returns an fb_code and leaves the message in
 * cli->err.  Only main() prints errors and chooses the exit status.
 */
#ifndef FB_CLI_H
#define FB_CLI_H

#include <stdio.h>
#include "book.h"
#include "buf.h"
#include "error.h"

struct cli {
	const char *db_path;    /* resolved --db / $FIELDBOOK_DB / XDG path */
	int argc;               /* arguments after the command words, */
	char **argv;            /* argv[0] is the command's name */
	const char *name;       /* "member add" */
	const char *usage;      /* the command's usage line(s) */
	struct fb_error err;
};

struct command {
	const char *name;       /* one or two words */
	enum fb_code (*run)(struct cli *c);
	const char *usage;      /* "fieldbook member add --name NAME ..." */
	const char *help;       /* one line of what it does */
};

/* An option that sets a record field: --date -> start_date. */
struct opt_field {
	const char *opt;        /* long option name without "--" */
	const char *field;      /* field it sets; NULL for a flag below */
};

/* Flags options may also set (cli_parse_opts). */
struct cli_flags {
	int json;               /* --json */
	int all;                /* --all: include deleted */
	int bom;                /* --bom */
	const char *format;     /* --format */
	const char *type;       /* --type */
	const char *output;     /* -o / --output */
	const char *year;       /* --year */
};

/*
 * Parse the command's options.  Field options (table, may be NULL) go
 * to fv[0..*nfv); the flags named in `accept` (a string of letters:
 * j=--json a=--all b=--bom f=--format t=--type o=-o/--output y=--year)
 * to flags.  Positional arguments are left, in order, in
 * c->argv[*first .. c->argc).  --help prints the usage and returns
 * FB_OK with *first = -1.  Unknown options are FB_EUSAGE.
 */
enum fb_code cli_parse_opts(struct cli *c, const struct opt_field *table,
			    struct field_value *fv, size_t *nfv,
			    const char *accept, struct cli_flags *flags,
			    int *first);

/* Open the book at c->db_path (message in c->err on failure). */
enum fb_code cli_open(struct cli *c, struct book **out);

/* Usage error: "<msg> (see 'fieldbook <name> --help')". */
enum fb_code cli_usage(struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parse --year (4 digits in range) or the current year when NULL. */
enum fb_code cli_year(struct cli *c, const char *s, int *year);

/* Write the buffer to stdout (or a file); FB_EIO on failure. */
enum fb_code cli_write(struct cli *c, const char *path, const struct fb_buf *b);

/* Print a cJSON document on stdout, pretty, and free it. */
struct cJSON;
enum fb_code cli_print_json(struct cli *c, struct cJSON *doc);

/* Vietnamese label of a vocabulary code, or the code itself. */
const char *cli_label(const char *code);

#endif
