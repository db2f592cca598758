// SPDX-License-Identifier: GPL-2.0-or-later
/* Parsers and validators: no kernel, no privilege. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "nslab/parse.h"
#include "tap.h"

static void ifnames(void)
{
	static const char *good[] = { "eth0", "a", "veth-host_1.2", "abcdefghijklmno", "lo" };
	static const char *bad[] = { "", "abcdefghijklmnop", "a/b", "a:b", "a%d", "a b", "a\tb",
				     ".", "..", "all", "default", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
				     "a\nb", "x\x1b[0m", ("\xa0" "b") /* kernel isspace: found by fuzz-parse */ };
	struct nsl_err err;

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		ok(nsl_parse_ifname(good[i], NULL) == 0, "ifname '%s' accepted", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		nsl_err_clear(&err);
		ok(nsl_parse_ifname(bad[i], &err) == -EINVAL && err.kind == NSL_E_USAGE && err.msg[0],
		   "ifname #%zu rejected with a message (%s)", i, err.msg);
	}
	ok(strstr((nsl_parse_ifname("abcdefghijklmnop", &err), err.msg), "longer than 15 bytes") != NULL,
	   "length message names 15 bytes");
}

static void nsnames(void)
{
	char long65[66];

	memset(long65, 'a', 65);
	long65[65] = 0;
	ok(nsl_parse_nsname("lab-1_x.y", NULL) == 0, "nsname accepted");
	ok(nsl_parse_nsname("1", NULL) == 0 && nsl_parse_nsname("7777", NULL) == 0, "all-digit names are names");
	ok(nsl_parse_nsname("pid:1", NULL) == -EINVAL, "pid:N is no name (no clash with one)");
	ok(nsl_parse_nsname(long65 + 1, NULL) == 0, "64 bytes accepted");
	ok(nsl_parse_nsname(long65, NULL) == -EINVAL, "65 bytes rejected");
	ok(nsl_parse_nsname("-x", NULL) == -EINVAL, "leading dash rejected");
	ok(nsl_parse_nsname("a b", NULL) == -EINVAL, "space rejected");
	ok(nsl_parse_nsname("../x", NULL) == -EINVAL, "traversal rejected");
	ok(nsl_parse_nsname("..", NULL) == -EINVAL, "dot-dot rejected");
	ok(nsl_parse_labname("twolans", NULL) == 0, "lab name accepted");
	ok(nsl_parse_labname("TwoLans", NULL) == -EINVAL, "upper case lab name rejected");
	ok(nsl_parse_labname("abcdefghijklm", NULL) == -EINVAL, "13-byte lab name rejected");
}

static void cidrs(void)
{
	struct nsl_prefix p;
	char buf[64];
	static const char *bad[] = { "10.0.0.1/33", "fd00::1/129", "10.0.0.1/", "/24", "10.0.0.1/-1",
				     "10.0.0.1/ 24", "10.0.0.1/24x", "010.0.0.2/24", "1.2.3", "0x7f.0.0.1",
				     "256.1.1.1", "1.2.3.4.5", "1::2::3", "1:2:3:4:5:6:7:8:9",
				     "fe80::1%eth0/64", "[::1]/128", "10.0.0.0/24", "10.0.0.255/24",
				     "10.0.0.1/024", "" };

	ok(nsl_parse_cidr("10.0.0.1/24", &p, NULL) == 0 && p.family == AF_INET && p.len == 24,
	   "10.0.0.1/24");
	ok(nsl_parse_cidr("10.0.0.0/31", &p, NULL) == 0, "/31 network address allowed");
	ok(nsl_parse_cidr("10.0.0.7/32", &p, NULL) == 0 && p.len == 32, "/32");
	ok(nsl_parse_cidr("10.0.0.7", &p, NULL) == 0 && p.len == 32, "no length = /32");
	ok(nsl_parse_cidr("fd00:1::11/64", &p, NULL) == 0 && p.family == AF_INET6 && p.len == 64, "v6");
	ok(strcmp(nsl_prefix_str(&p, true, buf, sizeof(buf)), "fd00:1::11/64") == 0, "v6 renders back");
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ok(nsl_parse_cidr(bad[i], &p, NULL) < 0, "cidr '%s' rejected", bad[i]);
}

