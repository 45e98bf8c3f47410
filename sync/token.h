/*
 * token.h - device tokens: made from the OS CSPRNG, shown once, kept
 * only as SHA-256.  A token reads "fbt_" and 64 hex digits (256 bits),
 * so that one pasted somewhere it should not be (a URL, a log) can be
 * recognised and refused.
 */
#ifndef FB_TOKEN_H
#define FB_TOKEN_H

#include "error.h"

#define TOKEN_PREFIX   "fbt_"
#define TOKEN_BYTES    32
#define TOKEN_TEXT_LEN (4 + 2 * TOKEN_BYTES)
#define TOKEN_TEXT_MAX 128      /* longest Authorization value we hash */
#define TOKEN_HASH_LEN 32

/* A new token into out[TOKEN_TEXT_LEN + 1]. */
enum fb_code token_new(char out[TOKEN_TEXT_LEN + 1]);

/* SHA-256 of the token text. */
enum fb_code token_hash(const char *token, unsigned char out[TOKEN_HASH_LEN]);

/*
 * Read a token from a file (which must not be readable by group or
 * others) or, for path "-", from standard input: one line, trimmed.
 */
enum fb_code token_read(const char *path, char out[TOKEN_TEXT_MAX + 1],
			struct fb_error *err);

#endif
