/* bundle.c - writing and checking bundle files (bundle.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "bundle.h"
#include "i18n.h"
#include "wire.h"
#include "zbuf.h"

#define SHA256_LEN 32
#define HEAD_MAX   128          /* the first line's bytes, at most */

static enum fb_code sha256(const void *p, size_t n, unsigned char out[SHA256_LEN])
{
	unsigned int len = 0;

	return EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) == 1 && len == SHA256_LEN
	       ? FB_OK : FB_EINTERNAL;
}

/* All of n bytes to fd. */
static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t k = write(fd, c, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

enum fb_code bundle_write(const char *path, const struct fb_buf *text,
			  struct fb_error *err)
{
	struct fb_buf z = FB_BUF_INIT(BUNDLE_ZMAX);
	unsigned char sum[SHA256_LEN];
	char head[HEAD_MAX], hex[2 * SHA256_LEN + 1], tmp[4096];
	enum fb_code rc;
	int fd = -1, n;

	rc = zbuf_deflate(text->data, text->len, ZBUF_LEVEL, &z, err);
	if (rc == FB_ETOOBIG || rc == FB_ENOMEM)
		rc = fb_fail(err, FB_ETOOBIG, _("the bundle would be over %zu MiB; send more"
			       " often, in smaller bundles"), BUNDLE_ZMAX >> 20);
	if (rc != FB_OK)
		goto out;
	if ((rc = sha256(z.data, z.len, sum)) != FB_OK) {
		fb_fail(err, rc, _("no SHA-256"));
		goto out;
	}
	wire_hex(sum, SHA256_LEN, hex);
	n = snprintf(head, sizeof(head), "%s %d %s %zu\n", BUNDLE_MAGIC, BUNDLE_VERSION,
		     hex, z.len);
	if (snprintf(tmp, sizeof(tmp), "%s.part", path) >= (int)sizeof(tmp)) {
		rc = fb_fail(err, FB_EINVAL, _("the file name %s is too long"), path);
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, head, (size_t)n) || write_all(fd, z.data, z.len) ||
	    fsync(fd)) {
		rc = fb_fail(err, FB_EIO, _("cannot write %s: %s"), tmp, strerror(errno));
		goto out;
	}
	if (close(fd)) {
		fd = -1;
		rc = fb_fail(err, FB_EIO, _("cannot write %s: %s"), tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path)) {
		rc = fb_fail(err, FB_EIO, _("cannot write %s: %s"), path, strerror(errno));
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	if (rc != FB_OK)
		unlink(tmp);
	buf_release(&z);
	return rc;
}

/* The file at path whole into b, at most max bytes. */
static enum fb_code slurp(const char *path, size_t max, struct fb_buf *b,
			  struct fb_error *err)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	enum fb_code rc = FB_OK;
	size_t n;

	if (!f)
		return fb_fail(err, FB_ENOINPUT, _("cannot open %s: %s"), path, strerror(errno));
	while (rc == FB_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (b->len + n > max || buf_add(b, chunk, n) != FB_OK)
			rc = fb_fail(err, FB_ETOOBIG, _("%s is over %zu MiB: not a bundle"),
				     path, max >> 20);
	if (rc == FB_OK && ferror(f))
		rc = fb_fail(err, FB_EIO, _("cannot read %s"), path);
	fclose(f);
	return rc;
}

enum fb_code bundle_read(const char *path, struct fb_buf *out, struct fb_error *err)
{
	struct fb_buf file = FB_BUF_INIT(0);
	unsigned char want[SHA256_LEN], got[SHA256_LEN];
	char magic[32], hex[2 * SHA256_LEN + 2];
	unsigned long long zlen = 0;
	const char *nl;
	enum fb_code rc;
	size_t head;
	int version = 0;

	buf_reset(out);
	if ((rc = slurp(path, BUNDLE_ZMAX + HEAD_MAX, &file, err)) != FB_OK)
		goto out;
	nl = file.len ? memchr(file.data, '\n', file.len < HEAD_MAX ? file.len : HEAD_MAX)
		      : NULL;
	if (!nl || sscanf(file.data, "%31s %d %65s %llu", magic, &version, hex, &zlen) != 4 ||
	    strcmp(magic, BUNDLE_MAGIC)) {
		rc = fb_fail(err, FB_EINVAL, _("%s is not a Fieldbook bundle"), path);
		goto out;
	}
	if (version != BUNDLE_VERSION) {
		rc = fb_fail(err, FB_EPROTO, _("%s is a bundle of version %d; this release"
			       " reads version %d"), path, version, BUNDLE_VERSION);
		goto out;
	}
	head = (size_t)(nl - file.data) + 1;
	if (strlen(hex) != 2 * SHA256_LEN || wire_unhex(hex, want, SHA256_LEN) != FB_OK ||
	    zlen != file.len - head) {
		rc = fb_fail(err, FB_EINVAL, _("%s is damaged or cut short (%zu of %llu bytes);"
			       " nothing of it was used"), path, file.len - head, zlen);
		goto out;
	}
	if ((rc = sha256(file.data + head, file.len - head, got)) != FB_OK) {
		fb_fail(err, rc, _("no SHA-256"));
		goto out;
	}
	if (memcmp(want, got, SHA256_LEN)) {
		rc = fb_fail(err, FB_EINVAL, _("%s is damaged: its checksum does not match;"
			       " nothing of it was used"), path);
		goto out;
	}
	out->cap = BUNDLE_TEXT_MAX;
	rc = zbuf_inflate(file.data + head, file.len - head, BUNDLE_TEXT_MAX, out, err);
	if (rc != FB_OK)
		rc = fb_fail(err, rc == FB_ETOOBIG ? FB_ETOOBIG : FB_EINVAL,
			     _("%s cannot be unpacked; nothing of it was used"), path);
out:
	buf_release(&file);
	return rc;
}

char *bundle_next_line(struct fb_buf *text, size_t *pos)
{
	char *start, *nl;

	if (*pos >= text->len)
		return NULL;
	start = text->data + *pos;
	nl = memchr(start, '\n', text->len - *pos);
	if (!nl)
		nl = text->data + text->len;
	*nl = '\0';
	*pos = (size_t)(nl - text->data) + 1;
	return start;
}
