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
	return tap_done();
}
