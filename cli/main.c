// SPDX-License-Identifier: GPL-2.0-or-later
/* nslab: global options, the object table, batch mode, error reporting. */
#include <dirent.h>
#include <getopt.h>
#include <stdarg.h>
#include <sys/resource.h>

#include "cli.h"
#include "macro.h"

/* Objects, in the order `nslab help` lists them. */
static const struct cli_object *const objects[] = {
	&cli_obj_netns,	 &cli_obj_veth,	  &cli_obj_bridge, &cli_obj_link,  &cli_obj_addr,
	&cli_obj_route,	 &cli_obj_dns,	  &cli_obj_hosts,  &cli_obj_sysctl, &cli_obj_nic,
	&cli_obj_run,	 &cli_obj_enter,  &cli_obj_up,	   &cli_obj_down,  &cli_obj_status,
	&cli_obj_plan,	 &cli_obj_graph,  &cli_obj_test,   &cli_obj_exec,	  &cli_obj_logs,
	&cli_obj_convert,
};

static const char usage_text[] =
	"Usage: nslab [OPTIONS] OBJECT VERB [ARGS]\n"
	"       nslab [OPTIONS] -b FILE|-\n"
	"Objects: netns veth bridge link addr route dns hosts sysctl nic run enter\n"
	"Lab verbs: up down status plan graph test exec logs convert\n"
	"Options:\n"
	"  -j, --json            one JSON value per command on stdout\n"
	"  -p, --pretty          indent JSON\n"
	"  -n, --netns NS        run the verb inside netns NS (like ip -n): a name, pid:PID\n"
	"                        (the netns of process PID) or a path\n"
	"  -b, --batch FILE|-    one command per line; stop at the first error unless --force\n"
	"      --force           with -b: go on after errors\n"
	"  -q, --quiet           no progress output\n"
	"      --run-dir DIR     named netns files (default /var/run/netns)\n"
	"      --etc-dir DIR     per-netns /etc files (default /etc/netns)\n"
	"      --state-dir DIR   lab state (default /run/nslab)\n"
	"  -V, --version         print the version\n"
	"  -h, --help            print this help\n"
	"Run 'nslab OBJECT help' for an object's verbs.\n";

int cli_exit_code(enum nsl_err_kind kind)
{
	switch (kind) {
	case NSL_E_USAGE:
		return 1;
	case NSL_E_CONFLICT:
		return 3;
	case NSL_E_PARTIAL:
		return 4;
	case NSL_E_SYSTEM:
	case NSL_E_NONE:
	default:
		return 2;
	}
}

static void json_error(struct cli *c, const char *name, const char *msg, int code, int exitc)
{
	if (!c->json)
		return;
	printf("{\"error\":{\"object\":");
	pr_json_string(stdout, c->object ? c->object : "");
	printf(",\"verb\":");
	pr_json_string(stdout, c->verb ? c->verb : "");
	printf(",\"name\":");
	pr_json_string(stdout, name ? name : "");
	printf(",\"message\":");
	pr_json_string(stdout, msg);
	printf(",\"errno\":%d,\"exit_code\":%d}}\n", code < 0 ? -code : code, exitc);
	fflush(stdout);
}

static void prefix(struct cli *c)
{
	fputs("nslab", stderr);
	if (c->object) {
		fprintf(stderr, ": %s", c->object);
		if (c->verb)
			fprintf(stderr, " %s", c->verb);
	}
}

int cli_fail(struct cli *c, const char *name, const struct nsl_err *err)
{
	return cli_fail_exit(c, name, err, cli_exit_code(err->kind));
}

int cli_fail_exit(struct cli *c, const char *name, const struct nsl_err *err, int exitc)
{
	char msg[2048], safe[512];

	nsl_err_format(err, msg, sizeof(msg));
	if (!name || !*name)
		name = err->object[0] ? err->object : NULL;
	/* A name is shown as typed, less what would break the one line (see nsl_str_escape). */
	if (name)
		name = nsl_str_escape(name, safe, sizeof(safe));
	prefix(c);
	if (name)
		fprintf(stderr, " '%s'", name);
	fprintf(stderr, ": %s\n", msg);
	json_error(c, name, msg, err->code, exitc);
	return exitc;
}

