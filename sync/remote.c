/* remote.c - setting the hub a book syncs with, from a command's options. */
#include <limits.h>
#include <linux/limits.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "client.h"
#include "i18n.h"
#include "remote.h"
#include "token.h"

const struct cmd_option remote_options[] = {
	{ "token-file", 0, "FILE", NULL, N_("read the token from FILE (only its owner may read it)") },
	{ "token", 0, "-", NULL, N_("read the token from standard input") },
	{ "cacert", 0, "FILE", NULL, N_("the CA certificate of a hub with a private one") },
	{ NULL, 0, NULL, NULL, NULL }
};

enum fb_code remote_set_from(struct cmd_ctx *c,
			     enum fb_code (*open)(struct cmd_ctx *c, struct sync_local *out),
			     struct fb_error *err)
{
	char token[TOKEN_TEXT_MAX + 1], cacert[PATH_MAX];
	const char *file = cmd_get(c, "token-file"), *ca = cmd_get(c, "cacert");
	const char *given = cmd_get(c, "token");
	struct sync_local l = { 0 };
	enum fb_code rc;

	if (given) {
		if (strcmp(given, "-"))
			return cmd_usage(c, _("a token is never given on the command line:"
					   " use --token - (standard input) or --token-file FILE"));
		file = "-";
	}
	if (!file)
		return cmd_usage(c, _("give --token-file FILE or --token -"));
	if (ca && !realpath(ca, cacert))
		return fb_fail(err, FB_ENOINPUT, _("cannot find CA file %s"), ca);
	if ((rc = token_read(file, token, err)) != FB_OK)
		return rc;
	if ((rc = open(c, &l)) == FB_OK)
		rc = sync_set_remote(&l, c->argv[0], token, ca ? cacert : NULL, err);
	OPENSSL_cleanse(token, sizeof(token));
	sync_local_close(&l);
	return rc;
}