static void routes(void)
{
	struct nsl_prefix p;
	struct nsl_err err = { 0 };

	ok(nsl_parse_route_prefix("default", 0, &p, NULL) == 0 && p.family == AF_INET && p.len == 0,
	   "default is v4 0/0");
	ok(nsl_parse_route_prefix("default", AF_INET6, &p, NULL) == 0 && p.family == AF_INET6, "v6 default");
	ok(nsl_parse_route_prefix("10.1.0.0/16", 0, &p, NULL) == 0, "network prefix");
	ok(nsl_parse_route_prefix("10.1.0.1/16", 0, &p, &err) == -EINVAL && strstr(err.msg, "host bits"),
	   "host bits rejected (%s)", err.msg);
	ok(nsl_parse_route_prefix("fd00::1/64", 0, &p, NULL) == -EINVAL, "v6 host bits rejected");
	ok(nsl_parse_route_prefix("0.0.0.0/0", 0, &p, NULL) == 0, "0.0.0.0/0");
}

static void contains(void)
{
	struct nsl_prefix net, a;

	nsl_parse_cidr("10.0.1.1/24", &net, NULL);
	nsl_parse_addr("10.0.1.200", &a, NULL);
	ok(nsl_prefix_contains(&net, &a), "10.0.1.200 in 10.0.1.0/24");
	nsl_parse_addr("10.0.2.1", &a, NULL);
	ok(!nsl_prefix_contains(&net, &a), "10.0.2.1 not in 10.0.1.0/24");
	nsl_parse_addr("fd00::1", &a, NULL);
	ok(!nsl_prefix_contains(&net, &a), "other family never contained");
}

static void macs_mtus_rates(void)
{
	uint8_t m[6];
	uint32_t v;
	uint64_t rate;

	ok(nsl_parse_mac("02:00:00:00:01:11", m, NULL) == 0 && m[5] == 0x11, "mac");
	ok(nsl_parse_mac("02:AB:cd:00:01:11", m, NULL) == 0 && m[1] == 0xab, "mixed case");
	ok(nsl_parse_mac("01:00:5e:00:00:01", m, NULL) == -EINVAL, "multicast");
	ok(nsl_parse_mac("00:00:00:00:00:00", m, NULL) == -EINVAL, "zero");
	ok(nsl_parse_mac("02:00:00:00:01", m, NULL) == -EINVAL, "5 octets");
	ok(nsl_parse_mac("02-00-00-00-01-11", m, NULL) == -EINVAL, "dashes");
	ok(nsl_parse_mtu("1500", &v, NULL) == 0 && v == 1500, "mtu 1500");
	ok(nsl_parse_mtu("68", &v, NULL) == 0, "mtu 68");
	ok(nsl_parse_mtu("67", &v, NULL) == -ERANGE, "mtu 67");
	ok(nsl_parse_mtu("65536", &v, NULL) == -ERANGE, "mtu 65536");
	ok(nsl_parse_mtu("1500abc", &v, NULL) == -EINVAL, "mtu junk");
	ok(nsl_parse_mtu("-1", &v, NULL) == -EINVAL, "mtu negative");
	ok(nsl_parse_mtu("01500", &v, NULL) == -EINVAL, "mtu leading zero");
	ok(nsl_parse_mtu("99999999999999999999", &v, NULL) == -ERANGE, "mtu overflow");
	ok(nsl_parse_u32("4294967295", 0, UINT32_MAX, "n", &v, NULL) == 0, "u32 max");
	ok(nsl_parse_u32("4294967296", 0, UINT32_MAX, "n", &v, NULL) == -ERANGE, "u32 max+1");
	ok(nsl_parse_rate("100mbit", &rate, NULL) == 0 && rate == 12500000, "100mbit = 12.5 MB/s");
	ok(nsl_parse_rate("1gbit", &rate, NULL) == 0 && rate == 125000000, "1gbit");
	ok(nsl_parse_rate("10mbps", &rate, NULL) == 0 && rate == 10000000, "10mbps are bytes");
	ok(nsl_parse_rate("100", &rate, NULL) == -EINVAL, "rate without unit");
	ok(nsl_parse_rate("fast", &rate, NULL) == -EINVAL, "rate word");
}

