/* hub_cmd_devices.c - fieldbook-hub enroll, devices, revoke. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "hub_cmd.h"
#include "hub_store.h"
#include "text.h"
#include "token.h"

static enum fb_code enroll(struct cmd_ctx *c)
{
	const char *unit = cmd_get(c, "unit"), *name = cmd_get(c, "name");
	int hub = cmd_has(c, "hub");
	unsigned char hash[TOKEN_HASH_LEN];
	char token[TOKEN_TEXT_LEN + 1];
	struct hub_store *st = NULL;
	long long id = 0;
	enum fb_code rc = FB_OK;

	if (!unit || !name)
		return cmd_usage(c, "--unit and --name are required");
	if (!*name || !text_valid_utf8(name, strlen(name)) || strlen(name) > 120)
		return fb_fail(&c->err, FB_EINVAL, "--name: 1 to 120 bytes of UTF-8");
	if (token_new(token) != FB_OK || token_hash(token, hash) != FB_OK)
		return fb_fail(&c->err, FB_EINTERNAL, "no random bytes for a token");
	if ((rc = hub_open_store(c, &st)) != FB_OK)
		goto out;
	rc = st->ops->enroll(st, unit, name, hash, &id, &c->err);
	if (rc == FB_OK && hub)
		rc = st->ops->make_hub(st, id, &c->err);
	if (rc == FB_OK) {
		printf("%s\n", token);
		if (hub)
			fprintf(stderr, "hub %lld enrolled for %s and all below it; the token"
				" above is shown only this once: give it to that hub"
				" (fieldbook-hub upstream set URL --token-file F)\n", id, unit);
		else
			fprintf(stderr, "device %lld enrolled for %s; the token above is shown"
				" only this once: give it to the laptop (fieldbook remote set URL"
				" --token-file F)\n", id, unit);
	}
out:
	OPENSSL_cleanse(token, sizeof(token));
	if (st)
		st->ops->close(st);
	return rc;
}

/* A device's state in the table. */
static const char *device_state(const char *const *col)
{
	if (*col[6])
		return _("revoked");
	return !strcmp(col[10], "1") ? _("hub") : _("active");
}

/* One device, as a JSON object in ctx's array or a line of the table. */
static enum fb_code device_row(const struct hub_row *row, void *ctx)
{
	const char *const *col = row->values;
	cJSON *arr = ctx, *o;

	if (!arr) {
		char push[FB_WHEN_MAX], pull[FB_WHEN_MAX];

		hub_when(col[7], push);
		hub_when(col[8], pull);
		printf("%-4s %-16s %-16s %-16s %-16s %-7s %s\n", col[0], col[2],
		       *col[3] ? col[3] : _("(not yet synced)"), *push ? push : _("never"),
		       *pull ? pull : _("never"), device_state(col), col[1]);
		return FB_OK;
	}
	/* JSON keeps the hub's UTC moments as they are held. */
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddItemToArray(arr, o) ||
	    !cJSON_AddNumberToObject(o, "id", strtod(col[0], NULL)) ||
	    !cJSON_AddStringToObject(o, "name", col[1]) ||
	    !cJSON_AddStringToObject(o, "unit", col[2]) ||
	    !cJSON_AddStringToObject(o, "unit_name", col[9]) ||
	    !cJSON_AddStringToObject(o, "device", col[3]) ||
	    !cJSON_AddStringToObject(o, "created", col[4]) ||
	    !cJSON_AddStringToObject(o, "last_seen", col[5]) ||
	    !cJSON_AddStringToObject(o, "last_push", col[7]) ||
	    !cJSON_AddStringToObject(o, "last_pull", col[8]) ||
	    !cJSON_AddBoolToObject(o, "hub", !strcmp(col[10], "1")) ||
	    !cJSON_AddBoolToObject(o, "revoked", *col[6] != '\0') ||
	    !cJSON_AddStringToObject(o, "revoked_at", col[6]))
		return FB_ENOMEM;
	return FB_OK;
}

static enum fb_code devices(struct cmd_ctx *c)
{
	const char *json = cmd_get(c, "json");
	struct hub_store *st = NULL;
	cJSON *arr = NULL;
	enum fb_code rc = FB_OK;

	if ((rc = hub_open_store(c, &st)) != FB_OK)
		return rc;
	if (json && !(arr = cJSON_CreateArray())) {
		rc = fb_fail(&c->err, FB_ENOMEM, "out of memory");
		goto out;
	}
	if (!json)
		printf("%-4s %-16s %-16s %-16s %-16s %-7s %s\n", _("ID"), _("UNIT"), _("DEVICE"),
		       _("LAST PUSH"), _("LAST PULL"), _("STATE"), _("NAME"));
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

static enum fb_code revoke(struct cmd_ctx *c)
{
	struct hub_store *st = NULL;
	char *end;
	long long id;
	enum fb_code rc = FB_OK;

	id = strtoll(c->argv[0], &end, 10);
	if (*end || id <= 0)
		return fb_fail(&c->err, FB_EINVAL, "'%s' is not a device id", c->argv[0]);
	if ((rc = hub_open_store(c, &st)) != FB_OK)
		return rc;
	rc = st->ops->revoke(st, id, &c->err);
	if (rc == FB_OK)
		printf("device %lld revoked; its token is refused from now on\n", id);
	st->ops->close(st);
	return rc;
}

static const struct cmd_option enroll_opts[] = {
	{ "unit", 0, "CODE", NULL, "the unit it may record for, and all below it (required)" },
	{ "name", 0, "NAME", NULL, "who has the laptop, or where it is (required)" },
	{ "hub", 0, NULL, NULL, "a hub of that unit, which relays its laptops' changes up" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_enroll_entry = {
	.name = "enroll",
	.usage = "--db PATH enroll --unit CODE --name NAME [--hub]",
	.help = "enroll a laptop, or a hub below this one; prints its token once",
	.options = enroll_opts,
	.run = enroll,
};

static const struct cmd_option devices_opts[] = {
	{ "json", 0, NULL, NULL, "print JSON instead of a table" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_devices_entry = {
	.name = "devices",
	.usage = "--db PATH devices [--json]",
	.help = "list enrolled devices: the unit each writes, its last push and pull (local"
		" time), revoked or not",
	.options = devices_opts,
	.run = devices,
};

const struct cmd_entry hub_revoke_entry = {
	.name = "revoke",
	.usage = "--db PATH revoke DEVICE_ID",
	.help = "revoke a device's token, at once",
	.args_min = 1,
	.args_max = 1,
	.too_few = "give one device id (see 'devices')",
	.too_many = "give one device id (see 'devices')",
	.run = revoke,
};
