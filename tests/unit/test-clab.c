// SPDX-License-Identifier: GPL-2.0-or-later
/* containerlab files: environment expansion, word splitting, the model they load onto,
 * warnings and their options. No kernel, no privilege. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nslab/topo.h"
#include "../../topo/clab.h"
#include "tap.h"

static void envsubst(void)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "plain", "plain" },
		{ "${NSLAB_T_SET}", "value" },
		{ "a$NSLAB_T_SET.b", "avalue.b" },
		{ "${NSLAB_T_UNSET}", "${NSLAB_T_UNSET}" },
		{ "$NSLAB_T_UNSET", "$NSLAB_T_UNSET" },
		{ "${NSLAB_T_UNSET:=dflt}", "dflt" },
		{ "${NSLAB_T_UNSET:-dflt}", "dflt" },
		{ "${NSLAB_T_SET:=dflt}", "value" },
		{ "${NSLAB_T_EMPTY:=dflt}", "dflt" },
		{ "$1 $$ $", "$1 $$ $" },
		{ "${open", "${open" },
	};

	setenv("NSLAB_T_SET", "value", 1);
	setenv("NSLAB_T_EMPTY", "", 1);
	unsetenv("NSLAB_T_UNSET");
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *out = NULL;
		int r = nsli_clab_envsubst(v[i].in, &out);

		ok(r == 0 && out && strcmp(out, v[i].out) == 0, "envsubst '%s' -> '%s' (got '%s')", v[i].in,
		   v[i].out, out ? out : "(null)");
		free(out);
	}
}

static void words(void)
{
	struct ynode *seq = nsli_ynew(Y_SEQ, NULL);
	char *esc;

	ok(seq && nsli_clab_words("sh -c 'sleep 1; echo \"x y\"' a\\ b \"q\\\"\"", NULL, seq) == 0 && seq->n == 5 &&
		   strcmp(seq->items[2]->value, "sleep 1; echo \"x y\"") == 0 &&
		   strcmp(seq->items[3]->value, "a b") == 0 && strcmp(seq->items[4]->value, "q\"") == 0,
	   "words: quotes and backslashes");
	nsli_ynode_free(seq);
	seq = nsli_ynew(Y_SEQ, NULL);
	ok(seq && nsli_clab_words("echo 'open", NULL, seq) == -EINVAL, "words: an open quote");
	nsli_ynode_free(seq);
	esc = nsli_clab_escape("a ${b} $c $${d}");
	ok(esc && strcmp(esc, "a $${b} $c $$${d}") == 0, "escape: ${ for the native loader (got '%s')", esc);
	free(esc);
}

struct warns {
	unsigned n, line, column;
	char msg[256];
};

static void warn_cb(void *data, const struct nsl_err *w)
{
	struct warns *ws = data;

	if (!ws->n++) {
		ws->line = w->line;
		ws->column = w->column;
		snprintf(ws->msg, sizeof(ws->msg), "%s", w->msg);
	}
}

static const char lab[] = "name: u\n"
			  "topology:\n"
			  "  defaults: { kind: linux, image: alpine }\n"
			  "  nodes:\n"
			  "    a: { mgmt-ipv4: 172.20.20.9 }\n"
			  "    b: { kind: vr-sros }\n"
			  "  links:\n"
			  "    - endpoints: [a:eth1, b:eth1]\n";

static int load(unsigned flags, struct warns *ws, struct nsl_topo **t, struct nsl_err *err)
{
	struct nsl_topo_load_opts o = { .flags = flags, .warn = warn_cb, .warn_data = ws };

	memset(ws, 0, sizeof(*ws));
	memset(err, 0, sizeof(*err));
	return nsl_topo_load_opts("u.clab.yml", lab, sizeof(lab) - 1, &o, t, err);
}

static void model(void)
{
	struct nsl_topo *t = NULL;
	struct nsl_err err;
	struct warns ws;
	int r = load(0, &ws, &t, &err);

	ok(r == -EINVAL && err.line == 6 && err.column == 16 && strstr(err.msg, "kind 'vr-sros'"),
	   "an image kind needs --any-kind (got %d %u:%u %s)", r, err.line, err.column, err.msg);
	r = load(NSL_TOPO_LOAD_ANY_KIND, &ws, &t, &err);
	ok(r == 0 && t && t->clab && t->n_nodes == 2 && t->n_links == 1 && t->n_bridges == 1, "--any-kind loads (%s)",
	   err.msg);
	ok(ws.n == 1 && ws.line == 3 && ws.column == 28 && strstr(ws.msg, "image 'alpine' ignored"),
	   "one warning, at the key (got %u %u:%u %s)", ws.n, ws.line, ws.column, ws.msg);
	ok(t && strcmp(t->nodes[0].netns, "clab-u-a") == 0 && strcmp(t->prefix, "clab-u-") == 0, "netns clab-LAB-NODE");
	ok(t && t->nodes[0].n_ifaces == 2 && t->nodes[0].ifaces[0].n_addrs == 2 &&
		   t->nodes[0].ifaces[0].addrs[0].addr[3] == 9 && t->links[0].mtu == 9500,
	   "mgmt-ipv4 on eth0, veth mtu 9500");
	ok(t && t->text && strstr(t->text, "prefix: clab-u-\n") && strstr(t->text, "      - a:eth1\n"),
	   "the model's text is its native form");
	nsl_topo_free(t);
	t = NULL;
	r = load(NSL_TOPO_LOAD_ANY_KIND | NSL_TOPO_LOAD_STRICT, &ws, &t, &err);
	ok(r == -EINVAL && ws.n == 0 && err.line == 3 && strstr(err.msg, "(--strict)"), "--strict: the warning is an error");
	nsl_topo_free(t);
}

int main(void)
{
	envsubst();
	words();
	model();
	return tap_done();
}