int cli_usage(struct cli *c, const char *fmt, ...)
{
	char raw[512], msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	nsl_str_escape(raw, msg, sizeof(msg));
	prefix(c);
	fprintf(stderr, ": %s\n", msg);
	if (c->object)
		fprintf(stderr, "Try 'nslab %s help'.\n", c->object);
	else
		fprintf(stderr, "Try 'nslab --help'.\n");
	json_error(c, NULL, msg, EINVAL, 1);
	return 1;
}

static const struct cli_object *find_object(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(objects); i++)
		if (STREQ(objects[i]->name, name))
			return objects[i];
	return NULL;
}

static int dispatch(struct cli *c, int argc, char **argv)
{
	const struct cli_object *o;
	int r;

	c->object = c->verb = NULL;
	if (argc < 1)
		return cli_usage(c, "no object given");
	o = find_object(argv[0]);
	if (!o)
		return cli_usage(c, "unknown object '%s'", argv[0]);
	c->object = o->name;
	if (argc >= 2 && (STREQ(argv[1], "help") || STREQ(argv[1], "--help") || STREQ(argv[1], "-h"))) {
		fputs(o->usage, stdout);
		return 0;
	}
	pr_init(c);
	if (o->direct) {
		r = o->direct(c, argc - 1, argv + 1);
		pr_flush(c);
		return r;
	}
	if (argc < 2)
		return cli_usage(c, "no verb given");
	for (const struct cli_verb *v = o->verbs; v->name; v++)
		if (STREQ(v->name, argv[1])) {
			c->verb = v->name;
			r = v->fn(c, argc - 2, argv + 2);
			pr_flush(c);
			return r;
		}
	return cli_usage(c, "unknown verb '%s'", argv[1]);
}

/* Split a batch line into words: whitespace separates, '…' and "…" quote, \ escapes, # comments. */
static int split_line(char *line, char **words, int max, const char **ret_err)
{
	int n = 0;
	char *r = line, *w = line;

	for (;;) {
		char q = 0;

		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r || *r == '#' || *r == '\n')
			break;
		if (n >= max) {
			*ret_err = "too many words";
			return -1;
		}
		words[n++] = w;
		for (; *r && (q || (*r != ' ' && *r != '\t' && *r != '\n')); r++) {
			if (q && *r == q) {
				q = 0;
			} else if (!q && (*r == '\'' || *r == '"')) {
				q = *r;
			} else if (*r == '\\' && q != '\'') {
				if (!r[1] || r[1] == '\n') {
					*ret_err = "'\\' at end of line";
					return -1;
				}
				*w++ = *++r;
			} else {
				*w++ = *r;
			}
		}
		if (q) {
			*ret_err = "unterminated quote";
			return -1;
		}
		if (*r)
			r++;
		*w++ = '\0';
	}
	return n;
}

#define BATCH_LINE_MAX 65536

/*
 * One line of at most BATCH_LINE_MAX bytes (newline excluded) into @buf. getline() would
 * grow without bound on a file with no newline (`-b /dev/zero`), and hide a NUL byte that
 * cuts a word short ("netns add a\0b" would add "a").
 * Return: 1 with a line, 0 at EOF, -E2BIG for a longer line, -EILSEQ for a NUL byte.
 */
static int read_batch_line(FILE *f, char *buf)
{
	size_t n = 0;
	int ch;

	while ((ch = getc_unlocked(f)) != EOF && ch != '\n') {
		if (ch == '\0')
			return -EILSEQ;
		if (n == BATCH_LINE_MAX)
			return -E2BIG;
		buf[n++] = (char)ch;
	}
	buf[n] = '\0';
	return ch == EOF && n == 0 ? 0 : 1;
}

