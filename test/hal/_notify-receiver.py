"""A stand-in for systemd's notification socket: binds an AF_UNIX datagram socket (which Node cannot) and prints
each datagram as one JSON line. File descriptors passed with BARRIER=1 are closed at once, as systemd does, so
systemd-notify's barrier completes."""
import array
import json
import os
import socket
import sys

sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sys.argv[1])
print(json.dumps({"listening": sys.argv[1]}), flush=True)
while True:
    data, ancillary, _flags, _addr = sock.recvmsg(4096, socket.CMSG_SPACE(16 * 4))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
            for fd in fds:
                os.close(fd)
    print(json.dumps({"datagram": data.decode("utf-8", "replace")}), flush=True)
