/*
 * hub_setup.c - what serve needs before it listens: the address to bind,
 * the TLS files, and the signal mask every thread inherits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "hub_http.h"
#include "hub_limits.h"

enum fb_code hub_read_pem(const char *path, char **out, struct fb_error *err)
{
	FILE *f = fopen(path, "rb");
	struct fb_buf b = FB_BUF_INIT(HUB_PEM_MAX);
	char chunk[HUB_READ_CHUNK];
	size_t n;
	enum fb_code rc = FB_OK;
	int unread;

	if (!f)
		return fb_fail(err, FB_ENOINPUT, "cannot open %s: %s", path, strerror(errno));
	while (rc == FB_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = buf_add(&b, chunk, n);
	/* Half a key read is no key: a read error is not the end. */
	unread = ferror(f);
	if (fclose(f) != 0)
		unread = 1;
	if (rc != FB_OK || unread || !b.len) {
		buf_release(&b);
		return fb_fail(err, FB_EINVAL, "%s is not a PEM file", path);
	}
	*out = buf_detach(&b, NULL);
	return FB_OK;
}

void hub_block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* "127.0.0.1:8470" or "[::1]:8470" into a socket address. */
enum fb_code hub_parse_listen(const char *s, struct sockaddr_storage *ss,
				 struct fb_error *err)
{
	char host[HUB_HOST_MAX];
	const char *colon;
	char *end;
	long port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
			goto bad;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			goto bad;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535 || end == colon + 1)
		goto bad;
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
		return FB_OK;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
		return FB_OK;
	}
bad:
	return fb_fail(err, FB_EUSAGE, "--listen takes ADDRESS:PORT (127.0.0.1:8470, [::1]:8470), not '%s'", s);
}


int hub_is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return 0;
}
