/* test_cmd.c - the one command parser and dispatcher (shared/cmd.c). */
#include <string.h>

#include "book.h"
#include "cmd.h"
#include "tap.h"

static enum fb_code run_nothing(struct cmd_ctx *c)
{
	(void)c;
	return FB_OK;
}

static const struct cmd_option add_opts[] = {
	{ "name", 0, "NAME", "full_name", "her name" },
	{ "notes", 0, "N", "notes", "free text" },
	{ "json", 0, NULL, NULL, "JSON" },
	{ "output", 'o', "FILE", NULL, "where" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_entry add_entry = {
	.name = "member add", .usage = "member add --name NAME", .help = "add",
	.options = add_opts, .run = run_nothing,
};

static const struct cmd_entry attend_entry = {
	.name = "training attend", .usage = "training attend T M...", .help = "attend",
	.args_min = 2, .args_max = CMD_ARGS_ANY, .too_few = "give a training and members",
	.run = run_nothing,
};

static const struct cmd_entry show_entry = {
	.name = "show", .usage = "show ID", .help = "show", .args_min = 1, .args_max = 1,
	.too_many = "give exactly one record id", .run = run_nothing,
};

static const struct cmd_entry *const table[] = { &add_entry, &attend_entry, &show_entry };
#define NTABLE (sizeof(table) / sizeof(table[0]))

static enum fb_code no_db(struct cmd_ctx *c, const char *db_opt)
{
	c->db_path = db_opt ? db_opt : "x.db";
	return FB_OK;
}

static const struct cmd_program program = {
	.name = "prog", .version = "1", .synopsis = "COMMAND", .about = "about",
	.table = table, .n = NTABLE, .locate_db = no_db,
};

/* cmd_main on the words of line; c->err and out hold what it said. */
static enum fb_code dispatch(struct cmd_ctx *c, struct fb_buf *out, const char *line)
{
	static char copy[512];
	static char *argv[17];
	int argc = 0;
	char *p;

	memset(c, 0, sizeof(*c));
	buf_reset(out);
	strcpy(copy, line);
	for (p = strtok(copy, " "); p && argc < 16; p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	return cmd_main(&program, argc, argv, c, out);
}

static void test_suggest(void)
{
	static const char *const words[] = { "list", "show", "sync", "status", NULL, "member" };
	struct fb_buf out = FB_BUF_INIT(0), want = FB_BUF_INIT(0);
	struct cmd_ctx c;

	is_int((long long)cmd_distance("list", "list", 2), 0, "distance: the same word, 0");
	is_int((long long)cmd_distance("lst", "list", 2), 1, "a letter missing, 1");
	is_int((long long)cmd_distance("lsit", "list", 2), 1, "two letters swapped, 1");
	is_int((long long)cmd_distance("sync", "show", 2), 3, "far apart: limit + 1");
	is_int((long long)cmd_distance("abcdefgh", "a", 2), 3, "lengths too far apart: limit + 1");
	is_str(cmd_nearest("lsit", words, 6), "list", "nearest: lsit is list");
	is_str(cmd_nearest("sycn", words, 6), "sync", "sycn is sync");
	is_str(cmd_nearest("statsu", words, 6), "status", "statsu is status");
	is_str(cmd_nearest("membr", words, 6), "member", "past a NULL");
	ok(cmd_nearest("xyzzy", words, 6) == NULL, "nothing near: NULL");
	ok(cmd_nearest("sh", words, 6) == NULL, "two edits in a short word are too many");
	ok(cmd_nearest("list", words, 6) == NULL, "the word itself is no suggestion");

	is_int(dispatch(&c, &out, "prog shw x"), FB_EUSAGE, "a typo of a command");
	is_str(c.err.msg, "unknown command 'shw'; did you mean 'show'? (see 'prog --help')",
	       "suggests the nearest");
	is_int(dispatch(&c, &out, "prog trainng attend t m"), FB_EUSAGE, "a typo of a group");
	is_str(c.err.msg, "unknown command 'trainng'; did you mean 'training attend'? (see 'prog --help')",
	       "suggests the group with its verb");
	is_int(dispatch(&c, &out, "prog training atend t m"), FB_EUSAGE, "a typo of a verb");
	is_str(c.err.msg, "unknown command 'training atend'; did you mean 'training attend'?"
	       " (see 'prog training --help')", "suggests the verb");
	is_int(dispatch(&c, &out, "prog training nothing"), FB_EUSAGE, "a verb far from any");
	is_str(c.err.msg, "'training' needs one of: attend (see 'prog training --help')",
	       "lists the verbs");
	is_int(dispatch(&c, &out, "prog member add --nmae X"), FB_EUSAGE, "a typo of an option");
	is_str(c.err.msg, "unknown option '--nmae'; did you mean '--name'? (see 'prog member add --help')",
	       "suggests the option");

	is_int(dispatch(&c, &out, "prog help show"), FB_OK, "help COMMAND");
	ok(c.help && cmd_help(&show_entry, "prog", &want) == FB_OK &&
	   !strcmp(buf_str(&out), buf_str(&want)), "shows the command's help, as --help does");
	buf_reset(&want);
	is_int(dispatch(&c, &out, "prog help training attend"), FB_OK, "help of a two-word command");
	ok(cmd_help(&attend_entry, "prog", &want) == FB_OK && !strcmp(buf_str(&out), buf_str(&want)),
	   "its help");
	is_int(dispatch(&c, &out, "prog help training"), FB_OK, "help of a group");
	is_str(buf_str(&out), "usage:\n  prog training attend T M...\n", "the group's usage lines");
	is_int(dispatch(&c, &out, "prog help"), FB_OK, "help alone");
	ok(c.help && strstr(buf_str(&out), "Commands:"), "the program's help");
	is_int(dispatch(&c, &out, "prog help shw"), FB_EUSAGE, "help of a typo");
	is_str(c.err.msg, "unknown command 'shw'; did you mean 'show'? (see 'prog --help')",
	       "suggests, as the command itself would");
	is_int(dispatch(&c, &out, "prog help show x"), FB_EUSAGE, "help with a word too many");
	buf_release(&out);
	buf_release(&want);
}

/* Parse the words of line (split on spaces, at most 16) against e. */
static enum fb_code parse(struct cmd_ctx *c, const struct cmd_entry *e, const char *line)
{
	static char copy[512];
	static char *argv[17];
	int argc = 0;
	char *p;

	memset(c, 0, sizeof(*c));
	c->prog = "prog";
	strcpy(copy, line);
	for (p = strtok(copy, " "); p && argc < 16; p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	return cmd_parse(c, e, argc, argv);
}

int main(void)
{
	struct field_value fv[4];
	struct fb_buf b = FB_BUF_INIT(0);
	struct cmd_ctx c;
	char *words[] = { "training", "attend", "x" }, *one[] = { "show" }, *grp[] = { "training" };
	int w = 0;

	ok(cmd_find(table, NTABLE, 3, words, &w) == &attend_entry && w == 2,
	   "two-word names are found, taking two words");
	ok(cmd_find(table, NTABLE, 1, one, &w) == &show_entry && w == 1, "one-word names too");
	ok(cmd_find(table, NTABLE, 1, grp, &w) == NULL, "a group's first word alone is no command");
	ok(cmd_group_verbs(table, NTABLE, "training", &b) && !strcmp(buf_str(&b), "attend"),
	   "the verbs of a group");
	buf_reset(&b);

	is_int(parse(&c, &add_entry, "add --name An --notes=x --json -o f"), FB_OK,
	       "long options with a value after a space or '=', flags, short options");
	is_str(cmd_get(&c, "name"), "An", "the value of --name");
	is_str(cmd_get(&c, "notes"), "x", "the value of --notes=x");
	ok(cmd_has(&c, "json") && !cmd_has(&c, "nope"), "a flag given, one not");
	is_str(cmd_get(&c, "output"), "f", "-o f");
	is_int((int)cmd_fields(&c, fv, 4), 2, "two options set fields");
	ok(!strcmp(fv[0].name, "full_name") && !strcmp(fv[1].name, "notes"),
	   "fields in the order given");
	is_int(parse(&c, &add_entry, "add -ofile"), FB_OK, "-oVALUE");
	is_str(cmd_get(&c, "output"), "file", "-oVALUE's value");

	is_int(parse(&c, &add_entry, "add --frob"), FB_EUSAGE, "an unknown option");
	is_str(c.err.msg, "unknown option '--frob' (see 'prog member add --help')",
	       "says which, and where to look");
	is_int(parse(&c, &add_entry, "add --frob=1"), FB_EUSAGE, "an unknown option with a value");
	is_str(c.err.msg, "unknown option '--frob' (see 'prog member add --help')",
	       "named without its value");
	is_int(parse(&c, &add_entry, "add --nam An"), FB_EUSAGE, "no prefix matching");
	is_int(parse(&c, &add_entry, "add --name"), FB_EUSAGE, "a value option at the end");
	is_str(c.err.msg, "option '--name' needs a value (see 'prog member add --help')",
	       "needs a value");
	is_int(parse(&c, &add_entry, "add --name A --name B"), FB_EUSAGE, "a value option twice");
	is_str(c.err.msg, "--name given twice (see 'prog member add --help')", "given twice");
	is_int(parse(&c, &add_entry, "add --json=yes"), FB_EUSAGE, "a flag with a value");
	is_int(parse(&c, &add_entry, "add extra"), FB_EUSAGE, "an argument where none is taken");
	is_str(c.err.msg, "unexpected argument 'extra' (see 'prog member add --help')",
	       "unexpected argument");
	is_int(parse(&c, &add_entry, "add -- --name"), FB_EUSAGE,
	       "after --, an option word is an argument");
	is_int(parse(&c, &add_entry, "add --frob --help"), FB_OK, "--help wins over errors");
	ok(c.help, "and asks for help");

	is_int(parse(&c, &attend_entry, "attend t"), FB_EUSAGE, "too few arguments");
	is_str(c.err.msg, "give a training and members (see 'prog training attend --help')",
	       "the entry's own message");
	is_int(parse(&c, &attend_entry, "attend t m1 m2 m3"), FB_OK, "no upper bound");
	ok(c.argc == 4 && !strcmp(c.argv[0], "t") && !strcmp(c.argv[3], "m3"),
	   "the arguments, in order, from argv[0]");
	is_int(parse(&c, &show_entry, "show a b"), FB_EUSAGE, "too many arguments");
	is_str(c.err.msg, "give exactly one record id (see 'prog show --help')", "too_many");

	is_int(cmd_help(&add_entry, "prog", &b), FB_OK, "help is built");
	ok(strstr(buf_str(&b), "usage: prog member add --name NAME\n") &&
	   strstr(buf_str(&b), "    --name NAME") && strstr(buf_str(&b), "-o, --output FILE"),
	   "help holds the usage and every option, from the entry");
	buf_reset(&b);
	is_int(cmd_list(table, NTABLE, "prog", "training", &b), FB_OK, "a group's usage lines");
	is_str(buf_str(&b), "  prog training attend T M...\n", "only the group's");
	buf_release(&b);
	test_suggest();
	return tap_done();
}
