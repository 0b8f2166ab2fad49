"""Writes the DNS and DoH seeds of the fuzz tests into their corpus directories: python3 fuzz/seeds/dns.py .

Run from the repository root; the files it writes are kept in git, so this is only needed to change them."""
import base64, os, struct, sys

def name(n):
    out = b""
    for label in n.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"

def query(qname, qtype, qclass=1, qid=0x1234, flags=0x0100, opt=None, opcode=0):
    flags |= opcode << 11
    ar = 1 if opt is not None else 0
    msg = struct.pack(">HHHHHH", qid, flags, 1, 0, 0, ar) + name(qname) + struct.pack(">HH", qtype, qclass)
    if opt is not None:
        size, version, do, options = opt
        rdata = b"".join(struct.pack(">HH", code, len(data)) + data for code, data in options)
        msg += b"\0" + struct.pack(">HHBBHH", 41, size, 0, version, 0x8000 if do else 0, len(rdata)) + rdata
    return msg

A, NS, CNAME, SOA, MX, TXT, AAAA, ANY, AXFR, HTTPS = 1, 2, 5, 6, 15, 16, 28, 255, 252, 65
seeds = {
    "www-a": query("www.foobar.com", A),
    "apex-ns-round-robin": query("foobar.com", NS),
    "mail-aaaa-edns": query("mail.foobar.com", AAAA, opt=(1232, 0, True, [])),
    "alias-chain": query("alias2.foobar.com", A, qid=0),
    "wildcard-txt": query("x.wild.foobar.com", TXT, flags=0),
    "nxdomain": query("nope.foobar.com", MX),
    "outside-zone": query("www.example.org", A),
    "any": query("foobar.com", ANY, opt=(512, 0, False, [])),
    "axfr": query("foobar.com", AXFR),
    "https-type": query("www.foobar.com", HTTPS),
    "class-ch": query("version.bind", TXT, qclass=3),
    "edns-version-1": query("www.foobar.com", A, opt=(1232, 1, False, [])),
    "edns-cookie": query("www.foobar.com", A, opt=(4096, 0, False, [(10, b"\1\2\3\4\5\6\7\x08")])),
    "opcode-notify": query("foobar.com", SOA, opcode=4),
    "compressed-name": struct.pack(">HHHHHH", 7, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c" + struct.pack(">HH", A, 1),
    "qdcount-2": query("www.foobar.com", A)[:4] + b"\0\2" + query("www.foobar.com", A)[6:] + name("a.foobar.com") + b"\0\1\0\1",
    "response": query("www.foobar.com", A, flags=0x8180),
}
root = sys.argv[1]
d = os.path.join(root, "dns-server/src/test/resources/org/foobarstack/dns/DnsQueryFuzzTestInputs/queryToAnswer")
os.makedirs(d, exist_ok=True)
for k, v in seeds.items():
    open(os.path.join(d, k), "wb").write(v)

# DoH: first byte picks the request shape (see DohEndpointFuzzTest), the rest is its payload
GET, POST, HEAD, POST_OTHER_TYPE, PUT = 0, 1, 2, 3, 4
def b64(m):
    return base64.urlsafe_b64encode(m).rstrip(b"=")
doh = {
    "get-www": bytes([GET]) + b"dns=" + b64(query("www.foobar.com", A, qid=0)),
    "get-padded-percent": bytes([GET]) + b"ct=x&dns=" + base64.urlsafe_b64encode(query("foobar.com", NS, qid=0)).replace(b"=", b"%3D"),
    "head-mx": bytes([HEAD]) + b"dns=" + b64(query("foobar.com", MX, qid=9)),
    "post-aaaa-edns": bytes([POST]) + query("mail.foobar.com", AAAA, qid=0, opt=(1232, 0, True, [])),
    "post-wrong-type": bytes([POST_OTHER_TYPE]) + query("www.foobar.com", A),
    "get-no-parameter": bytes([GET]) + b"name=www.foobar.com",
    "get-bad-base64": bytes([GET]) + b"dns=***",
    "post-response": bytes([POST]) + query("www.foobar.com", A, flags=0x8180),
    "put": bytes([PUT]) + query("www.foobar.com", A),
}
d = os.path.join(root, "doh/src/test/resources/org/foobarstack/doh/DohEndpointFuzzTestInputs/dnsQuery")
os.makedirs(d, exist_ok=True)
for k, v in doh.items():
    open(os.path.join(d, k), "wb").write(v)