static int run_batch(struct cli *c, const char *path)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	char spath[512];
	unsigned lineno = 0;
	int ret = 0, got;

	nsl_str_escape(path, spath, sizeof(spath));
	f = STREQ(path, "-") ? fdopen(dup(0), "re") : fopen(path, "re");
	if (!f) {
		fprintf(stderr, "nslab: batch '%s': %s\n", spath, strerror(errno));
		return 1;
	}
	line = malloc(BATCH_LINE_MAX + 1);
	if (!line) {
		fprintf(stderr, "nslab: batch '%s': %s\n", spath, strerror(ENOMEM));
		return 1;
	}
	while ((got = read_batch_line(f, line)) != 0) {
		char *words[256];
		const char *why = NULL;
		int n, r;

		lineno++;
		/* Not a text batch file: nothing after it can be trusted, --force or not. */
		if (got < 0) {
			fprintf(stderr, "nslab: batch '%s' line %u: %s\n", spath, lineno,
				got == -E2BIG ? "line longer than 65536 bytes" : "NUL byte in line");
			return 1;
		}
		n = split_line(line, words, (int)ELEMENTSOF(words), &why);
		if (n < 0) {
			fprintf(stderr, "nslab: batch '%s' line %u: %s\n", spath, lineno, why);
			r = 1;
		} else if (n == 0) {
			continue;
		} else {
			optind = 0;
			r = dispatch(c, n, words);
		}
		if (r != 0) {
			ret = r;
			if (!c->force) {
				fprintf(stderr, "nslab: batch '%s': stopped at line %u\n", spath, lineno);
				break;
			}
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "nslab: batch '%s': %s\n", spath, strerror(errno));
		return 1;
	}
	return ret;
}

/*
 * NSLAB_CHECK_FDS=1 (the test suite sets it): any fd that nslab opened and did not close by
 * exit is an error. Fds inherited from the caller (a shell's 10 or 255) are not ours.
 */
static unsigned char inherited_fds[1024];

static int scan_fds(bool report)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int leaked = 0;

	if (!secure_getenv("NSLAB_CHECK_FDS"))
		return 0;
	d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
			continue;
		if (!report) {
			if (fd < (int)sizeof(inherited_fds))
				inherited_fds[fd] = 1;
			continue;
		}
		if (fd < (int)sizeof(inherited_fds) && inherited_fds[fd])
			continue;
		fprintf(stderr, "nslab: fd %d left open at exit\n", fd);
		leaked++;
	}
	return leaked ? 99 : 0;
}

/* A lab of a thousand nodes keeps one netlink socket per netns: lift the soft fd limit. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max && rl.rlim_cur < 65536) {
		rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The directory options and the environment variables that stand in for them. */
static const struct {
	const char *opt, *env;
} dir_opts[_NSL_DIR_MAX] = {
	[NSL_DIR_RUN] = { "--run-dir", "NSLAB_RUN_DIR" },
	[NSL_DIR_ETC] = { "--etc-dir", "NSLAB_ETC_DIR" },
	[NSL_DIR_STATE] = { "--state-dir", "NSLAB_STATE_DIR" },
	[NSL_DIR_LIBEXEC] = { NULL, "NSLAB_LIBEXEC_DIR" },
};

/* A build tree, or a relocated install, keeps nslab-supervise beside nslab: use that one
 * unless NSLAB_LIBEXEC_DIR says otherwise (as git finds its helpers beside itself). */
static void libexec_beside_self(struct nsl_ctx *ctx)
{
	char self[PATH_MAX], helper[PATH_MAX + 32];
	ssize_t n;
	char *slash;

	if (secure_getenv("NSLAB_LIBEXEC_DIR"))
		return;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash || slash == self)
		return;
	*slash = '\0';
	snprintf(helper, sizeof(helper), "%s/nslab-supervise", self);
	if (access(helper, X_OK) == 0)
		nsl_ctx_set_dir(ctx, NSL_DIR_LIBEXEC, self, NULL);
}

enum { OPT_FORCE = 256, OPT_RUN_DIR, OPT_ETC_DIR, OPT_STATE_DIR };

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "netns", required_argument, NULL, 'n' },
	{ "batch", required_argument, NULL, 'b' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ "run-dir", required_argument, NULL, OPT_RUN_DIR },
	{ "etc-dir", required_argument, NULL, OPT_ETC_DIR },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ 0 },
};

static const char short_opts[] = "+jpn:b:qVh";

/* 1 when the option needs a value, 0 when it takes none, -1 when there is no such option. */
static int short_opt_arg(char ch)
{
	const char *p = ch != ':' && ch != '+' ? strchr(short_opts, ch) : NULL;

	return !p ? -1 : p[1] == ':';
}

/* --NAME or --NAME=VALUE, NAME spelled in full. Return as short_opt_arg(), or -2 for a value
 * given to an option that takes none. */
static int long_opt_arg(const char *word, bool *ret_inline)
{
	const char *name = word + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);

	for (const struct option *o = long_opts; o->name; o++) {
		if (strlen(o->name) != len || strncmp(o->name, name, len) != 0)
			continue;
		*ret_inline = eq;
		if (o->has_arg == no_argument)
			return eq ? -2 : 0;
		return 1;
	}
	return -1;
}

