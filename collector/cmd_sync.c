/*
 * cmd_sync.c - fieldbook remote set, fieldbook sync.
 *
 * remote set stores the hub's URL, the token (read from a file that only
 * its owner may read, or from standard input with --token -; never from
 * the command line or the URL) and an optional CA file for a hub with a
 * private certificate.
 */
#include <limits.h>
#include <linux/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "client.h"
#include "commands.h"
#include "token.h"

enum fb_code cmd_remote_set(struct cli *c)
{
	static const struct opt_field opts[] = {
		{ "token-file", "token_file" }, { "token", "token" },
		{ "cacert", "cacert" }, { NULL, NULL }
	};
	struct field_value fv[4];
	char token[TOKEN_TEXT_MAX + 1], cacert[PATH_MAX];
	const char *file = NULL, *ca = NULL;
	struct book *b = NULL;
	size_t n, i;
	int first;
	enum fb_code rc;

	rc = cli_parse_opts(c, opts, fv, &n, NULL, NULL, &first);
	if (rc != FB_OK || first < 0)
		return rc;
	if (c->argc - first != 1)
		return cli_usage(c, "give the hub's URL");
	for (i = 0; i < n; i++) {
		if (!strcmp(fv[i].name, "token")) {
			if (strcmp(fv[i].value, "-"))
				return cli_usage(c, "a token is never given on the command line:"
						 " use --token - (standard input) or --token-file FILE");
			file = "-";
		} else if (!strcmp(fv[i].name, "token_file")) {
			file = fv[i].value;
		} else {
			ca = fv[i].value;
		}
	}
	if (!file)
		return cli_usage(c, "give --token-file FILE or --token -");
	if (ca && !realpath(ca, cacert))
		return fb_fail(&c->err, FB_ENOINPUT, "cannot find CA file %s", ca);
	if ((rc = token_read(file, token, &c->err)) != FB_OK)
		return rc;
	if ((rc = cli_open(c, &b)) == FB_OK)
		rc = sync_set_remote(b, c->argv[first], token, ca ? cacert : NULL, &c->err);
	OPENSSL_cleanse(token, sizeof(token));
	if (rc == FB_OK)
		printf("hub set: %s\n", c->argv[first]);
	book_close(b);
	return rc;
}

enum fb_code cmd_sync(struct cli *c)
{
	struct sync_stats st;
	struct book *b = NULL;
	int k, push_only = 0, pull_only = 0, what;
	enum fb_code rc;

	/* Two flags and nothing else: no option table needed. */
	for (k = 1; k < c->argc; k++) {
		if (!strcmp(c->argv[k], "--push-only")) {
			push_only = 1;
		} else if (!strcmp(c->argv[k], "--pull-only")) {
			pull_only = 1;
		} else if (!strcmp(c->argv[k], "--help")) {
			printf("usage: %s\n", c->usage);
			return FB_OK;
		} else {
			return cli_usage(c, "unknown argument '%s'", c->argv[k]);
		}
	}
	if (push_only && pull_only)
		return cli_usage(c, "--push-only and --pull-only exclude each other");
	what = push_only ? SYNC_PUSH : pull_only ? SYNC_PULL : SYNC_PUSH | SYNC_PULL;
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	rc = sync_run(b, what, &st, &c->err);
	if (rc == FB_OK) {
		printf("synced: %zu changes sent, %zu received", st.pushed, st.pulled);
		if (st.rejected)
			printf(", %zu set aside by the hub (see 'fieldbook status')", st.rejected);
		printf("; %zu requests, %zu bytes sent, %zu received\n", st.requests,
		       st.bytes_sent, st.bytes_received);
	}
	book_close(b);
	return rc;
}
