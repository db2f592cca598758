// SPDX-License-Identifier: GPL-2.0-or-later
/* Topology loader, validator, derived names and graph rendering: no kernel, no privilege. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <stdlib.h>

#include "nslab/netconf.h"
#include "nslab/topo.h"
#include "../../topo/topo-internal.h"
#include "tap.h"
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int load(const char *text, struct nsl_topo **t, struct nsl_err *err)
{
	memset(err, 0, sizeof(*err));
	return nsl_topo_load("t.yaml", text, strlen(text), t, err);
}

static void bad(const char *text, unsigned line, unsigned col, const char *msg)
{
	struct nsl_topo *t = NULL;
	struct nsl_err err;
	int r = load(text, &t, &err);

	ok(r == -EINVAL && err.kind == NSL_E_USAGE && err.line == line && err.column == col &&
		   strstr(err.msg, msg) != NULL,
	   "bad %u:%u '%s' (got %d %u:%u '%s')", line, col, msg, r, err.line, err.column, err.msg);
	nsl_topo_free(t);
}

/* A bridge's mtu is its ports' (the kernel lowers a bridge to its smallest port's MTU). */
static void bridge_mtu(void)
{
	static const char m[] = "name: m\n"
				"bridges: { jumbo: { mtu: 9000 }, plain: {} }\n"
				"nodes:\n"
				"  a:\n"
				"    interfaces:\n"
				"      eth0: { bridge: jumbo, address: \"fd00::1/64\" }\n"
				"      eth1: { bridge: plain, mtu: 1400 }\n"
				"      eth2: { bridge: jumbo, mtu: 9000 }\n"
				"  b: { interfaces: { eth0: { bridge: plain } } }\n";
	struct nsl_topo *t = NULL;
	struct nsl_err err;

	ok(load(m, &t, &err) == 0, "mtu lab loads (%s)", err.msg);
	if (t) {
		ok(t->nodes[0].ifaces[0].mtu == 9000, "a port of an mtu-9000 bridge has mtu 9000 (%u)",
		   t->nodes[0].ifaces[0].mtu);
		ok(t->nodes[0].ifaces[2].mtu == 9000 && t->bridges[0].mtu == 9000, "the same mtu given twice is fine");
		ok(t->nodes[0].ifaces[1].mtu == 1400 && t->nodes[1].ifaces[0].mtu == 0 && t->bridges[1].mtu == 0,
		   "a bridge without mtu leaves its ports alone");
	}
	nsl_topo_free(t);
	bad("name: x\nbridges: { b: { mtu: 9000 } }\nnodes:\n  a: { interfaces: { e: { bridge: b, mtu: 1500 } } }\n",
	    4, 43, "mtu 1500 differs from the mtu 9000 of its bridge 'b'");
	bad("name: x\nbridges: { b: { mtu: 1200, address: \"fd00::1/64\" } }\nnodes: { a: { interfaces: { e: { bridge: b } } } }\n",
	    2, 12, "bridge 'b' has IPv6 addresses: its mtu 1200 is below 1280");
	bad("name: x\nbridges: { b: { mtu: 1200 } }\nnodes: { a: { interfaces: { e: { bridge: b, address: \"fd00::2/64\" } } } }\n",
	    3, 29, "its mtu 1200 is below 1280");
	bad("name: x\nnodes:\n  a: { interfaces: { e: { mtu: 1500 } } }\n  b: {}\nlinks: [ { endpoints: [a:e, b:e], mtu: 9000 } ]\n",
	    3, 32, "mtu 1500 differs from the mtu 9000 of its link");
	bad("name: x\nnodes:\n  a: { interfaces: { e: { mtu: 1500 } } }\n  b: { interfaces: { e: { mtu: 9000 } } }\nlinks: [ { endpoints: [a:e, b:e] } ]\n",
	    4, 32, "mtu 9000 differs from the mtu 1500 of its link");
}

/* A FIFO (or a directory) as the file: refused at once, never read (an open() of a FIFO for
 * reading waits for a writer). */
static void not_regular(void)
{
	char dir[] = "/tmp/nslab-fXXXXXX", path[64];
	struct nsl_topo *t = NULL;
	struct nsl_err err = { 0 };
	int r;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/fifo.yaml", dir);
	ok(mkfifo(path, 0600) == 0, "mkfifo");
	alarm(20);
	r = nsl_topo_load(path, NULL, 0, &t, &err);
	alarm(0);
	ok(r == -EINVAL && err.kind == NSL_E_USAGE && strstr(err.msg, "not a regular file (a FIFO)") &&
		   !strcmp(err.object, path),
	   "a FIFO is refused without blocking (%d '%s' '%s')", r, err.msg, err.object);
	memset(&err, 0, sizeof(err));
	ok(nsl_topo_load(dir, NULL, 0, &t, &err) == -EINVAL && strstr(err.msg, "a directory"),
	   "a directory is refused ('%s')", err.msg);
	unlink(path);
	rmdir(dir);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Load the @len bytes of @text from a file, as `nslab plan FILE` does. */
static int load_via_file(const char *text, size_t len, struct nsl_topo **t, struct nsl_err *err,
			 double *secs)
{
	char path[] = "/tmp/nslab-bigXXXXXX";
	int fd = mkstemp(path), r;
	double t0;

	memset(err, 0, sizeof(*err));
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		if (fd >= 0)
			close(fd);
		unlink(path);
		return -EIO;
	}
	close(fd);
	t0 = now_s();
	r = nsl_topo_load(path, NULL, 0, t, err);
	*secs = now_s() - t0;
	unlink(path);
	return r;
}

