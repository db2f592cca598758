// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Derived names never collide (issue 11, defect 1): a star of every size N in 1..5,000 (lab
 * "starN", as bench/star.sh names it), and 200 random lab names x 1,000 nodes. The model is
 * built here and the derivation called directly (nsli_derive_names(), what validation runs),
 * so that the 12.5 million names of the sweep cost seconds; a few sizes are loaded from YAML
 * as well and must get the very same names. No kernel, no privilege.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nslab/topo.h"
#include "../../topo/model-internal.h"
#include "macro.h"
#include "tap.h"

#define MAX_NODES 5000
#define PORTS 1000 /* per bridge, as bench/star.sh: a bridge has at most 1,023 */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A star of MAX_NODES nodes, one eth0 each, on bridges of PORTS ports; sized by star_set(). */
struct star {
	struct nsl_topo t;
	struct nsl_topo_node nodes[MAX_NODES];
	struct nsl_topo_iface ifaces[MAX_NODES];
	struct nsl_topo_bridge bridges[MAX_NODES / PORTS + 1];
	char node_names[MAX_NODES][8], br_names[MAX_NODES / PORTS + 1][8];
	char lab[32];
};

static struct star *star_new(void)
{
	struct star *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->t.name = s->lab;
	s->t.nodes = s->nodes;
	s->t.bridges = s->bridges;
	for (size_t b = 0; b < ELEMENTSOF(s->bridges); b++) {
		snprintf(s->br_names[b], sizeof(s->br_names[b]), "br%zu", b);
		s->bridges[b] = (struct nsl_topo_bridge){ .name = s->br_names[b], .node_idx = -1 };
	}
	for (int i = 0; i < MAX_NODES; i++) {
		snprintf(s->node_names[i], sizeof(s->node_names[i]), "n%d", i + 1);
		s->ifaces[i] = (struct nsl_topo_iface){ .name = "eth0", .bridge_idx = i / PORTS, .link_idx = -1 };
		s->nodes[i] = (struct nsl_topo_node){ .name = s->node_names[i], .ifaces = &s->ifaces[i], .n_ifaces = 1 };
	}
	return s;
}

/* "@a.@b" or "@a.@b.@c" into @out (128 bytes): snprintf would be most of the sweep's time. */
static void join(char *out, const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = c ? strlen(c) : 0;

	memcpy(out, a, la);
	out[la] = '.';
	memcpy(out + la + 1, b, lb);
	if (c) {
		out[la + 1 + lb] = '.';
		memcpy(out + la + 2 + lb, c, lc + 1);
	} else {
		out[la + 1 + lb] = '\0';
	}
}

/* Lab @lab of @n nodes: the full names (altnames) as validation writes them, no name derived. */
static void star_set(struct star *s, const char *lab, int n)
{
	snprintf(s->lab, sizeof(s->lab), "%s", lab);
	s->t.n_nodes = (size_t)n;
	s->t.n_bridges = (size_t)(n - 1) / PORTS + 1;
	for (size_t b = 0; b < s->t.n_bridges; b++) {
		join(s->bridges[b].altname, lab, s->br_names[b], NULL);
		s->bridges[b].ifname[0] = '\0';
	}
	for (int i = 0; i < n; i++) {
		join(s->ifaces[i].altname, lab, s->node_names[i], "eth0");
		s->ifaces[i].host[0] = '\0';
	}
}

/* An open-addressing set of kernel names: one netns's. A slot is in use when its generation
 * is the set's, so that emptying it is one increment. */
