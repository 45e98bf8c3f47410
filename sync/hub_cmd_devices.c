/* hub_cmd_devices.c - fieldbook-hub enroll, devices, revoke. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "hub_cmd.h"
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
	struct book *b = NULL;
	sqlite3_stmt *q = NULL;
	int first, r;
	enum fb_code rc;

	if ((rc = hub_parse(c, opts, &first)) != FB_OK || first < 0)
		return rc;
	if (!unit || !name)
		return hub_usage(c, "--unit and --name are required");
	if (!*name || !text_valid_utf8(name, strlen(name)) || strlen(name) > 120)
		return fb_fail(&c->err, FB_EINVAL, "--name: 1 to 120 bytes of UTF-8");
	if (token_new(token) != FB_OK || token_hash(token, hash) != FB_OK)
		return fb_fail(&c->err, FB_EINTERNAL, "no random bytes for a token");
	if ((rc = hub_open(c, &b)) != FB_OK)
		return rc;
	rc = store_prepare(b->st, "INSERT INTO device(name, unit, token_hash, created)"
			   " SELECT ?1, code, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
			   " FROM unit WHERE code = ?2", &q, &c->err);
	if (rc != FB_OK)
		goto out;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, unit, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 3, hash, sizeof(hash), SQLITE_STATIC);
	r = sqlite3_step(q);
	if (r != SQLITE_DONE)
		rc = store_fail(b->st, r, "enrolling", &c->err);
	else if (sqlite3_changes(b->st->db) == 0)
		rc = fb_fail(&c->err, FB_ENOENT, "no unit %s (add it with 'unit add')", unit);
	if (rc == FB_OK) {
		printf("%s\n", token);
		fprintf(stderr, "device %lld enrolled for %s; the token above is shown only"
			" this once: give it to the laptop (fieldbook remote set URL --token-file F)\n",
			(long long)sqlite3_last_insert_rowid(b->st->db), unit);
	}
out:
	OPENSSL_cleanse(token, sizeof(token));
	sqlite3_finalize(q);
	book_close(b);
	return rc;
}

enum fb_code hub_cmd_devices(struct hub_cli *c)
{
	const char *json = NULL;
	const struct hub_opt opts[] = { { "json", 0, &json }, { NULL, 0, NULL } };
	struct book *b = NULL;
	sqlite3_stmt *q = NULL;
	cJSON *arr = NULL;
	int first, r;
	enum fb_code rc;

	if ((rc = hub_parse(c, opts, &first)) != FB_OK || first < 0)
		return rc;
	if ((rc = hub_open(c, &b)) != FB_OK)
		return rc;
	rc = store_prepare(b->st, "SELECT id, name, unit, coalesce(device, ''), created,"
			   " coalesce(last_seen, ''), coalesce(revoked, '') FROM device ORDER BY id",
			   &q, &c->err);
	if (rc != FB_OK)
		goto out;
	if (json)
		arr = cJSON_CreateArray();
	else
		printf("%-4s %-16s %-20s %-20s %-20s %s\n", "ID", "UNIT", "DEVICE",
		       "LAST SEEN", "REVOKED", "NAME");
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		const char *col[7];
		int i;

		for (i = 0; i < 7; i++)
			col[i] = (const char *)sqlite3_column_text(q, i);
		if (arr) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddItemToArray(arr, o);
			cJSON_AddNumberToObject(o, "id", sqlite3_column_int64(q, 0));
			cJSON_AddStringToObject(o, "name", col[1]);
			cJSON_AddStringToObject(o, "unit", col[2]);
			cJSON_AddStringToObject(o, "device", col[3]);
			cJSON_AddStringToObject(o, "created", col[4]);
			cJSON_AddStringToObject(o, "last_seen", col[5]);
			cJSON_AddBoolToObject(o, "revoked", *col[6] != '\0');
		} else {
			printf("%-4s %-16s %-20s %-20s %-20s %s\n", col[0], col[2],
			       *col[3] ? col[3] : "(not yet synced)", *col[5] ? col[5] : "never",
			       *col[6] ? col[6] : "-", col[1]);
		}
	}
	if (r != SQLITE_DONE)
		rc = store_fail(b->st, r, "listing devices", &c->err);
	if (rc == FB_OK && arr) {
		char *s = cJSON_Print(arr);

		printf("%s\n", s ? s : "[]");
		cJSON_free(s);
	}
out:
	cJSON_Delete(arr);
	sqlite3_finalize(q);
	book_close(b);
	return rc;
}

enum fb_code hub_cmd_revoke(struct hub_cli *c)
{
	struct book *b = NULL;
	sqlite3_stmt *q = NULL;
	char *end;
	long long id;
	int first, r;
	enum fb_code rc;

	if ((rc = hub_parse(c, NULL, &first)) != FB_OK || first < 0)
		return rc;
	if (c->argc - first != 1)
		return hub_usage(c, "give one device id (see 'devices')");
	id = strtoll(c->argv[first], &end, 10);
	if (*end || id <= 0)
		return fb_fail(&c->err, FB_EINVAL, "'%s' is not a device id", c->argv[first]);
	if ((rc = hub_open(c, &b)) != FB_OK)
		return rc;
	rc = store_prepare(b->st, "UPDATE device SET revoked = coalesce(revoked,"
			   " strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) WHERE id = ?1", &q, &c->err);
	if (rc == FB_OK) {
		sqlite3_bind_int64(q, 1, id);
		r = sqlite3_step(q);
		if (r != SQLITE_DONE)
			rc = store_fail(b->st, r, "revoking", &c->err);
		else if (sqlite3_changes(b->st->db) == 0)
			rc = fb_fail(&c->err, FB_ENOENT, "no device %lld", id);
		else
			printf("device %lld revoked; its token is refused from now on\n", id);
	}
	sqlite3_finalize(q);
	book_close(b);
	return rc;
}