/*
 * Validation is O(n log n) at worst: 200,000 nodes, and as many bridge ports, links and
 * expectations as fit in the 4 MiB a file may have. alarm() is a liveness bound, generous on
 * purpose (the quadratic checks took minutes here); the times are printed, not asserted.
 */
static void big_labs(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct nsl_topo *t = NULL;
	struct nsl_err err;
	double secs = 0;
	int r;

	/* A bridge has at most 1,023 ports: 12 root bridges b, b1..b11 and 4 in node n200000. */
	fputs("name: big\nbridges:\n  b: { address: 10.0.0.1/8, mtu: 9000 }\n  in: { netns: n200000 }\n", f);
	for (int k = 1; k < 12; k++)
		fprintf(f, "  b%d: { mtu: 9000 }\n", k);
	fputs("  in1: { netns: n200000 }\n  in2: { netns: n200000 }\n  in3: { netns: n200000 }\nnodes:\n", f);
	for (int i = 1; i <= 200000; i++) {
		if (i <= 1000) /* a star on b, a route via the bridge each */
			fprintf(f, "  n%d: { interfaces: { e: { bridge: b, address: 10.%d.%d.%d/8 } }, routes: [\"default via 10.0.0.1\"] }\n",
				i, (i + 1) >> 16, ((i + 1) >> 8) & 255, (i + 1) & 255);
		else if (i <= 12000) /* and on b1..b11 */
			fprintf(f, "  n%d: { interfaces: { e: { bridge: b%d, address: 10.%d.%d.%d/8 } } }\n", i,
				(i - 1) / 1000, (i + 1) >> 16, ((i + 1) >> 8) & 255, (i + 1) & 255);
		else if (i <= 13000) /* ports of bridges inside node n200000 */
			fprintf(f, "  n%d: { interfaces: { e: { bridge: in } } }\n", i);
		else if (i <= 16000)
			fprintf(f, "  n%d: { interfaces: { e: { bridge: in%d } } }\n", i, (i - 12001) / 1000);
		else
			fprintf(f, "  n%d:\n", i);
	}
	fputs("links:\n", f);
	for (int i = 16001; i <= 32000; i += 2) /* pairs of nodes, and a hub with 8,000 links */
		fprintf(f, "  - { endpoints: [n%d:l, n%d:l] }\n  - { endpoints: [n200000:h%d, n%d:h] }\n", i, i + 1,
			i, i);
	fputs("expect:\n", f);
	for (int i = 1; i < 2000; i++)
		fprintf(f, "  - { from: n%d, to: n%d }\n", i + 1, i);
	fclose(f);
	ok(len < NSL_TOPO_MAX_SIZE, "the 200,000-node file is within 4 MiB (%zu bytes)", len);
	alarm(60);
	r = load_via_file(buf, len, &t, &err, &secs);
	alarm(0);
	ok(r == 0 && t && t->n_nodes == 200000 && t->n_links == 16000 && t->n_expects == 1999,
	   "200,000 nodes validated in %.2f s (%d %s)", secs, r, err.msg);
	if (t) {
		ok(t->nodes[199999].n_ifaces == 8000 && t->nodes[0].ifaces[0].mtu == 9000 &&
			   t->bridges[1].node_idx == 199999 && t->expects[1998].addr.addr[3] == 0xd0,
		   "hub interfaces, inherited mtu, bridge netns, expect resolved");
	}
	t = nsl_topo_free(t);
	free(buf);

	/* The largest star that fits (60 bridges of 1,000 ports, on line 2), then a duplicate
	 * address after its last port. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	fputs("name: s\nbridges: { b0: { address: 10.0.0.1/8 }", f);
	for (int k = 1; k < 60; k++)
		fprintf(f, ", b%d: {}", k);
	fputs(" }\n# 60,000 ports\nnodes:\n", f);
	for (int i = 1; i <= 60000; i++)
		fprintf(f, "  n%d: {interfaces: {e: {bridge: b%d, address: 10.%d.%d.%d/8}}}\n", i, (i - 1) / 1000,
			(i + 1) >> 16, ((i + 1) >> 8) & 255, (i + 1) & 255);
	fflush(f);
	alarm(60);
	r = load_via_file(buf, len, &t, &err, &secs);
	ok(r == 0, "a 60,000-port star validated in %.2f s (%zu bytes, %s)", secs, len, err.msg);
	t = nsl_topo_free(t);
	fputs("  x: {interfaces: {e: {bridge: b0, address: 10.0.0.100/8}}}\n", f);
	fclose(f);
	r = load_via_file(buf, len, &t, &err, &secs);
	ok(r == -EINVAL && err.line == 60005 &&
		   strstr(err.msg, "address 10.0.0.100 is used twice on one segment (also at line 103)"),
	   "a duplicate address after 60,000 ports (%u:%u %s)", err.line, err.column, err.msg);
	t = nsl_topo_free(t);
	free(buf);

	/* 5,000 ports over 5 bridges, two of them with one readable form: both tagged, apart
	 * (this collided once); a duplicate key after 100,000. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	fputs("name: big\nbridges: { b0: {}, b1: {}, b2: {}, b3: {}, b4: {} }\nnodes:\n", f);
	for (int i = 1; i <= 5000; i++)
		fprintf(f, "  n%d: {interfaces: {e: {bridge: b%d}}}\n", i, (i - 1) / 1000);
	fputs("  x-y: {interfaces: {e: {bridge: b0}}}\n  x: {interfaces: {y-e: {bridge: b1}}}\n", f);
	fclose(f);
	r = load_via_file(buf, len, &t, &err, &secs);
	ok(r == 0 && t && strchr(t->nodes[5000].ifaces[0].host, '~') && strchr(t->nodes[5001].ifaces[0].host, '~') &&
		   strcmp(t->nodes[5000].ifaces[0].host, t->nodes[5001].ifaces[0].host),
	   "no derived-name collision after 5,000 ports (%d %s %s %s)", r, err.msg,
	   t ? t->nodes[5000].ifaces[0].host : "", t ? t->nodes[5001].ifaces[0].host : "");
	t = nsl_topo_free(t);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	fputs("name: big\nnodes:\n", f);
	for (int i = 1; i <= 100000; i++)
		fprintf(f, "  n%d:\n", i);
	fputs("  n77:\n", f);
	fclose(f);
	r = load_via_file(buf, len, &t, &err, &secs);
	alarm(0);
	ok(r == -EINVAL && err.line == 100003 && err.column == 3 &&
		   strstr(err.msg, "duplicate key 'n77' (first at line 79)"),
	   "a duplicate key after 100,000 (%u:%u %s)", err.line, err.column, err.msg);
	nsl_topo_free(t);
	free(buf);
}

static const char lab[] =
	"name: t\n"
	"prefix: \"p-\"\n"
	"defaults: { dns: { nameservers: [10.0.0.53], search: [lab.test] }, sysctls: { net.ipv4.ip_forward: 1 } }\n"
	"bridges:\n"
	"  lan: { address: 10.0.0.1/24 }\n"
	"  sw: { netns: r }\n"
	"nodes:\n"
	"  h1:\n"
	"    interfaces:\n"
	"      eth0: { bridge: lan, address: [10.0.0.11/24, \"fd00::11/64\"], mac: \"02:00:00:00:00:11\" }\n"
	"    routes: [ \"default via 10.0.0.1\", \"fd01::/64 via fd00::1 metric 5\" ]\n"
	"  r:\n"
	"    sysctls: { net.ipv4.ip_forward: 0 }\n"
	"    interfaces:\n"
	"      eth0: { bridge: lan, address: 10.0.0.2/24 }\n"
	"    run: { command: [sleep, infinity] }\n"
	"  very-long-node-name-x:\n"
	"    interfaces: { eth0: { bridge: lan, address: 10.0.0.12/24 }, eth1: { bridge: sw } }\n"
	"links:\n"
	"  - { endpoints: [h1:eth1, r:eth1], rate: 10mbit, mtu: 9000 }\n"
	"expect:\n"
	"  - { from: h1, to: r }\n"
	"  - { from: r, to: \"fd00::11\", reach: false, timeout_ms: 50 }\n";

/* ---- derived names: never two alike, stable across edits, and the kernel's limits ---- */

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Every name nslab derives in the root netns of @t, checked apart from the loader: at most 15
 * bytes, either the readable form (no '~') or HEAD~TAG with 5 base-36 digits, and no two alike
 * (nor alike any root bridge's). Return: the number of tagged names, or -1 on a failure (in @why).
 */
static int check_root_names(const struct nsl_topo *t, char *why, size_t size)
{
	size_t n = 0, tagged = 0;
	const char **v = calloc(t->n_bridges + 1, sizeof(*v));

	for (size_t ni = 0; v && ni < t->n_nodes; ni++)
		n += t->nodes[ni].n_ifaces;
	v = v ? realloc(v, (n + t->n_bridges + 1) * sizeof(*v)) : NULL;
	if (!v)
		return snprintf(why, size, "out of memory"), -1;
	n = 0;
	for (size_t b = 0; b < t->n_bridges; b++)
		if (t->bridges[b].node_idx < 0)
			v[n++] = t->bridges[b].ifname;
	for (size_t ni = 0; ni < t->n_nodes; ni++)
		for (size_t i = 0; i < t->nodes[ni].n_ifaces; i++) {
			const struct nsl_topo_iface *f = &t->nodes[ni].ifaces[i];

			if (f->bridge_idx >= 0 && t->bridges[f->bridge_idx].node_idx < 0)
				v[n++] = f->host;
		}
	for (size_t k = 0; k < n; k++) {
		const char *s = v[k], *tilde = strrchr(s, '~');
		size_t len = strlen(s);

		if (len == 0 || len > 15 ||
		    (tilde && (tilde != s + len - 6 || strspn(tilde + 1, "0123456789abcdefghijklmnopqrstuvwxyz") != 5))) {
			snprintf(why, size, "bad name '%s'", s);
			free(v);
			return -1;
		}
		tagged += tilde != NULL;
	}
	qsort(v, n, sizeof(*v), str_cmp);
	for (size_t k = 1; k < n; k++)
		if (!strcmp(v[k - 1], v[k])) {
			snprintf(why, size, "'%s' twice", v[k]);
			free(v);
			return -1;
		}
	free(v);
	return (int)tagged;
}

/* A star of @n nodes in lab @lab: bridges of at most 1,000 ports (a bridge has at most 1,023). */
static char *star(const char *labname, int n, size_t *ret_len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, ret_len);

	fprintf(f, "name: %s\nbridges: { br0: { address: 10.0.0.1/8 }", labname);
	for (int b = 1; b <= (n - 1) / 1000; b++)
		fprintf(f, ", br%d: {}", b);
	fputs(" }\nnodes:\n", f);
	for (int i = 1; i <= n; i++)
		fprintf(f, "  n%d: { interfaces: { eth0: { bridge: br%d, address: 10.%d.%d.%d/8 } } }\n", i,
			(i - 1) / 1000, (i + 1) >> 16, ((i + 1) >> 8) & 255, (i + 1) & 255);
	fclose(f);
	return buf;
}

static int load_star(const char *labname, int n, struct nsl_topo **t, struct nsl_err *err)
{
	size_t len = 0;
	char *text = star(labname, n, &len);
	int r;

	memset(err, 0, sizeof(*err));
	r = nsl_topo_load("star.yaml", text, len, t, err);
	free(text);
	return r;
}

/*
 * Stars of every size N in 1..200, then every 37th up to 5,000, and 5,000 (lab "starN", as
 * bench/star.sh names it; one star per N up to 5,000 would load 12.5 million nodes). Each is
 * loaded once and its names checked apart from the loader.
 */
static void star_sweep(void)
{
	char why[256] = "", name[16];
	int bad_n = 0, loads = 0, tagged = 0;
	double t0 = now_s();

	for (int n = 1; n <= 5000 && !bad_n; n = n < 200 ? n + 1 : n == 5000 ? 5001 : n + 37 > 5000 ? 5000 : n + 37) {
		struct nsl_topo *t = NULL;
		struct nsl_err err;
		int k;

		snprintf(name, sizeof(name), "star%d", n);
		if (load_star(name, n, &t, &err) < 0) {
			snprintf(why, sizeof(why), "%s", err.msg);
			bad_n = n;
		} else if ((k = check_root_names(t, why, sizeof(why))) < 0) {
			bad_n = n;
		} else {
			tagged += k;
		}
		loads++;
		nsl_topo_free(t);
	}
	ok(!bad_n, "stars of %d sizes up to 5,000 validate, no name twice (%d tagged names, %.2f s) %d %s",
	   loads, tagged, now_s() - t0, bad_n, why);
}

/* 200 random lab names ([a-z0-9-], 1..12 bytes, no leading '-'; a fixed seed) x 1,000 nodes. */
static void random_labs(void)
{
	static const char cs[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char why[256] = "", name[16] = "", bad_name[16] = "";
	double t0 = now_s();

	for (int k = 0; k < 200 && !bad_name[0]; k++) {
		struct nsl_topo *t = NULL;
		struct nsl_err err;
		size_t len;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		len = 1 + x % 12;
		for (size_t i = 0; i < len; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			name[i] = cs[x % (i ? sizeof(cs) - 1 : sizeof(cs) - 2)];
		}
		name[len] = '\0';
		if (load_star(name, 1000, &t, &err) < 0)
			snprintf(why, sizeof(why), "%s", err.msg);
		else if (check_root_names(t, why, sizeof(why)) < 0)
			;
		else
			why[0] = '\0';
		if (why[0])
			snprintf(bad_name, sizeof(bad_name), "%s", name);
		nsl_topo_free(t);
	}
	ok(!bad_name[0], "200 random lab names x 1,000 nodes: no name twice (%.2f s) %s %s", now_s() - t0, bad_name,
	   why);
}

static const char *host_of(const struct nsl_topo *t, const char *node, const char *iface)
{
	for (size_t ni = 0; ni < t->n_nodes; ni++)
		for (size_t i = 0; strcmp(t->nodes[ni].name, node) == 0 && i < t->nodes[ni].n_ifaces; i++)
			if (!strcmp(t->nodes[ni].ifaces[i].name, iface))
				return t->nodes[ni].ifaces[i].host;
	return NULL;
}

/*
 * topo_names_keep(): a lab, then the same lab with 50 nodes inserted at the start, one of
 * them ("a-b" + "c") taking the readable form of an old one ("a" + "b-c") away: with the
 * previous model every old device keeps its name, and still no name is there twice.
 */
static void names_keep(void)
{
	char *old = NULL, *new = NULL, why[128] = "";
	size_t lo = 0, ln = 0;
	FILE *fo = open_memstream(&old, &lo), *fn = open_memstream(&new, &ln);
	struct nsl_topo *t0 = NULL, *t1 = NULL, *t2 = NULL;
	struct nsl_err err;
	int kept = 0, olds = 0;

	fputs("name: webtier\nbridges: { br0: {}, br1: {}, uplink-trunk: {} }\nnodes:\n", fo);
	fputs("name: webtier\nbridges: { br0: {}, br1: {}, uplink-trunk: {} }\nnodes:\n", fn);
	for (int i = 0; i < 50; i++)
		fprintf(fn, "  new%d: { interfaces: { eth0: { bridge: br%d } } }\n", i, i & 1);
	fputs("  a-b: { interfaces: { c: { bridge: br0 } } }\n", fn);
	for (int i = 1; i <= 1000; i++) {
		fprintf(fo, "  n%d: { interfaces: { eth0: { bridge: br%d } } }\n", i, i > 500);
		fprintf(fn, "  n%d: { interfaces: { eth0: { bridge: br%d } } }\n", i, i > 500);
	}
	fputs("  a: { interfaces: { b-c: { bridge: br1 } } }\n", fo);
	fputs("  a: { interfaces: { b-c: { bridge: br1 } } }\n", fn);
	fclose(fo);
	fclose(fn);
	memset(&err, 0, sizeof(err));
	ok(nsl_topo_load("old.yaml", old, lo, &t0, &err) == 0 && nsl_topo_load("new.yaml", new, ln, &t1, &err) == 0 &&
		   nsl_topo_load("new.yaml", new, ln, &t2, &err) == 0,
	   "the lab and its edit load (%s)", err.msg);
	if (t0 && t1 && t2) {
		ok(!strcmp(host_of(t0, "a", "b-c"), "webtier-a-b-c") && strchr(host_of(t1, "a", "b-c"), '~'),
		   "alone, the edit takes a readable name away (%s, then %s)", host_of(t0, "a", "b-c"),
		   host_of(t1, "a", "b-c"));
		ok(nsli_topo_names_keep(t2, t0, &err) == 0, "topo_names_keep (%s)", err.msg);
		for (size_t ni = 0; ni < t0->n_nodes; ni++) {
			const struct nsl_topo_iface *f = &t0->nodes[ni].ifaces[0];
			const char *h = host_of(t2, t0->nodes[ni].name, f->name);

			olds++;
			kept += h && !strcmp(h, f->host);
		}
		ok(kept == olds && !strcmp(t2->bridges[2].ifname, t0->bridges[2].ifname),
		   "every old device keeps its name (%d of %d, bridge %s)", kept, olds, t2->bridges[2].ifname);
		ok(check_root_names(t2, why, sizeof(why)) >= 0 && strchr(host_of(t2, "a-b", "c"), '~'),
		   "and no name twice (%s; a-b:c is %s, new0:eth0 %s)", why, host_of(t2, "a-b", "c"),
		   host_of(t2, "new0", "eth0"));
		snprintf(why, sizeof(why), "%s %s", host_of(t1, "n777", "eth0"), host_of(t1, "a-b", "c"));
		ok(nsli_topo_names_keep(t1, NULL, &err) == 0 && check_root_names(t1, why + 64, 64) >= 0 &&
			   !strncmp(why, host_of(t1, "n777", "eth0"), strlen(host_of(t1, "n777", "eth0"))),
		   "without a previous model it derives what the load did (%s)", why);
	}
	nsl_topo_free(t0);
	nsl_topo_free(t1);
	nsl_topo_free(t2);
	free(old);
	free(new);
}

/* The readable form when it is free; HEAD~TAG when it is not; the same names in any order. */
static void names_forms(void)
{
	static const char a[] = "name: x\nbridges: { br0: {}, sw: { netns: r } }\nnodes:\n"
				"  a-b: { interfaces: { c: { bridge: br0 } } }\n"
				"  a: { interfaces: { b-c: { bridge: br0 }, \"t~1\": { bridge: br0 } } }\n"
				"  h: { interfaces: { e: { bridge: sw } } }\n"
				"  r: { interfaces: { x-h-e: { bridge: br0 }, eth0: { bridge: br0 } } }\n";
	static const char b[] = "name: x\nbridges: { sw: { netns: r }, br0: {} }\nnodes:\n"
				"  r: { interfaces: { eth0: { bridge: br0 }, x-h-e: { bridge: br0 } } }\n"
				"  h: { interfaces: { e: { bridge: sw } } }\n"
				"  a: { interfaces: { \"t~1\": { bridge: br0 }, b-c: { bridge: br0 } } }\n"
				"  a-b: { interfaces: { c: { bridge: br0 } } }\n";
	struct nsl_topo *ta = NULL, *tb = NULL;
	struct nsl_err err;
	char why[128] = "";
	int same = 0;

	ok(load(a, &ta, &err) == 0 && load(b, &tb, &err) == 0, "labs with clashing readable forms load (%s)", err.msg);
	if (!ta || !tb)
		goto out;
	ok(!strcmp(ta->bridges[0].ifname, "x-br0") && !strcmp(host_of(ta, "r", "eth0"), "x-r-eth0"),
	   "readable where free (%s %s)", ta->bridges[0].ifname, host_of(ta, "r", "eth0"));
	ok(!strncmp(host_of(ta, "a-b", "c"), "x-a-b-c~", 8) && !strncmp(host_of(ta, "a", "b-c"), "x-a-b-c~", 8) &&
		   strlen(host_of(ta, "a", "b-c")) == 13 && strcmp(host_of(ta, "a-b", "c"), host_of(ta, "a", "b-c")),
	   "two alike readable forms: both tagged, apart (%s %s)", host_of(ta, "a-b", "c"), host_of(ta, "a", "b-c"));
	ok(!strncmp(host_of(ta, "a", "t~1"), "x-a-t~1~", 8), "a '~' in the readable form: tagged (%s)",
	   host_of(ta, "a", "t~1"));
	ok(!strncmp(host_of(ta, "h", "e"), "x-h-e~", 6), "a port end inside a node avoids the node's own names (%s)",
	   host_of(ta, "h", "e"));
	ok(check_root_names(ta, why, sizeof(why)) == 3, "root names apart (%s)", why);
	for (size_t ni = 0; ni < ta->n_nodes; ni++)
		for (size_t i = 0; i < ta->nodes[ni].n_ifaces; i++) {
			const char *h = host_of(tb, ta->nodes[ni].name, ta->nodes[ni].ifaces[i].name);

			same += h && !strcmp(h, ta->nodes[ni].ifaces[i].host);
		}
	ok(same == 6, "the same names whatever the order in the file (%d of 6)", same);
out:
	nsl_topo_free(ta);
	nsl_topo_free(tb);
	/* The kernel keeps altnames with names: two full names alike cannot both be set. */
	bad("name: x\nbridges: { a.b: {} }\nnodes:\n  a: { interfaces: { b: { bridge: a.b } } }\n", 4, 22,
	    "full name 'x.a.b' in the root netns collides with the one from line 2");
}

/* A bridge has at most 1,023 ports (kernel BR_MAX_PORTS, port 0 reserved). */
static void port_limit(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct nsl_topo *t = NULL;
	struct nsl_err err;
	int r;

	fputs("name: p\nbridges: { br0: {}, in: { netns: n1 } }\nnodes:\n", f);
	for (int i = 1; i <= 1023; i++)
		fprintf(f, "  n%d: { interfaces: { e: { bridge: br0 }, i: { bridge: in } } }\n", i);
	fflush(f);
	memset(&err, 0, sizeof(err));
	r = nsl_topo_load("p.yaml", buf, len, &t, &err);
	ok(r == 0, "1,023 ports on a bridge, in the root netns and in a node (%s)", err.msg);
	t = nsl_topo_free(t);
	fputs("  x: { interfaces: { i: { bridge: in }, e: { bridge: br0 } } }\n  y: { interfaces: { e: { bridge: br0 } } }\n", f);
	fclose(f);
	memset(&err, 0, sizeof(err));
	r = nsl_topo_load("p.yaml", buf, len, &t, &err);
	ok(r == -EINVAL && err.kind == NSL_E_USAGE && err.line == 1027 && err.column == 22 &&
		   strstr(err.msg, "bridge 'in' has 1024 ports: the kernel allows at most 1023"),
	   "the 1,024th port is refused where it is (%u:%u %s)", err.line, err.column, err.msg);
	nsl_topo_free(t);
	free(buf);
	bad("name: x\nbridges: { b: { address: \"fd00::1/64\" } }\nnodes: { a: { interfaces: { e: { bridge: b, mtu: 1200 } } } }\n",
	    3, 50, "its mtu 1200 would lower bridge 'b' below the 1280 its IPv6 addresses need");
	bad("name: x\nbridges: { b: { mtu: 65536 } }\nnodes: { a: {} }\n", 2, 22, "mtu out of range (68-65535)");
	bad("name: x\nnodes: { a: { interfaces: { e: { mtu: 67 } } }, b: {} }\nlinks: [ { endpoints: [a:e, b:e] } ]\n",
	    2, 39, "mtu out of range (68-65535)");
}

/* 5,000 nodes over 5 bridges of 1,000 ports, each with an address: no cap on hosts entries. */
static void five_thousand(void)
{
	struct nsl_topo *t = NULL;
	struct nsl_err err;
	char why[128] = "";
	int r = load_star("big5k", 5000, &t, &err);

	struct nsl_host_entry *e = calloc(100000, sizeof(*e));
	const char *names[1];
	char name[65];
	struct nsl_hosts *h = NULL;

	ok(r == 0 && t && t->n_bridges == 5 && check_root_names(t, why, sizeof(why)) >= 0,
	   "5,000 nodes over 5 bridges validate (%s%s)", err.msg, why);
	for (size_t i = 0; t && e && i < t->n_nodes; i++)
		e[i] = (struct nsl_host_entry){ t->nodes[i].ifaces[0].addrs[0], (const char *const *)&t->nodes[i].name, 1 };
	r = t && e ? nsl_hosts_prepare(e, t->n_nodes, &h, &err) : -ENOMEM;
	ok(r == 0, "and their 5,000 hosts entries (once capped at 4,096) render (%d %s)", r, err.msg);
	h = (nsl_hosts_free(h), NULL);
	nsl_topo_free(t);
	/* 100,000 entries at the longest: a 64-byte name, an IPv4-mapped IPv6 address. */
	memset(name, 'n', 64);
	name[31] = '.'; /* a DNS label has at most 63 bytes */
	name[64] = '\0';
	names[0] = name;
	for (size_t i = 0; e && i < 100000; i++) {
		e[i] = (struct nsl_host_entry){ .names = names, .n_names = 1 };
		nsl_parse_addr("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", &e[i].addr, &err);
	}
	r = e ? nsl_hosts_prepare(e, 100000, &h, &err) : -ENOMEM;
	ok(r == 0, "100,000 hosts entries at the longest render (%d %s)", r, err.msg);
	nsl_hosts_free(h);
	free(e);
}

int main(void)
{
	struct nsl_topo *t = NULL;
	struct nsl_err err;
	char *g1 = NULL, *g2 = NULL;

	ok(load(lab, &t, &err) == 0, "good lab loads (%s)", err.msg);
	if (t) {
		ok(t->n_nodes == 3 && t->n_bridges == 2 && t->n_links == 1 && t->n_expects == 2, "counts");
		ok(!strcmp(t->nodes[0].netns, "p-h1"), "netns = prefix + name");
		ok(t->nodes[0].n_ifaces == 2 && t->nodes[0].ifaces[1].link_idx == 0, "link endpoint creates h1:eth1");
		ok(t->nodes[0].has_ipv6 && !t->nodes[1].has_ipv6, "has_ipv6");
		ok(!strcmp(t->bridges[0].ifname, "t-lan") && !strcmp(t->bridges[1].ifname, "sw"),
		   "bridge names: derived on the host, as written in a node");
		ok(!strcmp(t->nodes[0].ifaces[0].host, "t-h1-eth0") &&
			   !strcmp(t->nodes[0].ifaces[0].altname, "t.h1.eth0"),
		   "port name and altname");
		ok(strlen(t->nodes[2].ifaces[0].host) <= 15 && strcmp(t->nodes[2].ifaces[0].host, t->nodes[2].ifaces[1].host),
		   "long names derived within 15 bytes, distinct (%s %s)", t->nodes[2].ifaces[0].host,
		   t->nodes[2].ifaces[1].host);
		ok(t->nodes[0].dns && t->nodes[0].dns->n_nameservers == 1 && t->nodes[0].dns->n_search == 1,
		   "default dns merged");
		ok(t->nodes[1].n_sysctls == 1 && !strcmp(t->nodes[1].sysctls[0].value, "0"),
		   "node sysctl overrides the default");
		ok(t->nodes[0].n_sysctls == 1 && !strcmp(t->nodes[0].sysctls[0].value, "1"), "default sysctl merged");
		ok(t->nodes[1].run && !strcmp(t->nodes[1].run[0], "sleep") && !t->nodes[1].run[2] &&
			   t->nodes[1].run_ns == (NSL_TOPO_NS_UTS | NSL_TOPO_NS_PID | NSL_TOPO_NS_IPC | NSL_TOPO_NS_MOUNT),
		   "run");
		ok(t->links[0].rate == 1250000 && t->links[0].mtu == 9000, "rate in bytes/s, mtu");
		ok(t->expects[0].addr.family == AF_INET && t->expects[0].addr.addr[3] == 2, "expect to a node = its first address");
		ok(!t->expects[1].reach && t->expects[1].timeout_ms == 50, "expect reach/timeout");
		ok(t->nodes[0].n_routes == 2 && t->nodes[0].routes[1].metric == 5 &&
			   t->nodes[0].routes[1].dst.family == AF_INET6,
		   "routes");
		ok(nsl_topo_graph(t, NSL_TOPO_GRAPH_DOT, &g1, &err) == 0 && strstr(g1, "\"node:h1\" -- \"node:r\""),
		   "dot has the link");
		ok(nsl_topo_graph(t, NSL_TOPO_GRAPH_JSON, &g2, &err) == 0 && g2[0] == '{', "json graph");
		free(g1);
		free(g2);
		g1 = g2 = NULL;
	}
	nsl_topo_free(t);


	{
		/* golden: the same lab in two orders renders the same, byte for byte */
		static const char a[] = "name: g\nbridges: { lan: {} }\nnodes:\n"
					"  b: { interfaces: { eth0: { bridge: lan, address: 10.0.0.2/24 } } }\n"
					"  a: { interfaces: { eth0: { bridge: lan, address: 10.0.0.1/24 } } }\n";
		static const char b[] = "name: g\nnodes:\n"
					"  a: { interfaces: { eth0: { bridge: lan, address: 10.0.0.1/24 } } }\n"
					"  b: { interfaces: { eth0: { bridge: lan, address: 10.0.0.2/24 } } }\n"
					"bridges: { lan: {} }\n";
		static const char golden[] =
			"{\"name\":\"g\",\"nodes\":["
			"{\"name\":\"a\",\"netns\":\"a\",\"interfaces\":[{\"ifname\":\"eth0\",\"addr_info\":[{\"local\":\"10.0.0.1\",\"prefixlen\":24}]}]},"
			"{\"name\":\"b\",\"netns\":\"b\",\"interfaces\":[{\"ifname\":\"eth0\",\"addr_info\":[{\"local\":\"10.0.0.2\",\"prefixlen\":24}]}]}],"
			"\"bridges\":[{\"name\":\"lan\",\"ifname\":\"g-lan\",\"netns\":null,\"addr_info\":[]}],"
			"\"edges\":[{\"a\":\"a:eth0\",\"bridge\":\"lan\"},{\"a\":\"b:eth0\",\"bridge\":\"lan\"}]}\n";
		struct nsl_topo *ta = NULL, *tb = NULL;

		ok(load(a, &ta, &err) == 0 && load(b, &tb, &err) == 0, "golden labs load");
		if (ta && tb) {
			ok(nsl_topo_graph(ta, NSL_TOPO_GRAPH_JSON, &g1, &err) == 0 &&
				   nsl_topo_graph(tb, NSL_TOPO_GRAPH_JSON, &g2, &err) == 0 && !strcmp(g1, golden) &&
				   !strcmp(g2, golden),
			   "json graph is the golden one in both orders (%s)", g1 ? g1 : "");
			free(g1);
			free(g2);
			g1 = g2 = NULL;
			ok(nsl_topo_graph(ta, NSL_TOPO_GRAPH_DOT, &g1, &err) == 0 &&
				   nsl_topo_graph(tb, NSL_TOPO_GRAPH_DOT, &g2, &err) == 0 && !strcmp(g1, g2),
			   "dot graph independent of order");
			free(g1);
			free(g2);
			g1 = g2 = NULL;
		}
		nsl_topo_free(ta);
		nsl_topo_free(tb);
	}

	bad("", 1, 1, "empty file");
	bad("name: x\nnodes: { a: {} }\nlinsk: 1\n", 3, 1, "unknown key 'linsk'");
	bad("name: x\nnodes:\n  a: { interfaces: { eth0: { bridge: b } } }\n", 3, 22, "no bridge 'b'");
	bad("name: x\nnodes: &a { a: {} }\n", 2, 8, "anchors");
	bad("name: x\nnodes: { a: {} }\n---\nname: y\n", 3, 1, "more than one YAML document");
	bad("name: x\nnodes:\n\ta: {}\n", 3, 1, "tab character");
	bad("name: x\nnodes: { a: {}, a: {} }\n", 2, 17, "duplicate key 'a'");
	bad("name: x\nnodes: { a: { exec: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]] } }\n",
	    2, 82, "nesting deeper");
	bad("name: x\nbridges: { b: {} }\nnodes: { a: { interfaces: { eth0: { bridge: b, mtu: 10 } } } }\n", 3, 53,
	    "mtu");
	bad("name: x\nnodes: { a: {}, b: {} }\nlinks: [ { endpoints: [a:e, b:e], delay: 1ms, jitter: 2 } ]\n", 3, 55,
	    "jitter '2': expected a duration");
	bad("name: x\nbridges: { b: {} }\nnodes:\n  a: { interfaces: { e: { bridge: b, address: 10.0.0.1/24 } }, routes: [\"default via 10.1.0.1\"] }\n",
	    4, 73, "outside every connected prefix");
	bad("name: x\nnodes: { a: {} }\nexpect: [ { from: a, to: nowhere } ]\n", 3, 11, "neither an address nor a node");
	/* fuzz-topo regressions: a leaked route dev, a run vector without its NULL */
	bad("name: x\nnodes:\n  h: { routes: [ \"bad/16 dev eth9\" ] }\n", 3, 18, "route 'bad/16 dev eth9'");
	bad("name: x\nnodes:\n  h: { run: { command: [sleep, {a: b}] } }\n", 3, 32, "command: expected a value");
	{
		char *big = malloc(NSL_TOPO_MAX_SIZE + 2);

		memset(big, '#', NSL_TOPO_MAX_SIZE + 1);
		big[NSL_TOPO_MAX_SIZE + 1] = '\0';
		ok(nsl_topo_load("big", big, NSL_TOPO_MAX_SIZE + 1, &t, &err) == -EFBIG, "over 4 MiB refused");
		free(big);
	}
	bridge_mtu();
	not_regular();
	big_labs();
	names_forms();
	port_limit();
	five_thousand();
	names_keep();
	random_labs();
	star_sweep();
	return tap_done();
}
