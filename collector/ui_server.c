/*
 * ui_server.c - the local page's HTTP side (ui.h).  It listens on
 * 127.0.0.1 only.  Every request is judged by its head before a byte of
 * its body is read: the Host must be this server's (127.0.0.1:P or
 * localhost:P, so that a name rebound to 127.0.0.1 by another site's
 * DNS does not reach it), an Origin, when sent, must be this server's,
 * and every /api/ request must carry the run's secret in a header.  A
 * refusal is a 403 with a JSON error, and nothing is read or changed.
 * No CORS header is ever sent: another origin's script cannot read an
 * answer, and cannot send the secret's header without a preflight that
 * no answer allows.  The page's files come from the binary (ui_assets).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "i18n.h"
#include "ui.h"

extern char **environ;

#define HOST_MAX 64     /* "localhost:65535" and room */
#define KEYS_MAX 64     /* keys of one JSON object in a request */

/* The headers every answer carries: no caching, no framing, no
 * sniffing, nothing loaded from elsewhere, no Referer. */
static void common_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'none'; script-src 'self'; style-src 'self';"
				" img-src 'self' data:; connect-src 'self'; form-action 'none';"
				" frame-ancestors 'none'; base-uri 'none'");
}

static enum MHD_Result send_bytes(struct MHD_Connection *conn, unsigned status,
				  const char *type, const void *data, size_t len, int copy)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)data,
					       copy ? MHD_RESPMEM_MUST_COPY
						    : MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	common_headers(resp);
	if (status >= 400)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A JSON document (freed here) as the answer. */
static enum MHD_Result send_json(struct MHD_Connection *conn, unsigned status, cJSON *doc)
{
	char *s = doc ? cJSON_PrintUnformatted(doc) : NULL;
	enum MHD_Result ret;

	cJSON_Delete(doc);
	if (!s)
		return send_bytes(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "application/json",
				  "{\"error\":\"no_memory\"}", 21, 0);
	ret = send_bytes(conn, status, "application/json; charset=utf-8", s, strlen(s), 1);
	cJSON_free(s);
	return ret;
}

