# Run inside a network namespace whose packet filter was loaded from an exported ruleset: listens on the host's
# ports, connects to each from each source address, and prints what every client saw, one line each:
#   <source> <port> accepted|rejected|dropped
# usage: python3 probe.py HOST_ADDRESS PORTS SOURCES   (PORTS and SOURCES comma-separated)
import socket
import sys
import threading

host, ports, sources = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")


def serve(listener):
    while True:
        conn, _ = listener.accept()
        conn.sendall(b"hi")
        conn.close()


for port in ports:
    listener = socket.socket()
    listener.bind((host, int(port)))
    listener.listen(64)
    threading.Thread(target=serve, args=(listener,), daemon=True).start()

results = {}


def attempt(source, port):
    client = socket.socket()
    client.settimeout(1.5)  # a dropped SYN is retried for minutes; 1.5 s of silence is enough to call it dropped
    client.bind((source, 0))
    try:
        client.connect((host, int(port)))
        results[(source, port)] = "accepted" if client.recv(2) == b"hi" else "accepted-but-silent"
    except ConnectionRefusedError:  # a TCP reset, or ICMP port unreachable: the kernel says "refused" for both
        results[(source, port)] = "rejected"
    except socket.timeout:
        results[(source, port)] = "dropped"
    finally:
        client.close()


threads = [threading.Thread(target=attempt, args=(s, p)) for s in sources for p in ports]
for t in threads:
    t.start()
for t in threads:
    t.join()
for s in sources:
    for p in ports:
        print(s, p, results[(s, p)])
