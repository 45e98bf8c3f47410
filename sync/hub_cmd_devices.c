/* hub_cmd_devices.c - fieldbook-hub enroll, devices, revoke. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "hub_cmd.h"
#include "hub_store.h"
#include "text.h"
#include "token.h"

enum fb_code hub_cmd_enroll(struct hub_cli *c)
{
	const char *unit = NULL, *name = NULL;
	const struct hub_opt opts[] = {
		{ "unit", 1, &unit }, { "name", 1, &name }, { NULL, 0, NULL }
	};
	unsigned char hash[TOKEN_HASH_LEN];
	char token[TOKEN_TEXT_LEN + 1];
	struct hub_store *st = NULL;
	long long id = 0;
	int first;
	enum fb_code rc;

	if ((rc = hub_parse(c, opts, &first)) != FB_OK || first < 0)
		return rc;
	if (!unit || !name)
		return hub_usage(c, "--unit and --name are required");
	if (!*name || !text_valid_utf8(name, strlen(name)) || strlen(name) > 120)
		return fb_fail(&c->err, FB_EINVAL, "--name: 1 to 120 bytes of UTF-8");
	if (token_new(token) != FB_OK || token_hash(token, hash) != FB_OK)
		return fb_fail(&c->err, FB_EINTERNAL, "no random bytes for a token");
	if ((rc = hub_open_store(c, &st)) != FB_OK)
		goto out;
	rc = st->ops->enroll(st, unit, name, hash, &id, &c->err);
	if (rc == FB_OK) {
		printf("%s\n", token);
		fprintf(stderr, "device %lld enrolled for %s; the token above is shown only"
			" this once: give it to the laptop (fieldbook remote set URL --token-file F)\n",
			id, unit);
	}
out:
	OPENSSL_cleanse(token, sizeof(token));
	if (st)
		st->ops->close(st);
	return rc;
}

/* One device, as a JSON object in ctx's array or a line of the table. */
static enum fb_code device_row(const struct hub_row *row, void *ctx)
{
	const char *const *col = row->values;
	cJSON *arr = ctx, *o;

	if (!arr) {
		printf("%-4s %-16s %-20s %-20s %-20s %s\n", col[0], col[2],
		       *col[3] ? col[3] : "(not yet synced)", *col[5] ? col[5] : "never",
		       *col[6] ? col[6] : "-", col[1]);
		return FB_OK;
	}
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddItemToArray(arr, o) ||
	    !cJSON_AddNumberToObject(o, "id", strtod(col[0], NULL)) ||
	    !cJSON_AddStringToObject(o, "name", col[1]) ||
	    !cJSON_AddStringToObject(o, "unit", col[2]) ||
	    !cJSON_AddStringToObject(o, "device", col[3]) ||
	    !cJSON_AddStringToObject(o, "created", col[4]) ||
	    !cJSON_AddStringToObject(o, "last_seen", col[5]) ||
	    !cJSON_AddBoolToObject(o, "revoked", *col[6] != '\0'))
		return FB_ENOMEM;
	return FB_OK;
}

enum fb_code hub_cmd_devices(struct hub_cli *c)
{
	const char *json = NULL;
	const struct hub_opt opts[] = { { "json", 0, &json }, { NULL, 0, NULL } };
	struct hub_store *st = NULL;
	cJSON *arr = NULL;
	int first;
	enum fb_code rc;

	if ((rc = hub_parse(c, opts, &first)) != FB_OK || first < 0)
		return rc;
	if ((rc = hub_open_store(c, &st)) != FB_OK)
		return rc;
	if (json && !(arr = cJSON_CreateArray())) {
		rc = fb_fail(&c->err, FB_ENOMEM, "out of memory");
		goto out;
	}
	if (!json)
		printf("%-4s %-16s %-20s %-20s %-20s %s\n", "ID", "UNIT", "DEVICE",
		       "LAST SEEN", "REVOKED", "NAME");
	rc = st->ops->list(st, HUB_LIST_DEVICES, 0, device_row, arr, &c->err);
	if (rc == FB_ENOMEM && !c->err.msg[0])
		fb_fail(&c->err, rc, "out of memory");
	if (rc == FB_OK && arr) {
		char *s = cJSON_Print(arr);

		printf("%s\n", s ? s : "[]");
		cJSON_free(s);
	}
out:
	cJSON_Delete(arr);
	st->ops->close(st);
	return rc;
}

enum fb_code hub_cmd_revoke(struct hub_cli *c)
{
	struct hub_store *st = NULL;
	char *end;
	long long id;
	int first;
	enum fb_code rc;

	if ((rc = hub_parse(c, NULL, &first)) != FB_OK || first < 0)
		return rc;
	if (c->argc - first != 1)
		return hub_usage(c, "give one device id (see 'devices')");
	id = strtoll(c->argv[first], &end, 10);
	if (*end || id <= 0)
		return fb_fail(&c->err, FB_EINVAL, "'%s' is not a device id", c->argv[first]);
	if ((rc = hub_open_store(c, &st)) != FB_OK)
		return rc;
	rc = st->ops->revoke(st, id, &c->err);
	if (rc == FB_OK)
		printf("device %lld revoked; its token is refused from now on\n", id);
	st->ops->close(st);
	return rc;
}

enum fb_code hub_open_store(struct hub_cli *c, struct hub_store **out)
{
	struct stat sb;

	*out = NULL;
	if (stat(c->db_path, &sb) != 0)
		return fb_fail(&c->err, FB_ENOINPUT,
			       "no hub database at %s (run 'fieldbook-hub --db %s init' first)",
			       c->db_path, c->db_path);
	return hub_store_sqlite_admin(c->db_path, out, &c->err);
}
