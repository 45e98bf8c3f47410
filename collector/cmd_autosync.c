/*
 * cmd_autosync.c - fieldbook autosync enable | disable | status.
 *
 * enable writes two systemd user units for this database into
 * $XDG_CONFIG_HOME/systemd/user (~/.config/systemd/user):
 *
 *   fieldbook-sync-<id>.timer    every DURATION (default 15m), spread by
 *                                a random delay of up to a tenth of it
 *                                (at most 5 minutes), the first time two
 *                                minutes after the user's session starts;
 *   fieldbook-sync-<id>.service  one `fieldbook --db PATH sync --log`,
 *                                at low priority; a refusal (exit 77)
 *                                stops the timer, as it ends the loop of
 *                                `sync --every`.
 *
 * <id> is the first 8 hex digits of the SHA-256 of the database's full
 * path, so two databases of one user get two pairs.  Then it runs
 * `systemctl --user daemon-reload` and `enable --now` on the timer.
 * Where there is no user systemd (no systemctl, or no user manager to
 * talk to) nothing is left written and the message says what to run
 * instead (exit 69).  disable stops and removes them.  status, and the
 * `status` command, say whether it is on, the last attempt (any sync's),
 * its result and the next.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/limits.h>
#include <openssl/sha.h>
#include <cjson/cJSON.h>

#include "autosync.h"
#include "book_view.h"
#include "buf.h"
#include "i18n.h"

#define AUTOSYNC_EVERY_DEFAULT  "15m"
#define AUTOSYNC_DELAY_MAX      300     /* seconds of random delay at most */

extern char **environ;

struct units {
	char db[PATH_MAX];                      /* the database, absolute */
	char dir[PATH_MAX];                     /* where user units go */
	char name[64];                          /* fieldbook-sync-<id> */
	char timer[PATH_MAX], service[PATH_MAX];
};

static enum fb_code units_for(struct cmd_ctx *c, struct units *u)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	unsigned char md[SHA256_DIGEST_LENGTH];
	int n;

	if (!realpath(c->db_path, u->db))
		return fb_fail(&c->err, FB_ENOINPUT, _("no database at %s: run 'fieldbook init'"
			       " first"), c->db_path);
	SHA256((const unsigned char *)u->db, strlen(u->db), md);
	snprintf(u->name, sizeof(u->name), "fieldbook-sync-%02x%02x%02x%02x",
		 md[0], md[1], md[2], md[3]);
	if (xdg && *xdg)
		n = snprintf(u->dir, sizeof(u->dir), "%s/systemd/user", xdg);
	else if (home && *home)
		n = snprintf(u->dir, sizeof(u->dir), "%s/.config/systemd/user", home);
	else
		return fb_fail(&c->err, FB_EUSAGE, _("neither HOME nor XDG_CONFIG_HOME is set:"
			       " there is nowhere to put the user's units"));
	if (n < 0 || (size_t)n >= sizeof(u->dir) ||
	    snprintf(u->timer, sizeof(u->timer), "%s/%s.timer", u->dir, u->name) >=
	    (int)sizeof(u->timer) ||
	    snprintf(u->service, sizeof(u->service), "%s/%s.service", u->dir, u->name) >=
	    (int)sizeof(u->service))
		return fb_fail(&c->err, FB_EUSAGE, _("the path of the units is too long"));
	return FB_OK;
}

/*
 * Run systemctl --user with args (NULL-terminated), its output into out
 * (may be NULL).  The exit status, or -1 when it could not run.
 */
