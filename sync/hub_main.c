/*
 * hub_main.c - the `fieldbook-hub` program: global options, the table
 * of commands, option parsing, and the one place that prints errors and
 * picks the exit status.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hub_cmd.h"
#include "hub_store.h"

#define HUB_VERSION "0.1.0"
#define HUB_OPTS_MAX 16

static const struct {
	const char *name;
	enum fb_code (*run)(struct hub_cli *c);
	const char *usage;
	const char *help;
} commands[] = {
	{ "init", hub_cmd_init, "fieldbook-hub --db PATH init --unit CODE --name NAME --level LEVEL",
	  "create the hub's database for its top unit" },
	{ "unit add", hub_cmd_unit_add,
	  "fieldbook-hub --db PATH unit add CODE --parent CODE --level LEVEL --name NAME",
	  "add an organisation unit" },
	{ "unit import", hub_cmd_unit_import, "fieldbook-hub --db PATH unit import FILE.csv",
	  "add units from CSV (code,parent,level,name), all or nothing" },
	{ "enroll", hub_cmd_enroll, "fieldbook-hub --db PATH enroll --unit CODE --name NAME",
	  "enroll a laptop; prints its token once" },
	{ "devices", hub_cmd_devices, "fieldbook-hub --db PATH devices [--json]",
	  "list enrolled devices" },
	{ "revoke", hub_cmd_revoke, "fieldbook-hub --db PATH revoke DEVICE_ID",
	  "revoke a device's token, at once" },
	{ "serve", hub_cmd_serve,
	  "fieldbook-hub --db PATH serve --listen ADDR:PORT [--tls-cert F --tls-key F] [--port-file F]",
	  "serve /v1/push, /v1/pull and /v1/health" },
	{ "report", hub_cmd_report,
	  "fieldbook-hub --db PATH report [--unit CODE] [--by LEVEL] [--year Y] [--format table|csv|json]",
	  "coverage and activity rolled up by unit" },
	{ "conflicts", hub_cmd_conflicts, "fieldbook-hub --db PATH conflicts [--json] [--all]",
	  "values that lost to concurrent edits" },
	{ "rejected", hub_cmd_rejected, "fieldbook-hub --db PATH rejected [--json]",
	  "entries refused as invalid and kept aside" },
	{ "verify", hub_cmd_verify, "fieldbook-hub --db PATH verify",
	  "check the database and every device's hash chain, whole" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

enum fb_code hub_usage(struct hub_cli *c, const char *fmt, ...)
{
	char msg[FB_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fb_fail(&c->err, FB_EUSAGE, "%s (see 'fieldbook-hub %s --help')", msg,
		       c->name);
}

enum fb_code hub_parse(struct hub_cli *c, const struct hub_opt *opts, int *first)
{
	struct option lo[HUB_OPTS_MAX + 2];
	int n = 0, ch;

	memset(lo, 0, sizeof(lo));
	for (; opts && opts[n].name && n < HUB_OPTS_MAX; n++) {
		lo[n].name = opts[n].name;
		lo[n].has_arg = opts[n].has_arg ? required_argument : no_argument;
		lo[n].val = 1000 + n;
	}
	lo[n].name = "help";
	lo[n].val = 'h';
	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(c->argc, c->argv, ":", lo, NULL)) != -1) {
		if (ch == 'h') {
			printf("usage: %s\n", c->usage);
			*first = -1;
			return FB_OK;
		}
		if (ch == '?')
			return hub_usage(c, "unknown option '%s'", c->argv[optind - 1]);
		if (ch == ':')
			return hub_usage(c, "option '%s' needs a value", c->argv[optind - 1]);
		*opts[ch - 1000].value = opts[ch - 1000].has_arg ? optarg : "1";
	}
	*first = optind;
	return FB_OK;
}

enum fb_code hub_open(struct hub_cli *c, struct book **out)
{
	struct stat st;

	if (stat(c->db_path, &st) != 0)
		return fb_fail(&c->err, FB_ENOINPUT,
			       "no hub database at %s (run 'fieldbook-hub --db %s init' first)",
			       c->db_path, c->db_path);
	return book_open(c->db_path, hub_schema, out, &c->err);
}

static void help(FILE *f)
{
	size_t i;

	fprintf(f, "usage: fieldbook-hub --db PATH COMMAND [ARGS]\n\n"
		   "The hub that Fieldbook laptops sync with.\n\nCommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nThe database is --db PATH or $FIELDBOOK_HUB_DB.\n");
}

int main(int argc, char **argv)
{
	const char *db = getenv("FIELDBOOK_HUB_DB");
	struct hub_cli c;
	enum fb_code rc;
	size_t k;
	int i;

	umask(077);
	memset(&c, 0, sizeof(c));
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			help(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("fieldbook-hub %s\n", HUB_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db = argv[++i];
		} else if (!strncmp(argv[i], "--db=", 5)) {
			db = argv[i] + 5;
		} else {
			fprintf(stderr, "fieldbook-hub: unknown option '%s' (see 'fieldbook-hub --help')\n",
				argv[i]);
			return fb_exit_status(FB_EUSAGE);
		}
	}
	if (i >= argc) {
		help(stderr);
		return fb_exit_status(FB_EUSAGE);
	}
	for (k = 0; k < NCOMMANDS; k++) {
		const char *name = commands[k].name, *sp = strchr(name, ' ');

		if (!sp && !strcmp(argv[i], name))
			break;
		if (sp && i + 1 < argc && !strncmp(argv[i], name, (size_t)(sp - name)) &&
		    strlen(argv[i]) == (size_t)(sp - name) && !strcmp(argv[i + 1], sp + 1)) {
			i++;
			break;
		}
	}
	if (k == NCOMMANDS) {
		fprintf(stderr, "fieldbook-hub: unknown command '%s' (see 'fieldbook-hub --help')\n",
			argv[i]);
		return fb_exit_status(FB_EUSAGE);
	}
	if (!db || !*db) {
		fprintf(stderr, "fieldbook-hub: give the database with --db PATH\n");
		return fb_exit_status(FB_EUSAGE);
	}
	c.db_path = db;
	c.name = commands[k].name;
	c.usage = commands[k].usage;
	c.argc = argc - i;
	c.argv = argv + i;
	rc = commands[k].run(&c);
	if (rc != FB_OK) {
		fprintf(stderr, "fieldbook-hub: %s\n", c.err.msg[0] ? c.err.msg : fb_strerror(rc));
		return fb_exit_status(rc);
	}
	return fflush(stdout) == 0 ? 0 : fb_exit_status(FB_EIO);
}