struct nameset {
	char (*v)[16];
	unsigned *gen;
	unsigned cur;
	size_t cap;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* 1: added, 0: there already. */
static int nameset_add(struct nameset *ns, const char *name)
{
	for (size_t k = fnv(name) & (ns->cap - 1);; k = (k + 1) & (ns->cap - 1)) {
		if (ns->gen[k] != ns->cur) {
			ns->gen[k] = ns->cur;
			memcpy(ns->v[k], name, 16);
			return 1;
		}
		if (!strcmp(ns->v[k], name))
			return 0;
	}
}

/* A derived name: 1..15 bytes, the readable form (no '~') or HEAD~TAG, TAG 5 base-36 digits. */
static bool well_formed(const char *s)
{
	size_t len = strnlen(s, 16), tilde = len;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '~' && tilde == len)
			tilde = i;
		else if (s[i] == '~')
			return false;
	if (len == 0 || len > 15)
		return false;
	if (tilde == len)
		return true;
	if (tilde == 0 || tilde != len - 6)
		return false;
	for (size_t i = tilde + 1; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z')))
			return false;
	return true;
}

/*
 * Derive the names of @s and check those of the root netns (the bridges and the bridge side
 * of every port): well formed and no two alike. Return: the number of tagged names, or -1
 * with @why.
 */
static int check_root(struct star *s, struct nameset *ns, char *why, size_t size)
{
	int tagged = 0;

	ns->cur++;
	for (size_t k = 0; k < s->t.n_bridges + s->t.n_nodes; k++) {
		const char *name = k < s->t.n_bridges ? s->bridges[k].ifname : s->ifaces[k - s->t.n_bridges].host;

		if (!well_formed(name))
			return snprintf(why, size, "bad name '%.16s'", name), -1;
		if (!nameset_add(ns, name))
			return snprintf(why, size, "'%s' twice", name), -1;
		tagged += strchr(name, '~') != NULL;
	}
	return tagged;
}

static int derive_and_check(struct star *s, struct nameset *ns, char *why, size_t size)
{
	int r = nsli_derive_names(&s->t, NULL);

	if (r < 0)
		return snprintf(why, size, "nsli_derive_names: %s", strerror(-r)), -1;
	return check_root(s, ns, why, size);
}

/* The check itself can fail: a name twice, a name too long, a malformed tag. */
static void checker_fails(struct star *s, struct nameset *ns)
{
	char why[128] = "";

	star_set(s, "big", 50);
	ok(derive_and_check(s, ns, why, sizeof(why)) == 0, "star of 50 in lab 'big': all readable (%s)", why);
	memcpy(s->ifaces[7].host, s->ifaces[3].host, 16);
	ok(check_root(s, ns, why, sizeof(why)) < 0 && !strcmp(why, "'big-n4-eth0' twice"), "a name twice is found (%s)",
	   why);
	memcpy(s->ifaces[7].host, "big-n8~ab1", 11);
	ok(check_root(s, ns, why, sizeof(why)) < 0 && strstr(why, "bad name"), "a malformed tag is found (%s)", why);
	memcpy(s->bridges[0].ifname, "0123456789abcdef", 16);
	memcpy(s->ifaces[7].host, "big-n8-eth0", 12);
	ok(check_root(s, ns, why, sizeof(why)) < 0 && strstr(why, "bad name"), "16 bytes is found (%s)", why);
}

/* The sweep's share of worker @k of @w: every N in 1..5,000 with N % @w == @k. */
struct share {
	int bad, tagged;
	char why[128], n99[16];
};

static void sweep_share(struct star *s, struct nameset *ns, int k, int w, struct share *sh)
{
	char lab[32];

	memset(sh, 0, sizeof(*sh));
	for (int n = k ? k : w; n <= MAX_NODES && !sh->bad; n += w) {
		int r;

		snprintf(lab, sizeof(lab), "star%d", n);
		star_set(s, lab, n);
		r = derive_and_check(s, ns, sh->why, sizeof(sh->why));
		if (r < 0)
			sh->bad = n;
		sh->tagged += r;
		/* "starN-nI-eth0" fits while N < 100 (15 bytes with n99): the node's name survives. */
		if (n == 99)
			memcpy(sh->n99, s->ifaces[98].host, sizeof(sh->n99));
	}
}

/*
 * Every N, in one worker process per CPU (at most 4): 12.5 million names are some seconds
 * of one CPU. Each worker writes its struct share to its pipe; a worker that dies is a failure.
 */
static void every_star(struct star *s, struct nameset *ns)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int w = cpus < 1 ? 1 : cpus > 4 ? 4 : (int)cpus, fds[4] = { -1, -1, -1, -1 }, tagged = 0, bad = 0;
	pid_t pids[4] = { 0 };
	struct share all = { 0 }, sh;
	double t0 = now_s();

	for (int k = 0; k < w; k++) {
		int p[2];

		if (pipe(p) < 0 || (pids[k] = fork()) < 0) {
			ok(0, "pipe/fork: %s", strerror(errno));
			return;
		}
		if (pids[k] == 0) {
			close(p[0]);
			sweep_share(s, ns, k, w, &sh);
			_exit(write(p[1], &sh, sizeof(sh)) == (ssize_t)sizeof(sh) ? 0 : 1);
		}
		close(p[1]);
		fds[k] = p[0];
	}
	for (int k = 0; k < w; k++) {
		int status = 0;
		bool got = read(fds[k], &sh, sizeof(sh)) == (ssize_t)sizeof(sh);

		close(fds[k]);
		if (waitpid(pids[k], &status, 0) < 0 || !got || !WIFEXITED(status) || WEXITSTATUS(status)) {
			snprintf(all.why, sizeof(all.why), "worker %d died (status %#x)", k, status);
			bad = -1;
			continue;
		}
		tagged += sh.tagged;
		if (sh.bad && !bad) {
			bad = sh.bad;
			memcpy(all.why, sh.why, sizeof(all.why));
		}
		if (sh.n99[0])
			memcpy(all.n99, sh.n99, sizeof(all.n99));
	}
	if (bad)
		ok(0, "every star of 1..5,000 nodes: failed at N=%d: %s", bad, all.why);
	else
		ok(1, "every star of 1..5,000 nodes: no name twice, all well formed (%d tagged names, %d workers, %.2f s)",
		   tagged, w, now_s() - t0);
	ok(!strcmp(all.n99, "star99-n99-eth0"), "the readable form is kept where it fits (star99: %s)", all.n99);
}

