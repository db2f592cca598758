// SPDX-License-Identifier: GPL-2.0-or-later
/* nslab dns set|show|del, hosts set|show|del, sysctl set|show */
#include <ctype.h>
#include <sys/socket.h>

#include "cli.h"
#include "macro.h"

static int netns_arg(struct cli *c, int argc, char **argv, bool more)
{
	struct nsl_err err = { 0 };

	if (argc < 1)
		return cli_usage(c, "missing NETNS");
	if (!more && argc > 1)
		return cli_usage(c, "unexpected argument '%s'", argv[1]);
	if (nsl_parse_nsname(argv[0], &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

/* ---- dns ---- */

/* dns set NETNS nameserver IP... [search DOMAIN...] [options OPT...]: sections, in any order. */
static int dns_set(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ struct nsl_prefix *ns = NULL;
	_cleanup_free_ const char **search = NULL, **options = NULL;
	struct nsl_dns dns = { 0 };
	struct nsl_err err = { 0 };
	const char *section = NULL;
	size_t *count = NULL;
	int r = netns_arg(c, argc, argv, true);

	if (r)
		return r;
	ns = calloc((size_t)argc, sizeof(*ns));
	search = calloc((size_t)argc, sizeof(*search));
	options = calloc((size_t)argc, sizeof(*options));
	if (!ns || !search || !options) {
		nsl_err_set(&err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
		return cli_fail(c, argv[0], &err);
	}
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (STREQ(w, "nameserver") || STREQ(w, "search") || STREQ(w, "options")) {
			if (section && count && *count == 0)
				return cli_usage(c, "'%s' needs a value", section);
			section = w;
			count = STREQ(w, "nameserver") ? &dns.n_nameservers
				: STREQ(w, "search")   ? &dns.n_search
						       : &dns.n_options;
			continue;
		}
		if (!section)
			return cli_usage(c, "unknown keyword '%s'", w);
		if (STREQ(section, "nameserver")) {
			if (nsl_parse_addr(w, &ns[dns.n_nameservers], &err) < 0)
				return cli_fail(c, w, &err);
			dns.n_nameservers++;
		} else if (STREQ(section, "search")) {
			search[dns.n_search++] = w;
		} else {
			options[dns.n_options++] = w;
		}
	}
	if (section && *count == 0)
		return cli_usage(c, "'%s' needs a value", section);
	if (dns.n_nameservers == 0)
		return cli_usage(c, "missing 'nameserver IP'");
	dns.nameservers = ns;
	dns.search = search;
	dns.options = options;
	if (nsl_dns_set(c->ctx, argv[0], &dns, &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

/* Words of a config line after its keyword, as a JSON array (text: nothing). */
static void words_array(struct cli *c, const char *key, char *rest)
{
	char *save = NULL;

	pr_array_begin(c, key);
	for (char *w = strtok_r(rest, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		pr_str(c, NULL, NULL, w);
	pr_array_end(c);
}

static void show_text(struct cli *c, const char *text)
{
	pr_text(c, "%s", text);
}

static void dns_json(struct cli *c, char *text)
{
	static const char *const keys[] = { "nameserver", "search", "options" };
	static const char *const json_keys[] = { "nameservers", "search", "options" };
	char *save = NULL;
	char *lines[3] = { 0 }; /* all values of a key, gathered */
	size_t cap = strlen(text) + 1;

	for (size_t k = 0; k < 3; k++) {
		lines[k] = calloc(1, cap);
		if (!lines[k])
			goto out;
	}
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		for (size_t k = 0; k < 3; k++) {
			size_t kl = strlen(keys[k]);

			if (strncmp(l, keys[k], kl) == 0 && (l[kl] == ' ' || l[kl] == '\t')) {
				strcat(lines[k], " ");
				strcat(lines[k], l + kl);
			}
		}
	pr_obj_begin(c, NULL);
	for (size_t k = 0; k < 3; k++)
		words_array(c, json_keys[k], lines[k]);
	pr_obj_end(c);
out:
	for (size_t k = 0; k < 3; k++)
		free(lines[k]);
}

static int dns_show(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ char *text = NULL;
	struct nsl_err err = { 0 };
	int r = netns_arg(c, argc, argv, false);

	if (r)
		return r;
	if (nsl_dns_get(c->ctx, argv[0], &text, &err) < 0)
		return cli_fail(c, argv[0], &err);
	if (c->json)
		dns_json(c, text);
	else
		show_text(c, text);
	return 0;
}

static int dns_del(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };
	int r = netns_arg(c, argc, argv, false);

	if (r)
		return r;
	if (nsl_dns_del(c->ctx, argv[0], &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

static const struct cli_verb dns_verbs[] = {
	{ "set", dns_set },
	{ "show", dns_show },
	{ "del", dns_del },
	{ NULL, NULL },
};

const struct cli_object cli_obj_dns = {
	.name = "dns",
	.verbs = dns_verbs,
	.usage = "Usage: nslab dns set NETNS nameserver IP... [search DOMAIN...] [options OPT...]\n"
		 "       nslab dns show NETNS\n"
		 "       nslab dns del NETNS\n"
		 "Writes ETC_DIR/NETNS/resolv.conf (default /etc/netns), which 'ip netns exec' and\n"
		 "'nslab netns exec' show as /etc/resolv.conf. 1 to 3 nameservers, up to 6 search\n"
		 "domains, options like ndots:2 or rotate. set replaces the whole file.\n",
};

/* ---- hosts ---- */

/* A word that can only be meant as an address: one with a colon, or only digits and dots. */
static bool looks_like_addr(const char *w)
{
	if (strchr(w, ':'))
		return true;
	for (const char *p = w; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return false;
	return true;
}

/* hosts set NETNS IP NAME... [IP NAME...]...: each address starts a new line of the file. */
static int hosts_set(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ struct nsl_host_entry *e = NULL;
	_cleanup_free_ const char **names = NULL;
	struct nsl_err err = { 0 };
	size_t n = 0, n_names = 0;
	int r = netns_arg(c, argc, argv, true);

	if (r)
		return r;
	if (argc < 3)
		return cli_usage(c, "missing 'IP NAME...'");
	e = calloc((size_t)argc, sizeof(*e));
	names = calloc((size_t)argc, sizeof(*names));
	if (!e || !names) {
		nsl_err_set(&err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
		return cli_fail(c, argv[0], &err);
	}
	for (int i = 1; i < argc; i++) {
		struct nsl_prefix p;

		if (nsl_parse_addr(argv[i], &p, NULL) == 0) {
			if (n > 0 && e[n - 1].n_names == 0)
				return cli_usage(c, "address '%s' has no names", argv[i - 1]);
			e[n].addr = p;
			e[n].names = &names[n_names];
			n++;
			continue;
		}
		if (looks_like_addr(argv[i])) {
			nsl_parse_addr(argv[i], &p, &err);
			return cli_fail(c, argv[i], &err);
		}
		if (n == 0)
			return cli_usage(c, "'%s' is not an address; expected IP NAME...", argv[i]);
		names[n_names++] = argv[i];
		e[n - 1].n_names++;
	}
	if (e[n - 1].n_names == 0)
		return cli_usage(c, "address '%s' has no names", argv[argc - 1]);
	if (nsl_hosts_set(c->ctx, argv[0], e, n, &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

static void hosts_json(struct cli *c, char *text)
{
	char *save = NULL;

	pr_array_begin(c, NULL);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(l, '#'), *wsave = NULL, *addr;

		if (hash)
			*hash = '\0';
		addr = strtok_r(l, " \t", &wsave);
		if (!addr)
			continue;
		pr_obj_begin(c, NULL);
		pr_str(c, "address", NULL, addr);
		words_array(c, "names", wsave ? wsave : (char *)"");
		pr_obj_end(c);
	}
	pr_array_end(c);
}

static int hosts_show(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ char *text = NULL;
	struct nsl_err err = { 0 };
	int r = netns_arg(c, argc, argv, false);

	if (r)
		return r;
	if (nsl_hosts_get(c->ctx, argv[0], &text, &err) < 0)
		return cli_fail(c, argv[0], &err);
	if (c->json)
		hosts_json(c, text);
	else
		show_text(c, text);
	return 0;
}

static int hosts_del(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };
	int r = netns_arg(c, argc, argv, false);

	if (r)
		return r;
	if (nsl_hosts_del(c->ctx, argv[0], &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

static const struct cli_verb hosts_verbs[] = {
	{ "set", hosts_set },
	{ "show", hosts_show },
	{ "del", hosts_del },
	{ NULL, NULL },
};

const struct cli_object cli_obj_hosts = {
	.name = "hosts",
	.verbs = hosts_verbs,
	.usage = "Usage: nslab hosts set NETNS IP NAME... [IP NAME...]...\n"
		 "       nslab hosts show NETNS\n"
		 "       nslab hosts del NETNS\n"
		 "Writes ETC_DIR/NETNS/hosts (default /etc/netns): the localhost lines, then one line\n"
		 "per IP with the names that follow it, e.g.\n"
		 "  nslab hosts set h1 10.0.0.1 h1 h1.lab 10.0.0.2 h2 fd00::2 h2\n"
		 "set replaces the whole file.\n",
};

/* ---- sysctl ---- */

static int sysctl_set(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };

	if (argc < 2)
		return cli_usage(c, argc ? "missing VALUE" : "missing KEY VALUE");
	if (argc > 2)
		return cli_usage(c, "unexpected argument '%s'", argv[2]);
	if (nsl_sysctl_set(c->ctx, NULL, argv[0], argv[1], &err) < 0)
		return cli_fail(c, argv[0], &err);
	return 0;
}

static int sysctl_show(struct cli *c, int argc, char **argv)
{
	struct nsl_err err = { 0 };
	char value[4096];

	if (argc < 1)
		return cli_usage(c, "missing KEY");
	if (argc > 1)
		return cli_usage(c, "unexpected argument '%s'", argv[1]);
	if (nsl_sysctl_get(c->ctx, NULL, argv[0], value, sizeof(value), &err) < 0)
		return cli_fail(c, argv[0], &err);
	pr_obj_begin(c, NULL);
	pr_str(c, "key", "%s = ", argv[0]);
	pr_str(c, "value", "%s\n", value);
	pr_obj_end(c);
	return 0;
}

static const struct cli_verb sysctl_verbs[] = {
	{ "set", sysctl_set },
	{ "show", sysctl_show },
	{ NULL, NULL },
};

const struct cli_object cli_obj_sysctl = {
	.name = "sysctl",
	.verbs = sysctl_verbs,
	.usage = "Usage: nslab [-n NETNS] sysctl set KEY VALUE\n"
		 "       nslab [-n NETNS] sysctl show KEY\n"
		 "KEY is a net.* sysctl in dotted form (net.ipv4.ip_forward); it applies to the\n"
		 "netns given with -n, else to the current one.\n",
};
