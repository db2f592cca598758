// SPDX-License-Identifier: GPL-2.0-or-later
/* Topology loader, validator, derived names and graph rendering: no kernel, no privilege. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <stdlib.h>

#include "nslab/topo.h"
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

	fputs("name: big\nbridges:\n  b: { address: 10.0.0.1/8, mtu: 9000 }\n  in: { netns: n200000 }\nnodes:\n", f);
	for (int i = 1; i <= 200000; i++) {
		if (i <= 12000) /* a star on b, a route via the bridge each */
			fprintf(f, "  n%d: { interfaces: { e: { bridge: b, address: 10.%d.%d.%d/8 } }, routes: [\"default via 10.0.0.1\"] }\n",
				i, (i + 1) >> 16, ((i + 1) >> 8) & 255, (i + 1) & 255);
		else if (i <= 16000) /* ports of a bridge inside node n200000 */
			fprintf(f, "  n%d: { interfaces: { e: { bridge: in } } }\n", i);
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

	/* The largest star that fits, then a duplicate address after its last port. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	fputs("name: s\nbridges:\n  b: { address: 10.0.0.1/8 }\nnodes:\n", f);
	for (int i = 1; i <= 60000; i++)
		fprintf(f, "  n%d: {interfaces: {e: {bridge: b, address: 10.%d.%d.%d/8}}}\n", i, (i + 1) >> 16,
			((i + 1) >> 8) & 255, (i + 1) & 255);
	fflush(f);
	alarm(60);
	r = load_via_file(buf, len, &t, &err, &secs);
	ok(r == 0, "a 60,000-port star validated in %.2f s (%zu bytes, %s)", secs, len, err.msg);
	t = nsl_topo_free(t);
	fputs("  x: {interfaces: {e: {bridge: b, address: 10.0.0.100/8}}}\n", f);
	fclose(f);
	r = load_via_file(buf, len, &t, &err, &secs);
	ok(r == -EINVAL && err.line == 60005 &&
		   strstr(err.msg, "address 10.0.0.100 is used twice on one segment (also at line 103)"),
	   "a duplicate address after 60,000 ports (%u:%u %s)", err.line, err.column, err.msg);
	t = nsl_topo_free(t);
	free(buf);

	/* Derived names collide after more than 4,096 names; a duplicate key after 100,000. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	fputs("name: big\nbridges: { b: {} }\nnodes:\n", f);
	for (int i = 1; i <= 5000; i++)
		fprintf(f, "  n%d: {interfaces: {e: {bridge: b}}}\n", i);
	fputs("  x-y: {interfaces: {e: {bridge: b}}}\n  x: {interfaces: {y-e: {bridge: b}}}\n", f);
	fclose(f);
	r = load_via_file(buf, len, &t, &err, &secs);
	ok(r == -EINVAL && err.line == 5005 &&
		   strstr(err.msg, "interface name 'big-x-y-e' in the root netns collides with the one from line 5004"),
	   "a derived-name collision after 5,000 ports (%u:%u %s)", err.line, err.column, err.msg);
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
	bad("name: x\nnodes: { a: {}, b: {} }\nlinks: [ { endpoints: [a:e, b:e], delay: 1ms, jitter: 2 } ]\n", 3, 47,
	    "unknown key 'jitter'");
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
	return tap_done();
}
