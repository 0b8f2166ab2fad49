"""Writes the FastCGI seeds of the fuzz tests into their corpus directories: python3 fuzz/seeds/fastcgi.py .

Run from the repository root; the files it writes are kept in git, so this is only needed to change them."""
import os, struct, sys

def rec(t, rid, content=b"", pad=None):
    if pad is None:
        pad = (8 - len(content) % 8) % 8
    return struct.pack(">BBHHBB", 1, t, rid, len(content), pad, 0) + content + b"\0" * pad

def length(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)

def pairs(d):
    return b"".join(length(len(k)) + length(len(v)) + k + v for k, v in d)

BEGIN, ABORT, END, PARAMS, STDIN, STDOUT, STDERR, DATA, GETV, GETVR, UNKNOWN = range(1, 12)

def begin(rid, role=1, keep=1):
    return rec(BEGIN, rid, struct.pack(">HB5x", role, keep))

def end(rid, app=0, status=0):
    return rec(END, rid, struct.pack(">IB3x", app, status))

params = pairs([(b"REQUEST_METHOD", b"POST"), (b"SCRIPT_NAME", b"/api/messages"), (b"REQUEST_URI", b"/api/messages?x=1"),
                (b"QUERY_STRING", b"x=1"), (b"CONTENT_TYPE", b"application/json"), (b"CONTENT_LENGTH", b"13"),
                (b"HTTP_HOST", b"www.foobar.com"), (b"SERVER_PROTOCOL", b"HTTP/1.1"), (b"REMOTE_ADDR", b"127.0.0.1"),
                (b"HTTP_TRACEPARENT", b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")])
get_params = pairs([(b"REQUEST_METHOD", b"GET"), (b"SCRIPT_NAME", b"/api/health"), (b"REQUEST_URI", b"/api/health"),
                    (b"CONTENT_LENGTH", b""), (b"HTTP_HOST", b"www.foobar.com")])
long_pair = pairs([(b"HTTP_COOKIE", b"c" * 200), (b"X", b"")])
body = b'{"text":"hi"}'

request = begin(1) + rec(PARAMS, 1, params) + rec(PARAMS, 1) + rec(STDIN, 1, body) + rec(STDIN, 1)
get_request = begin(1, keep=0) + rec(PARAMS, 1, get_params) + rec(PARAMS, 1) + rec(STDIN, 1)
two = (begin(1) + begin(2) + rec(PARAMS, 2, get_params) + rec(PARAMS, 1, params[:40]) + rec(PARAMS, 1, params[40:])
       + rec(PARAMS, 1) + rec(PARAMS, 2) + rec(STDIN, 2) + rec(STDIN, 1, body, pad=0) + rec(STDIN, 1))
get_values = rec(GETV, 0, pairs([(b"FCGI_MAX_CONNS", b""), (b"FCGI_MAX_REQS", b""), (b"FCGI_MPXS_CONNS", b"")]))
aborted = begin(3) + rec(PARAMS, 3, get_params) + rec(ABORT, 3) + rec(PARAMS, 3)
unknown = rec(42, 0, b"\1\2\3") + begin(4, role=2) + rec(DATA, 5, b"x")

cgi = b"Status: 201 Created\r\nContent-Type: application/json\r\nLocation: /api/messages/7\r\n\r\n{\"id\":7}"
response = rec(STDOUT, 1, cgi) + rec(STDOUT, 1) + end(1)
split_head = (rec(STDOUT, 1, b"Content-Type: text/pl") + rec(STDERR, 1, b"warning\n") + rec(STDOUT, 1, b"ain\nX-A: b\n\nhello")
              + rec(STDOUT, 2, b"other") + rec(GETVR, 0, pairs([(b"FCGI_MPXS_CONNS", b"1")])) + rec(STDOUT, 1) + end(1, app=3))
redirect = rec(STDOUT, 1, b"Location: http://example.org/\n\n", pad=0) + end(1)
refused = end(1, app=1, status=2)

dirs = {
    "fastcgi/src/test/resources/org/foobarstack/fastcgi/FastCgiRecordFuzzTestInputs/recordDecoder": {
        "request": request, "two-multiplexed": two, "get-values": get_values, "response": response,
        "aborted": aborted, "unknown-type": unknown},
    "fastcgi/src/test/resources/org/foobarstack/fastcgi/FastCgiRecordFuzzTestInputs/nameValuePairs": {
        "post-params": params, "get-params": get_params, "four-byte-length": long_pair,
        "get-values": pairs([(b"FCGI_MAX_CONNS", b""), (b"FCGI_MPXS_CONNS", b"1")])},
    "fastcgi/src/test/resources/org/foobarstack/fastcgi/client/FastCgiClientFuzzTestInputs/responseFromResponder": {
        "response": response, "head-across-records": split_head, "redirect": redirect, "overloaded": refused,
        "bad-version": rec(STDOUT, 1, b"Status: 200\n\n")[:-3] + b"\2" * 8},
    "app-server/src/test/resources/org/foobarstack/app/fastcgi/FastCgiResponderFuzzTestInputs/requestsFromWebServer": {
        "post": request, "get-close": get_request, "two-multiplexed": two, "get-values": get_values,
        "aborted": aborted, "unknown-type-and-role": unknown},
}
root = sys.argv[1]
for d, files in dirs.items():
    os.makedirs(os.path.join(root, d), exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(root, d, name), "wb") as f:
            f.write(data)
