/*
 * remote.h - `fieldbook remote set` and `fieldbook-hub upstream set`:
 * the hub a book syncs with, given as a URL, a token (from a file only
 * its owner may read, or standard input; never the command line) and
 * an optional CA file.  One option table and one reading for both.
 */
#ifndef FB_REMOTE_H
#define FB_REMOTE_H

#include "book.h"
#include "cmd.h"
#include "sync_local.h"

/* --token-file FILE, --token -, --cacert FILE. */
extern const struct cmd_option remote_options[];

/*
 * Read c's URL (its first argument), token and CA file, then store them
 * at the end that open() gives (sync_set_remote), which is closed after.  The token is wiped
 * from memory before it returns.  Usage errors as cmd_usage() words them.
 */
enum fb_code remote_set_from(struct cmd_ctx *c,
			     enum fb_code (*open)(struct cmd_ctx *c, struct sync_local *out),
			     struct fb_error *err)
	FB_MUST_CHECK;

#endif
