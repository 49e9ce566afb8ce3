#!/usr/bin/env python3
"""Publishes one Offload job to NATS JetStream over the plain NATS protocol: Python's standard
library only, no client package and no Offload code.

    python3 nats_producer.py 127.0.0.1:4222 offload.jobs.default \
        '{"task": "spin", "input": {"ms": 20}}' [MSG_ID]

The subject is "PREFIX.jobs." + queue; Offload workers create the stream. The job is published
with a reply subject, so JetStream answers with a publish ack once the job is stored (an error
otherwise); with MSG_ID it goes out as HPUB with a Nats-Msg-Id header, which JetStream uses to drop
a second publish of the same job.
"""
import json
import socket
import sys


def read_line(f):
    line = f.readline()
    if not line:
        raise SystemExit("connection closed by the server")
    return line.decode("utf-8").rstrip("\r\n")


def main(address, subject, job_json, msg_id=None):
    host, port = address.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=10)
    f = sock.makefile("rb")
    info = read_line(f)  # INFO {...}
    if not info.startswith("INFO "):
        raise SystemExit("not a NATS server: " + info)
    body = job_json.encode("utf-8")
    out = b'CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"lang":"python-plain"}\r\n'
    out += b"SUB _INBOX.offload.ack 1\r\n"
    if msg_id:
        headers = ("NATS/1.0\r\nNats-Msg-Id: " + msg_id + "\r\n\r\n").encode("utf-8")
        out += ("HPUB %s _INBOX.offload.ack %d %d\r\n" % (subject, len(headers), len(headers) + len(body))).encode()
        out += headers + body + b"\r\n"
    else:
        out += ("PUB %s _INBOX.offload.ack %d\r\n" % (subject, len(body))).encode() + body + b"\r\n"
    out += b"PING\r\n"
    sock.sendall(out)
    while True:
        line = read_line(f)
        if line == "PING":
            sock.sendall(b"PONG\r\n")
        elif line.startswith("-ERR"):
            raise SystemExit("server error: " + line)
        elif line.startswith("HMSG "):  # a status reply, e.g. 503: no stream takes the subject
            size = int(line.split()[-1])
            status = f.read(size + 2)[:size].decode("utf-8").splitlines()[0]
            raise SystemExit("JetStream refused the job (" + status + "); is an Offload worker running?")
        elif line.startswith("MSG "):
            size = int(line.split()[-1])
            ack = json.loads(f.read(size + 2)[:size])
            if "error" in ack:
                raise SystemExit("JetStream refused the job: " + json.dumps(ack["error"]))
            print("published to", ack["stream"], "seq", ack["seq"])
            sock.close()
            return


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit("usage: nats_producer.py HOST:PORT SUBJECT JOB_JSON [MSG_ID]")
    main(*sys.argv[1:])
