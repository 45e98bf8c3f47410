/* hub_cmd.h - the commands of fieldbook-hub, one function each. */
#ifndef FB_HUB_CMD_H
#define FB_HUB_CMD_H

#include "book.h"
#include "error.h"

struct hub_cli {
	const char *db_path;
	int argc;               /* argv[0] is the command word */
	char **argv;
	const char *name;
	const char *usage;
	struct fb_error err;
};

/* Long options of a hub command: name and whether it takes a value. */
struct hub_opt {
	const char *name;
	int has_arg;
	const char **value;     /* where the value (or "1") goes */
};

/*
 * Parse options into their variables; positional arguments are left in
 * argv[*first..argc).  --help prints the usage and sets *first = -1.
 */
enum fb_code hub_parse(struct hub_cli *c, const struct hub_opt *opts, int *first);
enum fb_code hub_usage(struct hub_cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Open the hub database (created by init). */
enum fb_code hub_open(struct hub_cli *c, struct book **out);

/* Open the hub's store (created by init) for a command; close it with
 * store->ops->close. */
struct hub_store;
enum fb_code hub_open_store(struct hub_cli *c, struct hub_store **out);

enum fb_code hub_cmd_init(struct hub_cli *c);
enum fb_code hub_cmd_unit_add(struct hub_cli *c);
enum fb_code hub_cmd_unit_import(struct hub_cli *c);
enum fb_code hub_cmd_enroll(struct hub_cli *c);
enum fb_code hub_cmd_devices(struct hub_cli *c);
enum fb_code hub_cmd_revoke(struct hub_cli *c);
enum fb_code hub_cmd_serve(struct hub_cli *c);
enum fb_code hub_cmd_report(struct hub_cli *c);
enum fb_code hub_cmd_conflicts(struct hub_cli *c);
enum fb_code hub_cmd_rejected(struct hub_cli *c);
enum fb_code hub_cmd_verify(struct hub_cli *c);

#endif
