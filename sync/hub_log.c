/*
 * hub_log.c - the hub's request log: one line a request on stderr, with
 * nothing a client sent able to break the line or forge another.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "hub_http.h"
#include "hub_limits.h"
#include "token.h"

#define LOG_ESCAPED "\\xNN"       /* how one byte is escaped: its size */
#define LOG_CUT     "..."          /* ends what was cut to fit */
#define LOG_TOKEN   "[token]"      /* what a token is written as */

/*
 * How many bytes of s (n long) from i on are a token to be masked: "fbt_"
 * in any case and the letters, digits and '_' after it, or a run of
 * 2 * TOKEN_BYTES hex digits or more (a token's body spelt otherwise, or
 * a hash); 0 when none starts at i.
 */
static size_t token_run(const char *s, size_t n, size_t i)
{
	size_t j = i;

	if (n - i >= sizeof(TOKEN_PREFIX) - 1 &&
	    !strncasecmp(s + i, TOKEN_PREFIX, sizeof(TOKEN_PREFIX) - 1)) {
		j += sizeof(TOKEN_PREFIX) - 1;
		while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '_'))
			j++;
		return j - i;
	}
	if (i > 0 && isxdigit((unsigned char)s[i - 1]))
		return 0;      /* inside a run that was shorter */
	while (j < n && isxdigit((unsigned char)s[j]))
		j++;
	return j - i >= 2 * TOKEN_BYTES ? j - i : 0;
}

/*
 * n bytes of s into out for the log: control bytes, DEL, backslash and
 * the double quote as \xNN, so that what a client sent can neither break
 * a line nor pass for the log's own text; a token (token_run) as
 * LOG_TOKEN, so that the log never holds one; cut (with "...") to fit
 * out.
 */
static void log_escape(const char *s, size_t n, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		size_t run = token_run(s, n, i);
		size_t need = run ? sizeof(LOG_TOKEN) - 1 :
			      ch < 0x20 || ch == 0x7f || ch == '\\' || ch == '"' ?
			      sizeof(LOG_ESCAPED) - 1 : 1;

		if (o + need + sizeof(LOG_CUT) > size) {   /* room for "..." and NUL */
			memcpy(out + o, LOG_CUT, sizeof(LOG_CUT) - 1);
			o += sizeof(LOG_CUT) - 1;
			break;
		}
		if (run) {
			memcpy(out + o, LOG_TOKEN, sizeof(LOG_TOKEN) - 1);
			o += sizeof(LOG_TOKEN) - 1;
			i += run - 1;
		} else if (need > 1) {
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", ch);
		} else {
			out[o++] = (char)ch;
		}
	}
	out[o] = '\0';
}

void hub_log(const struct hub_log_entry *e)
{
	char addr[INET6_ADDRSTRLEN] = "?", when[HUB_LOG_TIME_MAX];
	char path[HUB_LOG_PATH_MAX], meth[HUB_LOG_METHOD_MAX], reason[HUB_LOG_REASON_MAX];
	const char *url = e->url;
	time_t t = time(NULL);
	struct tm tm;

	if (e->client) {
		const struct sockaddr *sa = e->client;

		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
				  addr, sizeof(addr));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
				  addr, sizeof(addr));
	}
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* The URL's query is left out.  The path is decoded: a %0A in it
	 * must not start a log line, nor a token in it be written. */
	log_escape(url, strcspn(url, "?"), path, sizeof(path));
	log_escape(e->method, strlen(e->method), meth, sizeof(meth));
	/* A reason may quote what the client sent (a field, a value). */
	if (e->reason)
		log_escape(e->reason, strlen(e->reason), reason, sizeof(reason));
	fprintf(stderr, "%s %s %s %s %d device=%lld in=%zu out=%zu ms=%llu%s%s%s\n",
		when, addr, meth, path, e->status, e->device, e->in_bytes, e->out_bytes,
		(unsigned long long)e->ms, e->reason ? " reason=\"" : "",
		e->reason ? reason : "", e->reason ? "\"" : "");
}