static int systemctl(const char *const *args, struct fb_buf *out)
{
	const char *argv[16] = { "systemctl", "--user" };
	posix_spawn_file_actions_t fa;
	int pipefd[2], status = -1;
	size_t n = 2;
	pid_t pid;

	for (; *args && n < sizeof(argv) / sizeof(argv[0]) - 1; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	if (posix_spawnp(&pid, "systemctl", &fa, NULL, (char *const *)argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	for (;;) {
		char chunk[512];
		ssize_t got = read(pipefd[0], chunk, sizeof(chunk));

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (out && out->len < 4096 && buf_add(out, chunk, (size_t)got) != FB_OK)
			out = NULL;
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The first line of what a command said, for a message. */
static const char *first_line(struct fb_buf *b)
{
	char *s = (char *)buf_str(b), *nl = strchr(s, '\n');

	if (nl)
		*nl = '\0';
	return *s ? s : _("no output");
}

/* Write text to path whole or not at all (a temporary file renamed). */
static enum fb_code write_unit(const char *path, const char *text, struct fb_error *err)
{
	char tmp[PATH_MAX + 8];
	size_t len = strlen(text);
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fb_fail(err, FB_EIO, _("cannot write %s: %s"), tmp, strerror(errno));
	if (fchmod(fd, 0644) != 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
		int e = errno;

		close(fd);
		unlink(tmp);
		return fb_fail(err, FB_EIO, _("cannot write %s: %s"), tmp, strerror(e));
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		int e = errno;

		unlink(tmp);
		return fb_fail(err, FB_EIO, _("cannot write %s: %s"), path, strerror(e));
	}
	return FB_OK;
}

static enum fb_code make_dirs(const char *dir, struct fb_error *err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s", dir);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return fb_fail(err, FB_EIO, _("cannot make %s: %s"), path, strerror(errno));
		*p = '/';
	}
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return fb_fail(err, FB_EIO, _("cannot make %s: %s"), path, strerror(errno));
	return FB_OK;
}

/* systemd quotes: a path in double quotes, with \ " and % escaped. */
static void quoted(struct fb_buf *out, const char *s)
{
	buf_add(out, "\"", 1);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			buf_add(out, "\\", 1);
		if (*s == '%')
			buf_add(out, "%", 1);
		if (*s == '$')
			buf_add(out, "$", 1);
		buf_add(out, s, 1);
	}
	buf_add(out, "\"", 1);
}

static enum fb_code say_instead(struct cmd_ctx *c, const struct units *u, const char *every,
				const char *why)
{
	return fb_fail(&c->err, FB_ENET, _("there is no systemd user session here (%s):"
		       " run 'fieldbook --db %s sync --every %s' in a window that stays open,"
		       " or add 'fieldbook --db %s sync --log' to your crontab"), why, u->db,
		       every, u->db);
}

static enum fb_code enable(struct cmd_ctx *c)
{
	const char *every = cmd_get(c, "every");
	struct fb_buf service = FB_BUF_INIT(0), timer = FB_BUF_INIT(0), said = FB_BUF_INIT(0);
	char exe[PATH_MAX];
	struct units u;
	unsigned period, delay;
	ssize_t n;
	enum fb_code rc;
	int st;

	if (!every)
		every = AUTOSYNC_EVERY_DEFAULT;
	if (!(period = fb_duration_parse(every)))
		return cmd_usage(c, _("--every takes a duration such as 90s, 15m or 1h (1 s to"
				      " a day), not '%s'"), every);
	if ((rc = units_for(c, &u)) != FB_OK)
		return rc;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return fb_fail(&c->err, FB_EIO, _("cannot tell where this program is"));
	exe[n] = '\0';
	delay = period / 10 < AUTOSYNC_DELAY_MAX ? period / 10 : AUTOSYNC_DELAY_MAX;
	buf_printf(&service,
		   "# Written by 'fieldbook autosync enable'; removed by 'disable'.\n"
		   "[Unit]\n"
		   "Description=Fieldbook sync of %s\n"
		   "Documentation=man:fieldbook(1)\n"
		   "\n"
		   "[Service]\n"
		   "Type=oneshot\n"
		   "ExecStart=", u.db);
	quoted(&service, exe);
	buf_printf(&service, " --db ");
	quoted(&service, u.db);
	buf_printf(&service, " sync --log\n"
		   "# A refusal (exit 77: token revoked or out of scope) stops the timer.\n"
		   "ExecStopPost=/bin/sh -c 'if [ \"$$EXIT_STATUS\" = 77 ]; then"
		   " systemctl --user stop %s.timer; fi'\n"
		   "SuccessExitStatus=69 75\n"
		   "Nice=10\n"
		   "IOSchedulingClass=idle\n"
		   "NoNewPrivileges=yes\n"
		   "PrivateTmp=yes\n", u.name);
	buf_printf(&timer,
		   "# Written by 'fieldbook autosync enable'; removed by 'disable'.\n"
		   "[Unit]\n"
		   "Description=Fieldbook sync of %s every %s\n"
		   "Documentation=man:fieldbook(1)\n"
		   "\n"
		   "[Timer]\n"
		   "OnStartupSec=2min\n"
		   "OnUnitActiveSec=%us\n"
		   "RandomizedDelaySec=%us\n"
		   "AccuracySec=1s\n"
		   "\n"
		   "[Install]\n"
		   "WantedBy=timers.target\n", u.db, every, period, delay);
	rc = make_dirs(u.dir, &c->err);
	if (rc == FB_OK)
		rc = write_unit(u.service, buf_str(&service), &c->err);
	if (rc == FB_OK)
		rc = write_unit(u.timer, buf_str(&timer), &c->err);
	buf_release(&service);
	buf_release(&timer);
	if (rc == FB_OK) {
		const char *reload[] = { "daemon-reload", NULL };
		char unit[80];
		const char *start[] = { "enable", "--now", unit, NULL };

		snprintf(unit, sizeof(unit), "%s.timer", u.name);
		st = systemctl(reload, &said);
		if (st == 0) {
			buf_reset(&said);
			st = systemctl(start, &said);
		}
		if (st != 0) {
			unlink(u.timer);
			unlink(u.service);
			rc = say_instead(c, &u, every, st < 0 ? _("systemctl is not installed")
					 : first_line(&said));
		}
	}
	buf_release(&said);
	if (rc == FB_OK)
		printf(_("autosync on: this database syncs every %s (%s.timer)\n"), every, u.name);
	return rc;
}

static enum fb_code disable(struct cmd_ctx *c)
{
	struct fb_buf said = FB_BUF_INIT(0);
	struct units u;
	enum fb_code rc;
	char unit[80];
	const char *stop[] = { "disable", "--now", unit, NULL };
	const char *reload[] = { "daemon-reload", NULL };
	int had;

	if ((rc = units_for(c, &u)) != FB_OK)
		return rc;
	had = access(u.timer, F_OK) == 0 || access(u.service, F_OK) == 0;
	snprintf(unit, sizeof(unit), "%s.timer", u.name);
	if (had && systemctl(stop, &said) < 0)
		fprintf(stderr, _("fieldbook: systemctl is not installed; removing the units"
				  " only\n"));
	buf_release(&said);
	if ((unlink(u.timer) != 0 && errno != ENOENT) ||
	    (unlink(u.service) != 0 && errno != ENOENT))
		return fb_fail(&c->err, FB_EIO, _("cannot remove the units in %s: %s"), u.dir,
			       strerror(errno));
	if (had)
		(void)systemctl(reload, NULL);
	printf(had ? _("autosync off: this database syncs only when asked\n")
		   : _("autosync was not on for this database\n"));
	return FB_OK;
}

/* The period a timer file says (OnUnitActiveSec=Ns), or 0. */
static unsigned timer_period(const char *path)
{
	char line[256];
	unsigned v = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "OnUnitActiveSec=%us", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* A systemd time in µs since the epoch (NextElapseUSecRealtime), or 0. */
static int64_t next_elapse_ms(const char *unit)
{
	struct fb_buf said = FB_BUF_INIT(0);
	const char *args[] = { "show", "-p", "NextElapseUSecRealtime", "--timestamp=unix",
			       unit, NULL };
	long long secs = 0;
	const char *s;

	if (systemctl(args, &said) == 0 && (s = strstr(buf_str(&said), "=@")) != NULL)
		secs = strtoll(s + 2, NULL, 10);
	buf_release(&said);
	return secs > 0 ? (int64_t)secs * 1000 : 0;
}

/* An ISO 8601 UTC moment ("2026-04-30T07:05:00.000Z") in ms, or -1. */
static int64_t iso_ms(const char *s)
{
	struct tm tm;
	char *end;

	if (!s || !*s)
		return -1;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return -1;
	return (int64_t)timegm(&tm) * 1000 + (*end == '.' ? strtol(end + 1, NULL, 10) : 0);
}

enum fb_code autosync_describe(struct cmd_ctx *c, struct book *b, struct fb_buf *out,
			       cJSON *json)
{
	char *at = NULL, *result = NULL, *next = NULL, when[FB_WHEN_MAX];
	char unit[80];
	long long exit_status = 0;
	struct units u;
	unsigned period = 0;
	int64_t next_ms = -1;
	enum fb_code rc;

	if (units_for(c, &u) == FB_OK)
		period = timer_period(u.timer);
	else
		u.name[0] = '\0';
	fb_error_clear(&c->err);
	if ((rc = book_meta_get(b, AUTOSYNC_META_AT, &at, &c->err)) != FB_OK ||
	    (rc = book_meta_get(b, AUTOSYNC_META_RESULT, &result, &c->err)) != FB_OK ||
	    (rc = book_meta_get(b, AUTOSYNC_META_NEXT, &next, &c->err)) != FB_OK ||
	    (rc = book_meta_int(b, AUTOSYNC_META_EXIT, 0, &exit_status, &c->err)) != FB_OK)
		goto out;
	snprintf(unit, sizeof(unit), "%s.timer", u.name);
	if (period)
		next_ms = next_elapse_ms(unit);
	else if (next && *next)
		next_ms = iso_ms(next);         /* a loop of sync --every */
	if (json) {
		cJSON *o = cJSON_AddObjectToObject(json, "autosync");

		cJSON_AddBoolToObject(o, "on", period != 0);
		if (period)
			cJSON_AddNumberToObject(o, "every_seconds", period);
		cJSON_AddStringToObject(o, "last_attempt", at ? at : "");
		if (at && *at)
			cJSON_AddNumberToObject(o, "last_exit", (double)exit_status);
		cJSON_AddStringToObject(o, "last_result", result ? result : "");
		if (next_ms > 0) {
			char iso[40];
			time_t t = (time_t)(next_ms / 1000);
			struct tm tm;

			gmtime_r(&t, &tm);
			strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
			cJSON_AddStringToObject(o, "next_attempt", iso);
		} else {
			cJSON_AddStringToObject(o, "next_attempt", "");
		}
		goto out;
	}
	if (period)
		buf_printf(out, _("autosync:  on, every %u s (%s)\n"), period, unit);
	else
		buf_printf(out, _("autosync:  off ('fieldbook autosync enable' turns it on)\n"));
	if (at && *at) {
		fb_when(iso_ms(at), when);
		buf_printf(out, _("last try:  %s, %s\n"), when, result ? result : "");
	} else {
		buf_printf(out, _("last try:  never\n"));
	}
	if (next_ms > 0) {
		fb_when(next_ms, when);
		buf_printf(out, _("next try:  %s\n"), when);
	} else if (period) {
		buf_printf(out, _("next try:  unknown (no systemd user session answers)\n"));
	}
out:
	free(at);
	free(result);
	free(next);
	return rc;
}

static enum fb_code status(struct cmd_ctx *c)
{
	struct fb_buf out = FB_BUF_INIT(0);
	struct book *b = NULL;
	enum fb_code rc;

	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	if (cmd_has(c, "json")) {
		cJSON *doc = cJSON_CreateObject();

		rc = autosync_describe(c, b, NULL, doc);
		book_close(b);
		if (rc != FB_OK) {
			cJSON_Delete(doc);
			return rc;
		}
		return cli_print_json(c, doc);
	}
	rc = autosync_describe(c, b, &out, NULL);
	book_close(b);
	if (rc == FB_OK)
		fputs(buf_str(&out), stdout);
	buf_release(&out);
	return rc;
}

static const struct cmd_option enable_opts[] = {
	{ "every", 0, "DURATION", NULL, N_("how often: 90s, 15m, 1h (default 15m)") },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_option status_opts[] = {
	CLI_OPT_JSON,
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_autosync_enable_entry = {
	.name = "autosync enable",
	.usage = "autosync enable [--every DURATION]",
	.help = N_("sync this database by itself every so often (a systemd user timer)"),
	.options = enable_opts,
	.run = enable,
};

const struct cmd_entry cmd_autosync_disable_entry = {
	.name = "autosync disable",
	.usage = "autosync disable",
	.help = N_("stop syncing this database by itself"),
	.run = disable,
};

const struct cmd_entry cmd_autosync_status_entry = {
	.name = "autosync status",
	.usage = "autosync status [--json]",
	.help = N_("whether this database syncs by itself, its last and next try"),
	.options = status_opts,
	.run = status,
};
