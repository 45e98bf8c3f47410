/* journal.c - journal changes, their body text and their hash chain. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "buf.h"
#include "i18n.h"
#include "journal.h"

void jchange_init(struct jchange *c)
{
	memset(c, 0, sizeof(*c));
}

void jchange_release(struct jchange *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->e[i].field);
		free(c->e[i].value);
	}
	free(c->e);
	c->e = NULL;
	c->n = 0;
	c->cap = 0;
}

enum fb_code jchange_add(struct jchange *c, const char *field,
			 const char *value, const struct fb_stamp *base)
{
	struct jentry *e;

	if (c->n >= FB_EDIT_FIELDS_MAX)
		return FB_ETOOBIG;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4;
		struct jentry *grown;

		if (cap > FB_EDIT_FIELDS_MAX)
			cap = FB_EDIT_FIELDS_MAX;
		grown = realloc(c->e, cap * sizeof(*grown));
		if (!grown)
			return FB_ENOMEM;
		c->e = grown;
		c->cap = cap;
	}
	e = &c->e[c->n];
	e->field = strdup(field);
	e->value = strdup(value);
	if (!e->field || !e->value) {
		free(e->field);
		free(e->value);
		return FB_ENOMEM;
	}
	if (base)
		e->base = *base;
	else
		memset(&e->base, 0, sizeof(e->base));
	c->n++;
	return FB_OK;
}

static void put_u64(EVP_MD_CTX *md, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(v & 0xFF);
		v >>= 8;
	}
	EVP_DigestUpdate(md, b, sizeof(b));
}

static void put_str(EVP_MD_CTX *md, const char *s)
{
	size_t n = strlen(s);

	put_u64(md, n);
	EVP_DigestUpdate(md, s, n);
}

/*
 * SHA-256, looked up once: EVP_sha256() makes OpenSSL 3 search its
 * providers at every EVP_DigestInit_ex (3% of a hub's push time).
 */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
}

static const EVP_MD *sha256(void)
{
	pthread_once(&sha256_once, sha256_fetch);
	return sha256_md ? sha256_md : EVP_sha256();
}

enum fb_code journal_hash(const unsigned char prev[JOURNAL_HASH_LEN],
			  struct jchange *c)
{
	const struct type_def *t = model_type(c->type);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char h[JOURNAL_HASH_LEN];
	unsigned int hl = 0;
	size_t i;
	enum fb_code rc = FB_OK;

	if (!md || !t)
		rc = md ? FB_EINVAL : FB_ENOMEM;
	memcpy(h, prev, sizeof(h));
	for (i = 0; rc == FB_OK && i < c->n; i++) {
		const struct jentry *e = &c->e[i];

		if (EVP_DigestInit_ex(md, sha256(), NULL) != 1) {
			rc = FB_EINTERNAL;
			break;
		}
		EVP_DigestUpdate(md, h, sizeof(h));
		EVP_DigestUpdate(md, "fbj1", 4);
		put_str(md, c->device);
		put_u64(md, c->seq + i);
		put_u64(md, c->hlc);
		put_str(md, c->record_id);
		put_str(md, t->name);
		put_str(md, c->branch);
		put_str(md, e->field);
		put_str(md, e->value);
		put_u64(md, e->base.hlc);
		put_str(md, e->base.device);
		if (EVP_DigestFinal_ex(md, h, &hl) != 1 || hl != sizeof(h))
			rc = FB_EINTERNAL;
	}
	if (rc == FB_OK)
		memcpy(c->hash, h, sizeof(h));
	EVP_MD_CTX_free(md);
	return rc;
}

void stamp_format(const struct fb_stamp *s, char out[STAMP_TEXT_MAX])
{
	char hex[FB_HLC_HEX_LEN + 1];

	if (s->hlc == 0 && !s->device[0]) {
		out[0] = '\0';
		return;
	}
	hlc_format(s->hlc, hex);
	snprintf(out, STAMP_TEXT_MAX, "%s:%s", hex, s->device);
}

int journal_valid_device(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > FB_DEVICE_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      s[i] == '-'))
			return 0;
	return 1;
}

enum fb_code stamp_parse(const char *text, struct fb_stamp *out)
{
	char hex[FB_HLC_HEX_LEN + 1];

	memset(out, 0, sizeof(*out));
	if (!*text)
		return FB_OK;
	if (strlen(text) < FB_HLC_HEX_LEN + 2 || text[FB_HLC_HEX_LEN] != ':')
		return FB_EINVAL;
	memcpy(hex, text, FB_HLC_HEX_LEN);
	hex[FB_HLC_HEX_LEN] = '\0';
	if (hlc_parse(hex, &out->hlc) != FB_OK || out->hlc == 0 ||
	    !journal_valid_device(text + FB_HLC_HEX_LEN + 1))
		return FB_EINVAL;
	strcpy(out->device, text + FB_HLC_HEX_LEN + 1);
	return FB_OK;
}

enum fb_code journal_body_format(const struct jchange *c, char **out)
{
	struct fb_buf o = FB_BUF_INIT(0);
	char base[STAMP_TEXT_MAX];
	enum fb_code rc = buf_addc(&o, '[');
	size_t i;

	*out = NULL;
	for (i = 0; rc == FB_OK && i < c->n; i++) {
		stamp_format(&c->e[i].base, base);
		if ((rc = buf_adds(&o, i ? ",[" : "[")) != FB_OK ||
		    (rc = buf_json_str(&o, c->e[i].field)) != FB_OK ||
		    (rc = buf_addc(&o, ',')) != FB_OK ||
		    (rc = buf_json_str(&o, c->e[i].value)) != FB_OK ||
		    (rc = buf_addc(&o, ',')) != FB_OK ||
		    (rc = buf_json_str(&o, base)) != FB_OK)
			break;
		rc = buf_addc(&o, ']');
	}
	if (rc == FB_OK && (rc = buf_addc(&o, ']')) == FB_OK &&
	    !(*out = buf_detach(&o, NULL)))
		rc = FB_ENOMEM;
	buf_release(&o);
	return rc;
}

enum fb_code journal_body_parse(const char *body, struct jchange *c,
				struct fb_error *err)
{
	cJSON *arr = cJSON_ParseWithOpts(body, NULL, 1), *e;
	enum fb_code rc = FB_OK;

	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
		rc = fb_fail(err, FB_EINVAL, _("journal body is not a list of entries"));
		goto out;
	}
	cJSON_ArrayForEach(e, arr) {
		cJSON *f = cJSON_GetArrayItem(e, 0), *v = cJSON_GetArrayItem(e, 1),
		      *b = cJSON_GetArrayItem(e, 2);
		struct fb_stamp base;

		if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) != 3 ||
		    !cJSON_IsString(f) || !cJSON_IsString(v) || !cJSON_IsString(b) ||
		    stamp_parse(b->valuestring, &base) != FB_OK) {
			rc = fb_fail(err, FB_EINVAL, _("journal entry is malformed"));
			goto out;
		}
		rc = jchange_add(c, f->valuestring, v->valuestring, &base);
		if (rc != FB_OK) {
			fb_fail(err, rc, _("journal entry: %s"), fb_strerror(rc));
			goto out;
		}
	}
out:
	cJSON_Delete(arr);
	return rc;
}