static void errors(void)
{
	struct nsl_err err;
	char buf[600];

	ok(nsl_err_set(NULL, NSL_E_SYSTEM, -EPERM, "x", NULL) == -EPERM, "NULL err allowed");
	nsl_err_set(&err, NSL_E_SYSTEM, -EPERM, "x", NULL);
	ok(strcmp(err.msg, strerror(EPERM)) == 0, "default message is strerror");
	snprintf(err.extack, sizeof(err.extack), "kernel words");
	ok(strcmp(nsl_err_format(&err, buf, sizeof(buf)), "Operation not permitted: kernel words") == 0,
	   "message with extack");
}

static int esc_is(const char *in, const char *nsli_want)
{
	char buf[64];

	return strcmp(nsl_str_escape(in, buf, sizeof(buf)), nsli_want) == 0;
}

static void escapes(void)
{
	struct nsl_err err;
	char buf[8], fmt[600];

	ok(esc_is("plain-name_1.x", "plain-name_1.x"), "plain text unchanged");
	ok(esc_is("a\nb\tc\rd", "a\\nb\\tc\\rd"), "newline, tab, CR");
	ok(esc_is("x\x1b[2J\x7f\x01", "x\\x1b[2J\\x7f\\x01"), "ESC, DEL, other controls as \\xHH");
	ok(esc_is("caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac"), "valid UTF-8 kept");
	ok(esc_is("\xc2\x9b", "\\xc2\\x9b"), "C1 control (CSI) escaped");
	ok(esc_is("\xff\xc3", "\\xff\\xc3"), "invalid UTF-8 escaped");
	ok(esc_is("\xc0\xaf", "\\xc0\\xaf"), "overlong form escaped");
	ok(esc_is("back\\slash", "back\\slash"), "backslash kept");
	ok(esc_is("a\\nb", "a\\nb"), "escaping twice changes nothing");
	ok(esc_is(NULL, ""), "NULL is empty");
	ok(strcmp(nsl_str_escape("abc\ndef", buf, sizeof(buf)), "abc\\nde") == 0, "cut to fit");
	ok(strcmp(nsl_str_escape("ab\xc3\xa9\xc3\xa9xyz", buf, 6), "ab\xc3\xa9") == 0,
	   "never half a character");
	ok(strcmp(nsl_str_escape("abcdef\n", buf, sizeof(buf)), "abcdef") == 0, "never half an escape");
	nsl_err_set(&err, NSL_E_USAGE, -EINVAL, "a\nb", "netns '%s' does not exist", "a\nb");
	ok(strcmp(err.object, "a\\nb") == 0, "object escaped");
	ok(strcmp(err.msg, "netns 'a\\nb' does not exist") == 0, "message escaped");
	nsl_err_set(&err, NSL_E_USAGE, -EINVAL, err.object, "again: %s", err.msg);
	ok(strcmp(err.object, "a\\nb") == 0 && strcmp(err.msg, "again: netns 'a\\nb' does not exist") == 0,
	   "err's own text as arguments");
	snprintf(err.msg, sizeof(err.msg), "raw\nmsg");
	snprintf(err.extack, sizeof(err.extack), "kernel\tsays");
	ok(strcmp(nsl_err_format(&err, fmt, sizeof(fmt)), "raw\\nmsg: kernel\\tsays") == 0,
	   "format escapes text written directly and the extack");
	ok(nsl_parse_alias("lab port é", NULL) == 0, "printable alias");
	ok(nsl_parse_alias("a\nb", NULL) == -EINVAL, "alias with a newline");
	ok(nsl_parse_alias("a\x7f", NULL) == -EINVAL, "alias with DEL");
	memset(fmt, 'x', 256);
	fmt[256] = '\0';
	ok(nsl_parse_alias(fmt, NULL) == -EINVAL, "alias of 256 bytes");
	fmt[255] = '\0';
	ok(nsl_parse_alias(fmt, NULL) == 0, "alias of 255 bytes");
}

int main(void)
{
	ifnames();
	nsnames();
	cidrs();
	routes();
	contains();
	macs_mtus_rates();
	errors();
	escapes();
	return tap_done();
}
