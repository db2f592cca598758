// SPDX-License-Identifier: GPL-2.0-or-later
/* Keyword/value argument walking, one table per verb (no hand-written parser chains). */
#include "cli.h"
#include "macro.h"

int cli_check(struct cli *c, const char *name, int r, const struct nsl_err *err)
{
	return r < 0 ? cli_fail(c, name, err) : 0;
}

static int set_typed(const struct cli_kw *k, void *opts, const char *v, struct nsl_err *err)
{
	char *field = (char *)opts + k->off;
	bool b;
	int r;

	switch (k->type) {
	case CLI_T_IFNAME:
		r = nsl_parse_ifname(v, err);
		if (r < 0)
			return r;
		/* fall through */
	case CLI_T_STR:
		*(const char **)field = v;
		return 0;
	case CLI_T_MTU:
		return nsl_parse_mtu(v, (uint32_t *)field, err);
	case CLI_T_U32:
		return nsl_parse_u32(v, 0, UINT32_MAX, k->name, (uint32_t *)field, err);
	case CLI_T_FLAG:
		*(bool *)field = true;
		return 0;
	case CLI_T_TRI:
		r = nsl_parse_bool(v, &b, err);
		if (r == 0)
			*(enum nsl_tri *)field = b ? NSL_TRI_ON : NSL_TRI_OFF;
		return r;
	case CLI_T_CUSTOM:
	default:
		return k->set(opts, v, err);
	}
}

int cli_parse_kw(struct cli *c, const char *name, const struct cli_kw *tbl, void *opts, int argc,
		 char **argv)
{
	uint64_t seen = 0;

	for (int i = 0; i < argc; i++) {
		const struct cli_kw *k = NULL;
		struct nsl_err err = { 0 };
		size_t idx;
		int r;

		for (idx = 0; tbl[idx].name; idx++)
			if (STREQ(tbl[idx].name, argv[i])) {
				k = &tbl[idx];
				break;
			}
		if (!k)
			return cli_usage(c, "unknown keyword '%s'", argv[i]);
		if (!k->repeat && idx < 64 && (seen & (1ULL << idx)))
			return cli_usage(c, "'%s' given twice", k->name);
		if (idx < 64)
			seen |= 1ULL << idx;
		if (k->takes && i + 1 >= argc)
			return cli_usage(c, "'%s' needs a value", k->name);
		r = set_typed(k, opts, k->takes ? argv[i + 1] : NULL, &err);
		if (r < 0) {
			char msg[sizeof(err.msg) + 512];

			/* Name the keyword and the value: "mtu '0': MTU out of range (68-65535)". */
			if (k->takes) {
				snprintf(msg, sizeof(msg), "%s '%.200s': %s", k->name, argv[i + 1], err.msg);
				msg[sizeof(err.msg) - 1] = '\0';
				memcpy(err.msg, msg, sizeof(err.msg));
			}
			return cli_fail(c, name, &err);
		}
		i += k->takes;
	}
	return 0;
}
