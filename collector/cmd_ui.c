/*
 * cmd_ui.c - fieldbook ui [--port N] [--no-open] [--port-file F]: the
 * local page (ui.h), for branch heads who do not use the command line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "ui.h"

#define UI_PORT_MAX 65535

static enum fb_code ui(struct cmd_ctx *c)
{
	struct ui_config cfg = { 0, cmd_get(c, "port-file"), !cmd_has(c, "no-open") };
	const char *port = cmd_get(c, "port");
	struct book *b = NULL;
	enum fb_code rc;

	if (port) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(port, &end, 10);
		if (errno || end == port || *end || *port == '-' || *port == '+' ||
		    v > UI_PORT_MAX)
			return cmd_usage(c, _("--port takes a port number, 0 to %d (0: a free one),"
					      " not '%s'"), UI_PORT_MAX, port);
		cfg.port = (unsigned)v;
	}
	/* The book must open now, not at the page's first request. */
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	book_close(b);
	return ui_serve(c, &cfg);
}

static const struct cmd_option ui_opts[] = {
	{ "port", 0, "N", NULL, N_("the port on 127.0.0.1 (default 0: a free one)") },
	{ "no-open", 0, NULL, NULL, N_("do not open the page in the browser") },
	{ "port-file", 0, "FILE", NULL, N_("write the port to FILE (for scripts and tests)") },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_ui_entry = {
	.name = "ui",
	.usage = "ui [--port N] [--no-open] [--port-file FILE]",
	.help = N_("record and review in the browser: a page on this computer only"),
	.options = ui_opts,
	.run = ui,
};