static const char *header(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* The language a request asks for: Vietnamese unless it says English. */
static const char *lang_of(struct MHD_Connection *conn)
{
	const char *lang = header(conn, UI_LANG_HEADER);

	return lang && !strcmp(lang, "en") ? "en" : "vi";
}

/* A refusal, its message (marked N_()) in the request's language. */
static enum MHD_Result refuse(struct ui_app *app, struct MHD_Connection *conn,
			      unsigned status, const char *code, const char *msgid)
{
	cJSON *o = cJSON_CreateObject();
	char msg[FB_ERRMSG_MAX];

	pthread_mutex_lock(&app->api);
	fb_i18n_use(lang_of(conn));
	snprintf(msg, sizeof(msg), "%s", _(msgid));
	pthread_mutex_unlock(&app->api);

	if (o) {
		cJSON_AddStringToObject(o, "error", code);
		cJSON_AddStringToObject(o, "message", msg);
	}
	return send_json(conn, status, o);
}

/* One request between its head and its end. */
struct pending {
	struct fb_buf body;
	int too_big;
};

/* 1 when host is this server's: 127.0.0.1:P or localhost:P. */
static int our_host(const struct ui_app *app, const char *host)
{
	char a[HOST_MAX], b[HOST_MAX];

	snprintf(a, sizeof(a), "127.0.0.1:%u", app->port);
	snprintf(b, sizeof(b), "localhost:%u", app->port);
	return host && (!strcmp(host, a) || !strcmp(host, b));
}

/* 1 when origin is this server's own. */
static int our_origin(const struct ui_app *app, const char *origin)
{
	static const char scheme[] = "http://";

	return !strncmp(origin, scheme, sizeof(scheme) - 1) &&
	       our_host(app, origin + sizeof(scheme) - 1);
}

static int has_secret(const struct ui_app *app, const char *given)
{
	return given && strlen(given) == UI_SECRET_HEX &&
	       CRYPTO_memcmp(given, app->secret, UI_SECRET_HEX) == 0;
}

/*
 * Judge a request by its head: NULL when it may go on, else the
 * message of the refusal.
 */
static const char *judge(const struct ui_app *app, struct MHD_Connection *conn,
			 const char *url)
{
	const char *origin = header(conn, "Origin");

	if (!our_host(app, header(conn, MHD_HTTP_HEADER_HOST)))
		return N_("this page answers only at its own address");
	if (origin && !our_origin(app, origin))
		return N_("requests from other sites are refused");
	if (!strncmp(url, "/api/", 5) && !has_secret(app, header(conn, UI_SECRET_HEADER)))
		return N_("this page's key is missing or wrong: open the address"
			  " 'fieldbook ui' printed");
	return NULL;
}

static const char *query_arg(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

/* 1 when an object (and the objects in it) has no key twice: cJSON keeps
 * both, and the first would win unseen. */
static int keys_once(const cJSON *o, int depth)
{
	const cJSON *a, *b;
	int n = 0;

	if (depth > 4)
		return 0;
	cJSON_ArrayForEach(a, o) {
		if (++n > KEYS_MAX)
			return 0;
		if (cJSON_IsObject(o))
			for (b = a->next; b; b = b->next)
				if (!strcmp(a->string, b->string))
					return 0;
		if ((cJSON_IsObject(a) || cJSON_IsArray(a)) && !keys_once(a, depth + 1))
			return 0;
	}
	return 1;
}

static enum MHD_Result api(struct ui_app *app, struct MHD_Connection *conn,
			   const char *url, const char *method, struct pending *p)
{
	struct ui_request rq = { method, url, query_arg, conn, NULL, lang_of(conn) };
	struct ui_answer an = { 0, NULL };
	cJSON *body = NULL;

	if (p->too_big)
		return refuse(app, conn, MHD_HTTP_CONTENT_TOO_LARGE, "too_big",
			      N_("the request is too large"));
	if (!strcmp(method, "POST")) {
		body = cJSON_ParseWithLength(p->body.data ? p->body.data : "", p->body.len);
		if (!cJSON_IsObject(body) || !keys_once(body, 0)) {
			cJSON_Delete(body);
			return refuse(app, conn, MHD_HTTP_BAD_REQUEST, "bad_request",
				      N_("the request is not one JSON object"));
		}
		rq.body = body;
	}
	pthread_mutex_lock(&app->api);
	fb_i18n_use(rq.lang);
	ui_api(app, &rq, &an);
	pthread_mutex_unlock(&app->api);
	cJSON_Delete(body);
	return send_json(conn, (unsigned)an.status, an.doc);
}

static enum MHD_Result asset(struct ui_app *app, struct MHD_Connection *conn,
			     const char *url)
{
	const struct ui_asset *a;

	if (!strcmp(url, "/"))
		url = "/index.html";
	for (a = ui_assets; a->path; a++)
		if (!strcmp(a->path, url))
			return send_bytes(conn, MHD_HTTP_OK, a->type, a->data, a->len, 0);
	return refuse(app, conn, MHD_HTTP_NOT_FOUND, "not_found", N_("no such page"));
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version,
			      const char *upload, size_t *upload_size, void **ctx)
{
	struct ui_app *app = cls;
	struct pending *p = *ctx;
	const char *why;
	int get = !strcmp(method, "GET"), post = !strcmp(method, "POST");

	(void)version;
	if (!p) {
		if ((why = judge(app, conn, url)) != NULL)
			return refuse(app, conn, MHD_HTTP_FORBIDDEN, "forbidden", why);
		if (!get && !(post && !strncmp(url, "/api/", 5)))
			return refuse(app, conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method",
				      N_("this method is not taken here"));
		if (!(p = calloc(1, sizeof(*p))))
			return MHD_NO;
		p->body.cap = UI_BODY_MAX;
		*ctx = p;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!p->too_big && buf_add(&p->body, upload, *upload_size) != FB_OK)
			p->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (!strncmp(url, "/api/", 5))
		return api(app, conn, url, method, p);
	return asset(app, conn, url);
}

static void completed(void *cls, struct MHD_Connection *conn, void **ctx,
		      enum MHD_RequestTerminationCode code)
{
	struct pending *p = *ctx;

	(void)cls;
	(void)conn;
	(void)code;
	if (p) {
		buf_release(&p->body);
		free(p);
		*ctx = NULL;
	}
}

static void mhd_said(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("fieldbook ui: ", stderr);
	vfprintf(stderr, fmt, ap);
}

static enum fb_code make_secret(char out[UI_SECRET_HEX + 1], struct fb_error *err)
{
	unsigned char raw[UI_SECRET_BYTES];
	size_t i;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return fb_fail(err, FB_EINTERNAL, _("no random bytes for the page's key"));
	for (i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return FB_OK;
}

/*
 * Open url in the browser without putting the secret on a command line
 * that every user of the machine can read (/proc/PID/cmdline): an
 * owner-only file that sends the browser on is opened instead, and
 * removed when the page stops.  Nothing when xdg-open is not there.
 */
static void open_browser(const char *url, char *file, size_t n)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	char *argv[3];
	pid_t pid;
	FILE *f;
	int fd;

	file[0] = '\0';
	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(file, n, "%s/fieldbook-ui-%ld.html", dir, (long)getpid());
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		file[0] = '\0';
		return;
	}
	fprintf(f, "<!doctype html><meta charset=\"utf-8\">"
		"<meta http-equiv=\"refresh\" content=\"0;url=%s\">"
		"<title>Fieldbook</title><a href=\"%s\">Fieldbook</a>\n", url, url);
	if (fclose(f) != 0) {
		unlink(file);
		file[0] = '\0';
		return;
	}
	argv[0] = (char *)"xdg-open";
	argv[1] = file;
	argv[2] = NULL;
	if (posix_spawnp(&pid, "xdg-open", NULL, NULL, argv, environ) != 0) {
		unlink(file);
		file[0] = '\0';
	}
}

/* The stop flag of a sync under way (client.h), set by the signal. */
static volatile sig_atomic_t stopping;

enum fb_code ui_serve(struct cmd_ctx *c, const struct ui_config *cfg)
{
	struct ui_app app;
	struct sockaddr_in sin;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	char url[128], file[256] = "";
	sigset_t set;
	enum fb_code rc;
	int sig;

	memset(&app, 0, sizeof(app));
	app.prog = c->prog;
	app.db_path = c->db_path;
	if ((rc = make_secret(app.secret, &c->err)) != FB_OK)
		return rc;
	pthread_mutex_init(&app.api, NULL);
	pthread_mutex_init(&app.sync.lock, NULL);
	/* Before any thread: the language changes with each request. */
	fb_i18n_serve();
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sync_set_stop(&stopping);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)cfg->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG,
			     0, NULL, NULL, handle, &app,
			     MHD_OPTION_EXTERNAL_LOGGER, mhd_said, NULL,
			     MHD_OPTION_SOCK_ADDR, &sin,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)UI_THREADS,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)UI_CONN_TIMEOUT_S,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)UI_CONN_MAX,
			     MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
			     MHD_OPTION_END);
	if (!d) {
		rc = fb_fail(&c->err, FB_EIO, _("cannot listen on 127.0.0.1 port %u (in use?)"),
			     cfg->port);
		goto out;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	app.port = info ? info->port : cfg->port;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/#s=%s", app.port, app.secret);
	if (cfg->port_file) {
		FILE *pf = fopen(cfg->port_file, "w");

		if (pf) {
			fprintf(pf, "%u\n", app.port);
			fclose(pf);
		}
	}
	printf(_("Fieldbook's page is at %s\n"), url);
	printf(_("Open it in a browser on this computer; Ctrl+C stops it.\n"));
	fflush(stdout);
	if (cfg->open_browser)
		open_browser(url, file, sizeof(file));
	sigwait(&set, &sig);
	stopping = 1;
	MHD_stop_daemon(d);
	ui_sync_join(&app);
	if (*file)
		unlink(file);
	/* Reap xdg-open, which usually ended long ago. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	fprintf(stderr, _("fieldbook: the page has stopped\n"));
	rc = FB_OK;
out:
	pthread_mutex_destroy(&app.api);
	pthread_mutex_destroy(&app.sync.lock);
	return rc;
}
