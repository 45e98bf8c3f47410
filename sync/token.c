/* token.c - making, hashing and reading device tokens. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "i18n.h"
#include "token.h"

enum fb_code token_new(char out[TOKEN_TEXT_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[TOKEN_BYTES];
	size_t i;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return FB_EINTERNAL;
	memcpy(out, TOKEN_PREFIX, 4);
	for (i = 0; i < sizeof(r); i++) {
		out[4 + 2 * i] = hex[r[i] >> 4];
		out[5 + 2 * i] = hex[r[i] & 15];
	}
	out[TOKEN_TEXT_LEN] = '\0';
	OPENSSL_cleanse(r, sizeof(r));
	return FB_OK;
}

enum fb_code token_hash(const char *token, unsigned char out[TOKEN_HASH_LEN])
{
	unsigned int n = 0;

	return EVP_Digest(token, strlen(token), out, &n, EVP_sha256(), NULL) == 1 &&
	       n == TOKEN_HASH_LEN ? FB_OK : FB_EINTERNAL;
}

enum fb_code token_read(const char *path, char out[TOKEN_TEXT_MAX + 1],
			struct fb_error *err)
{
	FILE *f = stdin;
	struct stat st;
	size_t n;

	if (strcmp(path, "-")) {
		f = fopen(path, "r");
		if (!f)
			return fb_fail(err, FB_ENOINPUT, _("cannot open token file %s: %s"),
				       path, strerror(errno));
		if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
			fclose(f);
			return fb_fail(err, FB_EINVAL,
				       _("token file %s may be read by others; chmod 600 it"), path);
		}
	}
	if (!fgets(out, TOKEN_TEXT_MAX + 1, f))
		out[0] = '\0';
	if (f != stdin)
		fclose(f);
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = '\0';
	if (n == 0)
		return fb_fail(err, FB_EINVAL, _("no token in %s"),
			       strcmp(path, "-") ? path : _("standard input"));
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] <= ' ' || (unsigned char)out[i] >= 0x7F)
			return fb_fail(err, FB_EINVAL, _("the token holds characters a token cannot"));
	return FB_OK;
}