/*
 * getopt_long takes any unambiguous prefix of a long option (--js for --json) and a value
 * glued to a short option (-br is -b r, what `ip -br` users type). Neither is nslab's
 * grammar (DESIGN §2: exact keywords): the words getopt_long is about to read are checked
 * first. Long options are spelled in full (a value as --NAME=VALUE or the next word);
 * short options without a value may be grouped (-jp); one that takes a value (-n, -b)
 * ends its word, and the value is the next word.
 */
static int check_options(struct cli *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool inline_val = false;
		int r = 0;

		if (a[0] != '-' || !a[1] || STREQ(a, "--"))
			return 0;
		if (a[1] == '-') {
			r = long_opt_arg(a, &inline_val);
			if (r == -2) {
				a = strndupa(a, strcspn(a, "="));
				return cli_usage(c, "option '%s' takes no value", a);
			}
		} else {
			for (const char *p = a + 1; *p && r == 0; p++) {
				r = short_opt_arg(*p);
				if (r == 1 && p[1])
					return cli_usage(c, "unknown option '%s': -%c takes its value as the next word",
							 a, *p);
			}
		}
		if (r < 0)
			return cli_usage(c, "unknown option '%s'", a);
		if (r == 1 && !inline_val && ++i >= argc)
			return cli_usage(c, "option '%s' needs a value", a);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	const char *batch = NULL, *netns = NULL;
	const char *dirs[_NSL_DIR_MAX] = { 0 };
	struct nsl_err err = { 0 };
	int opt, r;

	scan_fds(false);
	r = check_options(&c, argc, argv);
	if (r)
		return r;
	while ((opt = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case 'p':
			c.pretty = true;
			break;
		case 'n':
			netns = optarg;
			break;
		case 'b':
			batch = optarg;
			break;
		case OPT_FORCE:
			c.force = true;
			break;
		case 'q':
			c.quiet = true;
			break;
		case 'V':
			printf("nslab %s\n", NSLAB_VERSION);
			return 0;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case OPT_RUN_DIR:
			dirs[NSL_DIR_RUN] = optarg;
			break;
		case OPT_ETC_DIR:
			dirs[NSL_DIR_ETC] = optarg;
			break;
		case OPT_STATE_DIR:
			dirs[NSL_DIR_STATE] = optarg;
			break;
		default:
			fprintf(stderr, "Try 'nslab --help'.\n");
			return 1;
		}
	}
	if (!batch && optind >= argc) {
		fprintf(stderr, "nslab: no object given\nTry 'nslab --help'.\n");
		return 1;
	}
	if (!batch && STREQ(argv[optind], "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	raise_nofile();
	/* An option stands in for its variable, so that a bad variable is no error then. */
	for (int i = 0; i < _NSL_DIR_MAX; i++)
		if (dirs[i] && dir_opts[i].env)
			unsetenv(dir_opts[i].env);
	r = nsl_ctx_new(&c.ctx, &err);
	if (r < 0) {
		for (int i = 0; i < _NSL_DIR_MAX; i++) {
			const char *e = secure_getenv(dir_opts[i].env);

			if (e && e[0] != '/')
				c.object = dir_opts[i].env;
		}
		return cli_fail(&c, NULL, &err);
	}
	libexec_beside_self(c.ctx);
	for (int i = 0; i < _NSL_DIR_MAX; i++) {
		const char *dir = dirs[i], *what = dir_opts[i].opt;

		/* The environment's overrides were checked by nsl_ctx_new(). */
		if (dir && nsl_ctx_set_dir(c.ctx, (enum nsl_dir)i, dir, &err) < 0) {
			c.object = what;
			r = cli_fail(&c, dir, &err);
			goto out;
		}
	}
	if (netns && nsl_ctx_set_netns(c.ctx, netns, &err) < 0) {
		c.object = "-n";
		r = cli_fail(&c, netns, &err);
		goto out;
	}
	c.argv0_netns = netns;
	if (batch)
		r = optind < argc ? (fprintf(stderr, "nslab: -b takes no other arguments\n"), 1)
				  : run_batch(&c, batch);
	else
		r = dispatch(&c, argc - optind, argv + optind);
out:
	nsl_ctx_free(c.ctx);
	fflush(stdout);
	return r ? r : scan_fds(true);
}