static void random_labs(struct star *s, struct nameset *ns)
{
	static const char cs[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
	uint64_t x = 0x2545f4914f6cdd1dULL;
	char why[128] = "", name[16] = "", bad_name[16] = "";
	double t0 = now_s();

	for (int k = 0; k < 200 && !bad_name[0]; k++) {
		size_t len;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		len = 1 + x % 12;
		for (size_t i = 0; i < len; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			name[i] = cs[x % (i ? sizeof(cs) - 1 : sizeof(cs) - 2)]; /* no leading '-' */
		}
		name[len] = '\0';
		star_set(s, name, 1000);
		if (derive_and_check(s, ns, why, sizeof(why)) < 0)
			snprintf(bad_name, sizeof(bad_name), "%s", name);
	}
	ok(!bad_name[0], "200 random lab names x 1,000 nodes: no name twice (%.2f s)%s%s%s%s", now_s() - t0,
	   bad_name[0] ? ": lab " : "", bad_name, bad_name[0] ? ": " : "", why);
}

/* The star as bench/star.sh and test-topo.c write it (the same nodes, bridges and ports). */
static char *star_yaml(const char *lab, int n, size_t *ret_len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, ret_len);

	if (!f)
		return NULL;
	fprintf(f, "name: %s\nbridges: { br0: { address: 10.0.0.1/8 }", lab);
	for (int b = 1; b <= (n - 1) / PORTS; b++)
		fprintf(f, ", br%d: {}", b);
	fputs(" }\nnodes:\n", f);
	for (int i = 1; i <= n; i++)
		fprintf(f, "  n%d: { interfaces: { eth0: { bridge: br%d, address: 10.%d.%d.%d/8 } } }\n", i,
			(i - 1) / PORTS, (i + 1) >> 16, ((i + 1) >> 8) & 255, (i + 1) & 255);
	fclose(f);
	return buf;
}

/* What the sweep derives is what loading the file derives: the same names, one for one. */
static void same_as_yaml(struct star *s, struct nameset *ns)
{
	static const int sizes[] = { 1, 99, 100, 999, 1000, 1001, 2500, 5000 };

	for (size_t k = 0; k < ELEMENTSOF(sizes); k++) {
		int n = sizes[k], diff = -1;
		char lab[32], why[128] = "";
		struct nsl_topo *t = NULL;
		struct nsl_err err = { 0 };
		size_t len = 0;
		char *text;

		snprintf(lab, sizeof(lab), "star%d", n);
		text = star_yaml(lab, n, &len);
		if (!text || nsl_topo_load("star.yaml", text, len, &t, &err) < 0) {
			ok(0, "star%d loads (%s)", n, err.msg);
			free(text);
			continue;
		}
		free(text);
		star_set(s, lab, n);
		derive_and_check(s, ns, why, sizeof(why));
		for (size_t i = 0; diff < 0 && i < t->n_bridges; i++)
			if (strcmp(t->bridges[i].ifname, s->bridges[i].ifname))
				diff = (int)i;
		for (size_t i = 0; diff < 0 && i < t->n_nodes; i++)
			if (strcmp(t->nodes[i].ifaces[0].host, s->ifaces[i].host) ||
			    strcmp(t->nodes[i].ifaces[0].altname, s->ifaces[i].altname))
				diff = (int)(i + t->n_bridges);
		ok(diff < 0 && t->n_nodes == (size_t)n && t->n_bridges == s->t.n_bridges,
		   "star%d: the names of the file are those of the sweep (first difference: %d)", n, diff);
		nsl_topo_free(t);
	}
}

int main(void)
{
	struct star *s;
	struct nameset ns = { .cap = 16384 };

	/* Each of the 5,200 derivations allocates its tables anew: keep the freed memory in the
	 * heap instead of mapping (and faulting in) fresh pages every time. */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	s = star_new();

	ns.v = calloc(ns.cap, sizeof(*ns.v));
	ns.gen = calloc(ns.cap, sizeof(*ns.gen));
	if (!s || !ns.v || !ns.gen) {
		ok(0, "out of memory");
		return tap_done();
	}
	checker_fails(s, &ns);
	every_star(s, &ns);
	random_labs(s, &ns);
	same_as_yaml(s, &ns);
	free(ns.v);
	free(ns.gen);
	free(s);
	return tap_done();
}
