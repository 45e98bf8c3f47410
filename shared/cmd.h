/*
 * cmd.h - the command table of both programs, and the one parser and
 * dispatcher for it.
 *
 * Each command file exports one `const struct cmd_entry`: its name (one
 * or two words), usage line, one line of help, its options, the least
 * and the most positional arguments it takes, and its function.  A
 * program lists its entries in one table.  cmd_find() picks the entry
 * that argv names, cmd_parse() checks the options and the argument count
 * against it, and the command's function only ever sees arguments that
 * passed.  The table is data: --help, and later the man pages and shell
 * completion, are made from it.
 *
 * Nothing here prints or exits: help goes into a buffer and errors into
 * the context's fb_error, for main() to print (docs/EXIT-CODES.md).
 *
 * The tables' human text (a command's help, too_few and too_many, an
 * option's help, a program's about and footer) is marked N_() where it
 * is written and shown in the reader's language (i18n.h); names, usage
 * lines and placeholders are what people type, and stay as written in
 * every language.
 */
#ifndef FB_CMD_H
#define FB_CMD_H

#include <stddef.h>
#include "buf.h"
#include "error.h"

struct field_value;      /* book.h */

/* One long option.  The table of a command ends with { NULL }. */
struct cmd_option {
	const char *name;       /* without "--" */
	char letter;            /* a short form ('o' for -o), or 0 */
	const char *arg;        /* its value's placeholder ("DATE"); NULL: a flag */
	const char *field;      /* the record field it sets, or NULL (cmd_fields) */
	const char *help;       /* one line, for --help */
};

#define CMD_ARGS_ANY   (-1)     /* args_max: no upper bound */
#define CMD_GIVEN_MAX  64       /* options on one command line */

struct cmd_ctx;

struct cmd_entry {
	const char *name;               /* "member add" */
	const char *usage;              /* what follows the program's name */
	const char *help;               /* one line of what it does */
	const struct cmd_option *options; /* NULL: none */
	int args_min, args_max;         /* positional arguments */
	const char *too_few;            /* message when fewer than args_min */
	const char *too_many;           /* message when more (default:
					   "unexpected argument 'X'") */
	enum fb_code (*run)(struct cmd_ctx *c);
	/* More for --help after the options (vocabularies), or NULL. */
	enum fb_code (*help_extra)(struct fb_buf *out);
};

/* What one run of a command sees. */
struct cmd_ctx {
	const char *prog;               /* "fieldbook", "fieldbook-hub" */
	const struct cmd_entry *entry;
	const char *db_path;            /* resolved by main() */
	const char *store;              /* --store URI (a program with
					   store_option), or NULL; locate_db
					   may set it from the environment */
	int argc;                       /* positional arguments only */
	char **argv;
	struct {
		const struct cmd_option *opt;
		const char *value;      /* "1" for a flag */
	} given[CMD_GIVEN_MAX];         /* in command-line order */
	size_t ngiven;
	int help;                       /* --help: show cmd_help, run nothing */
	struct fb_error err;
	/* Lines that belong to the error, for stderr after its line (the
	 * records an ambiguous name could mean); cmd_run prints them. */
	struct fb_buf detail;
};

/*
 * The entry argv names: argv[0], or argv[0] and argv[1] for a two-word
 * name.  *words says how many it took.  NULL when none matches.
 */
const struct cmd_entry *cmd_find(const struct cmd_entry *const *table, size_t n,
				 int argc, char **argv, int *words);

/*
 * The verbs of a two-word group ("add, attend, unattend") into out;
 * 0 when `group` is no group's first word.
 */
int cmd_group_verbs(const struct cmd_entry *const *table, size_t n,
		    const char *group, struct fb_buf *out);

/*
 * Check argv (argv[0] is the command's last word) against e, and fill c:
 * options in c->given, positional arguments in c->argc/argv (pointing
 * into argv).  Unknown options, a missing value, a value option given
 * twice and a wrong count of arguments are FB_EUSAGE with a one-line
 * message.  --help sets c->help and checks nothing else.
 */
enum fb_code cmd_parse(struct cmd_ctx *c, const struct cmd_entry *e,
		       int argc, char **argv) __attribute__((warn_unused_result));

/* The value of option `name` (the last one given), or NULL. */
const char *cmd_get(const struct cmd_ctx *c, const char *name);

/* 1 if option `name` was given. */
int cmd_has(const struct cmd_ctx *c, const char *name);

/*
 * The options that set record fields, in the order given, into
 * fv[0 .. return value); at most max.
 */
size_t cmd_fields(const struct cmd_ctx *c, struct field_value *fv, size_t max);

/* A usage error: "<msg> (see 'PROG NAME --help')"; returns FB_EUSAGE. */
enum fb_code cmd_usage(struct cmd_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The edit distance of a and b (bytes; a transposition of two
 * neighbours counts one), at most `limit` + 1: only small ones matter.
 */
size_t cmd_distance(const char *a, const char *b, size_t limit);

/*
 * What a mistyped word most likely meant: the word of words[0..n) (NULL
 * entries skipped) nearest to typed, if near enough to be a typo (one
 * edit in a word of up to four letters, two in a longer one), else
 * NULL.  The first of equals wins.
 */
const char *cmd_nearest(const char *typed, const char *const *words, size_t n);

/* "usage: PROG USAGE", the help line and the options, into out. */
enum fb_code cmd_help(const struct cmd_entry *e, const char *prog,
		      struct fb_buf *out) __attribute__((warn_unused_result));

/*
 * The commands of a table, one a line ("  NAME  HELP"), into out; with
 * group, only its verbs' usage lines.  0 lines added when the group has
 * none.
 */
enum fb_code cmd_list(const struct cmd_entry *const *table, size_t n,
		      const char *prog, const char *group, struct fb_buf *out)
	__attribute__((warn_unused_result));

/* A program: its table and what its global options mean. */
struct cmd_program {
	const char *name;               /* "fieldbook" */
	const char *version;
	const char *synopsis;           /* "[--db PATH] COMMAND [ARGS]" */
	const char *about;              /* a line of what it is for */
	const char *footer;             /* after the list of commands */
	const struct cmd_entry *const *table;
	size_t n;
	/* Set c->db_path from --db (NULL when not given), once a command
	 * is about to run; a usage error when there is none to be had. */
	enum fb_code (*locate_db)(struct cmd_ctx *c, const char *db_opt);
	int store_option;               /* --store URI is a global option too
					   (into c->store) */
};

/*
 * The one dispatcher: global options (--db PATH, --db=PATH, --store URI
 * where the program takes it, --help,
 * --version), then the command argv names, its arguments (cmd_parse),
 * and its function.  `help COMMAND` is `COMMAND --help`.  A command
 * name that is no command's, but near one's, is a usage error that
 * suggests it ("did you mean 'list'?").  What is to be shown instead of running a command
 * (help, version) goes into out, for main() to print; errors go into
 * c->err with their code.  A command that runs prints its own output.
 */
enum fb_code cmd_main(const struct cmd_program *p, int argc, char **argv,
		      struct cmd_ctx *c, struct fb_buf *out) __attribute__((warn_unused_result));

/*
 * All of main(): the umask (owner-only files), cmd_main, then what it
 * left to show on stdout, then the error line and its detail lines on
 * stderr; returns the exit status
 * (docs/EXIT-CODES.md).  The one function of shared/ that writes to
 * the standard streams: it is the end of both programs' main(), kept in
 * one place so that both say and exit alike.
 */
int cmd_run(const struct cmd_program *p, int argc, char **argv);

#endif
