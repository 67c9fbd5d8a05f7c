#!/usr/bin/env python3
"""Host-side tests of benchtop-agent built natively: runs `benchtop-agent --stdio` under a
small protocol host (btlink.py) and checks every service, a lossy link included.

    python3 test/driver.py build/benchtop-agent [-k name] [-v]
"""
import argparse
import hashlib
import os
import random
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from btlink import (T_ERR, T_HELLO, T_RESP, T_RESP_PART, T_STREAM, T_STREAM_END, Faults, Host, encode,  # noqa: E402
                    parse_fields)
from monrec import Assembler  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE_GDB = os.path.join(HERE, "fake-gdbserver.sh")
ENOTCONN, ESRCH = 107, 3


class Agent:
    def __init__(self, binary, tmp, to_agent=None, from_agent=None, extra=()):
        self.fifo = os.path.join(tmp, "run", "events")
        self.input_dir = os.path.join(tmp, "input")
        os.makedirs(self.input_dir, exist_ok=True)
        self.errlog = open(os.path.join(tmp, "agent.log"), "ab")
        self.p = subprocess.Popen(
            [binary, "-v", "--stdio", "--events", self.fifo, "--gdbserver", FAKE_GDB,
             "--input-dir", self.input_dir, "--data-listen", "127.0.0.1:0", *extra],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errlog)
        self.h = Host(self.p.stdout.fileno(), self.p.stdin.fileno(), to_agent, from_agent)

    def close(self):
        self.p.kill()
        self.p.wait()
        self.errlog.close()

    def cpu_ticks(self):
        with open("/proc/%d/stat" % self.p.pid) as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return int(parts[11]) + int(parts[12])


def put(h, path, data, chan=0, mode="0644", cut_after=None):
    t, f = h.call("PUT_BEGIN", path, mode, len(data), chan=chan)
    assert t == T_RESP, f
    handle = int(f[0])
    step, rids = 4000, []
    for off in range(0, len(data), step):
        if cut_after is not None and off >= cut_after:
            return handle
        rids.append(h.request("PUT_DATA", handle, data[off:off + step], chan=chan))
        # keep at most 8 requests outstanding, like a window-aware host
        while len([r for r in rids if not h.done(r)]) >= 8:
            h.pump(10, lambda: len([r for r in rids if not h.done(r)]) < 8)
    for r in rids:
        frames = h.wait(r)
        assert frames[-1]["type"] == T_RESP, frames
    t, f = h.call("PUT_END", handle, zlib.crc32(data), chan=chan)
    assert t == T_RESP, f
    return handle


def get(h, path, chan=0):
    rid = h.request("GET", path, chan=chan)
    frames = h.wait(rid)
    assert frames[0]["type"] == T_RESP, frames
    data, end = h.stream(rid, timeout=120)
    body = data.get(0, b"")
    assert int(end[0]) == len(body) and int(end[1]) == zlib.crc32(body), (end, len(body))
    return body


def spawn(h, argv, cwd="/", env=(), chan=0):
    rid = h.request("SPAWN", cwd, len(env), *env, *argv, chan=chan)
    frames = h.wait(rid)
    assert frames[0]["type"] == T_RESP, frames
    return rid, int(frames[0]["payload"][4:])


def proc_state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


# ---------------------------------------------------------------- tests
def test_hello(a, tmp):
    h = a.h
    # The agent says HELLO at start; the host answers with its own HELLO, gets HELLO_ACK.
    h.pump(2, lambda: h.hellos_seen > 0)
    assert h.hellos_seen == 1, "no start-up HELLO"
    caps = h.connect()
    assert caps["protocol"] == "1" and caps["window"] == "8" and caps["max_payload"] == "4096", caps
    assert "gdb" in caps["services"], caps


def test_ping(a, tmp):
    h = a.h
    h.connect()
    t, f = h.call("PING")
    assert t == T_RESP and int(f[0]) >= 0, f
    t0 = time.monotonic()
    for _ in range(50):
        h.call("PING")
    print("    ping RTT over a pipe: %.2f ms" % ((time.monotonic() - t0) / 50 * 1000))


def test_channels(a, tmp):
    h = a.h
    h.connect()
    t, f = h.call("PING", chan=7)
    assert t == T_ERR and int(f[0]) == ENOTCONN, f
    t, f = h.call("CONNECT", "test-tool")
    assert t == T_RESP
    ch = int(f[0])
    assert ch != 0
    t, f = h.call("PING", chan=ch)
    assert t == T_RESP
    rid, pid = spawn(h, ["sleep", "100"], chan=ch)
    t, f = h.call("DISCONNECT", chan=ch)
    assert t == T_RESP
    h.pump(2, lambda: proc_state(pid) in (None, "Z"))
    assert proc_state(pid) in (None, "Z"), "DISCONNECT did not kill the channel's process"
    t, f = h.call("PING", chan=ch)
    assert t == T_ERR and int(f[0]) == ENOTCONN, f
    t, f = h.call("FOO" if False else "PING")
    assert t == T_RESP


def test_list_stat(a, tmp):
    h = a.h
    h.connect()
    t, entries = h.call("LIST", "/")
    assert t == T_RESP
    names = {e.split(b"\t")[4]: e.split(b"\t") for e in entries}
    assert names[b"proc"][0] == b"d" and names[b"tmp"][0] == b"d", names.keys()
    # a directory big enough for several RESP_PART frames
    d = os.path.join(tmp, "many")
    os.mkdir(d)
    for i in range(400):
        open(os.path.join(d, "file-with-a-longish-name-%04d" % i), "w").write("x" * i)
    os.symlink("target", os.path.join(d, "link"))
    rid = h.request("LIST", d)
    frames = h.wait(rid)
    assert sum(f["type"] == T_RESP_PART for f in frames) >= 2, [f["type"] for f in frames]
    t, entries = h.call("LIST", d)
    ents = {e.split(b"\t")[4].decode(): e.decode().split("\t") for e in entries}
    assert len(ents) == 401
    assert ents["file-with-a-longish-name-0123"][:3] == ["f", "0644", "123"], ents["file-with-a-longish-name-0123"]
    assert ents["link"][0] == "l"
    t, f = h.call("STAT", os.path.join(d, "file-with-a-longish-name-0007"))
    assert t == T_RESP and f[0].split(b"\t")[:3] == [b"f", b"0644", b"7"], f
    t, f = h.call("STAT", "/nonexistent")
    assert t == T_ERR and int(f[0]) == 2, f
    t, f = h.call("LIST", "/nonexistent")
    assert t == T_ERR and int(f[0]) == 2, f


def test_put_get(a, tmp, size=1 << 20):
    h = a.h
    h.connect()
    data = os.urandom(size)
    path = os.path.join(tmp, "blob.bin")
    t0 = time.monotonic()
    put(h, path, data, mode="0600")
    t1 = time.monotonic()
    assert open(path, "rb").read() == data
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    body = get(h, path)
    t2 = time.monotonic()
    assert body == data, "GET differs"
    print("    %d KiB: PUT %.2f MiB/s, GET %.2f MiB/s (pipe)" % (size // 1024, size / (t1 - t0) / 2**20, size / (t2 - t1) / 2**20))
    assert not [n for n in os.listdir(tmp) if ".btpart." in n]
    # GET of a /proc file: size 0 in the RESP, the real size in STREAM_END
    body = get(h, "/proc/self/status")
    assert b"Name:" in body
    t, f = h.call("REMOVE", path)
    assert t == T_RESP and not os.path.exists(path)
    os.mkdir(os.path.join(tmp, "emptydir"))
    t, f = h.call("REMOVE", os.path.join(tmp, "emptydir"))
    assert t == T_RESP and not os.path.exists(os.path.join(tmp, "emptydir")), f
    t, f = h.call("GET", tmp)
    assert t == T_ERR and int(f[0]) == 21, f


def test_put_broken(a, tmp):
    h = a.h
    h.connect()
    data = os.urandom(200000)
    target = os.path.join(tmp, "target.bin")
    open(target, "wb").write(b"old contents")
    # 1. wrong CRC: ERR, temp removed, old file intact
    t, f = h.call("PUT_BEGIN", target, "0644", len(data))
    hd = int(f[0])
    for off in range(0, len(data), 4000):
        h.call("PUT_DATA", hd, data[off:off + 4000])
    t, f = h.call("PUT_END", hd, (zlib.crc32(data) + 1) & 0xFFFFFFFF)
    assert t == T_ERR, f
    assert open(target, "rb").read() == b"old contents"
    # 2. short: ERR
    t, f = h.call("PUT_BEGIN", target, "0644", len(data))
    hd = int(f[0])
    h.call("PUT_DATA", hd, data[:4000])
    t, f = h.call("PUT_END", hd, zlib.crc32(data[:4000]))
    assert t == T_ERR, f
    # 3. cut mid-way by a link reset (HELLO)
    put(h, target, data, cut_after=100000)
    h.pump(0.5)
    assert [n for n in os.listdir(tmp) if ".btpart." in n], "no temp file while the PUT runs"
    h.connect()
    h.call("PING")
    assert not [n for n in os.listdir(tmp) if ".btpart." in n], os.listdir(tmp)
    assert open(target, "rb").read() == b"old contents"
    # 4. cut by DISCONNECT of the channel
    t, f = h.call("CONNECT", "putter")
    ch = int(f[0])
    put(h, os.path.join(tmp, "new.bin"), data, chan=ch, cut_after=50000)
    h.call("DISCONNECT", chan=ch)
    assert not [n for n in os.listdir(tmp) if n.startswith("new.bin")], os.listdir(tmp)
    # 5. PUT_ABORT
    t, f = h.call("PUT_BEGIN", target, "0644", 10)
    t, f = h.call("PUT_ABORT", int(f[0]))
    assert t == T_RESP and not [n for n in os.listdir(tmp) if ".btpart." in n]
    # 6. a handle of another channel is not ours
    t, f = h.call("PUT_BEGIN", target, "0644", 10)
    t2, f2 = h.call("CONNECT", "other")
    t3, f3 = h.call("PUT_ABORT", int(f[0]), chan=int(f2[0]))
    assert t3 == T_ERR, f3


def test_spawn(a, tmp):
    h = a.h
    h.connect()
    rid, pid = spawn(h, ["sh", "-c", "echo hi; echo err >&2; exit 3"])
    data, end = h.stream(rid)
    assert data.get(1) == b"hi\n" and data.get(2) == b"err\n", data
    assert end == [b"exit", b"3"], end
    # cwd and env
    rid, pid = spawn(h, ["sh", "-c", 'echo "$FOO $(pwd)"'], cwd=tmp, env=["FOO=bar"])
    data, end = h.stream(rid)
    assert data.get(1) == ("bar %s\n" % tmp).encode(), data
    # exec failure is an ERR, not a RESP
    t, f = h.call("SPAWN", "/", 0, "/no/such/program")
    assert t == T_ERR and int(f[0]) == 2, f
    t, f = h.call("SPAWN", "/no/such/dir", 0, "true")
    assert t == T_ERR and int(f[0]) == 2, f
    # stdin
    rid, pid = spawn(h, ["cat"])
    t, f = h.call("STDIN", pid, "hello ")
    assert t == T_RESP, f
    h.call("STDIN", pid, "world")
    h.call("STDIN", pid, "")
    data, end = h.stream(rid)
    assert data.get(1) == b"hello world" and end == [b"exit", b"0"], (data, end)
    t, f = h.call("STDIN", pid, "late")
    assert t == T_ERR and int(f[0]) == ESRCH, f
    # many lines of output, exactly once each
    rid, pid = spawn(h, ["seq", "1", "200000"])
    data, end = h.stream(rid)
    assert data.get(1) == "".join("%d\n" % i for i in range(1, 200001)).encode()


def test_signals(a, tmp):
    h = a.h
    h.connect()
    rid, pid = spawn(h, ["sleep", "100"])
    h.pump(1, lambda: proc_state(pid) == "S")
    assert proc_state(pid) == "S", proc_state(pid)
    assert h.call("SIGNAL", pid, 19)[0] == T_RESP
    h.pump(1, lambda: proc_state(pid) == "T")
    assert proc_state(pid) == "T", proc_state(pid)
    assert h.call("SIGNAL", pid, 18)[0] == T_RESP
    h.pump(1, lambda: proc_state(pid) == "S")
    assert proc_state(pid) == "S", proc_state(pid)
    assert h.call("SIGNAL", pid, 9)[0] == T_RESP
    data, end = h.stream(rid)
    assert end == [b"signal", b"9"], end
    t, f = h.call("SIGNAL", 999999, 0)
    assert t == T_ERR and int(f[0]) == ESRCH, f


def test_flow_control(a, tmp):
    """A producer waits while the host does not ack: the agent neither drops nor buffers."""
    h = a.h
    h.connect()
    n = 3_000_000
    rid, pid = spawn(h, ["sh", "-c", "head -c %d /dev/zero | tr '\\0' x; echo done >&2" % n])
    # Stop reading the link for a while: the child must block on its pipe.
    time.sleep(1.5)
    assert proc_state(pid) not in (None, "Z"), "the producer ran to the end: nobody held it back"
    rss = int(open("/proc/%d/status" % a.p.pid).read().split("VmRSS:")[1].split()[0])
    data, end = h.stream(rid, timeout=60)
    assert data.get(1) == b"x" * n and data.get(2) == b"done\n" and end == [b"exit", b"0"]
    print("    agent RSS while held back: %d KiB" % rss)


def test_events(a, tmp):
    h = a.h
    h.connect()
    assert h.call("EVENTS")[0] == T_RESP
    with open(a.fifo, "w") as f:
        f.write("phase=1 start\nphase=1 end\n")
    h.pump(3, lambda: len(h.events) >= 2)
    from btlink import parse_fields
    ev = [parse_fields(e["payload"]) for e in h.events]
    assert ev[:2] == [[b"marker", b"phase=1 start"], [b"marker", b"phase=1 end"]], ev
    rid, pid = spawn(h, ["sh", "-c", "exit 5"])
    h.stream(rid)
    h.pump(2, lambda: len(h.events) >= 3)
    ev = [parse_fields(e["payload"]) for e in h.events]
    assert [b"exit", ("pid=%d status=exit:5" % pid).encode()] in ev, ev


def input_event(sec, usec, typ, code, value):
    # struct input_event on this (64-bit) host: struct timeval (2 longs), u16 type, u16 code, s32 value
    import struct
    return struct.pack("@llHHi", sec, usec, typ, code, value)


def test_input(a, tmp):
    """INPUT_WATCH on FIFOs standing in for /dev/input/event* (no evdev here: the ioctls fail and
    the name is "?"): EV_KEY records become `input` EVENTs in order, other types are skipped,
    SYN_DROPPED is reported, a device created while watching is picked up (inotify), off and
    DISCONNECT close the devices (no fd left), and nothing is read while nobody watches."""
    import stat as st_
    h = a.h
    h.connect()
    ev0 = os.path.join(a.input_dir, "event0")
    os.mkfifo(ev0)
    os.mkfifo(os.path.join(a.input_dir, "mouse0"))  # not an event node: ignored
    w0 = os.open(ev0, os.O_RDWR | os.O_NONBLOCK)  # keeps the FIFO from reporting EOF

    def agent_fds():
        d = "/proc/%d/fd" % a.p.pid
        return sorted(os.readlink(os.path.join(d, x)) for x in os.listdir(d))

    assert not any("event0" in x for x in agent_fds()), "opened before anyone watches"
    t, f = h.call("INPUT_WATCH", "maybe")
    assert t == T_ERR and int(f[0]) == 22, f
    t, f = h.call("INPUT_WATCH", "on")
    assert t == T_RESP and f == [b"event0\t?"], f
    assert any(x.endswith("/event0") for x in agent_fds())
    os.write(w0, input_event(5, 250, 4, 4, 30) + input_event(5, 250, 1, 30, 1) + input_event(5, 250, 0, 0, 0)
             + input_event(5, 900000, 1, 30, 0) + input_event(6, 1, 1, 48, 2) + input_event(7, 3, 0, 3, 0))
    h.pump(3, lambda: len(h.events) >= 4)
    ev = [parse_fields(e["payload"]) for e in h.events]
    assert ev == [[b"input", b"dev=event0 name=? code=30 value=1 t=5000250"],
                  [b"input", b"dev=event0 name=? code=30 value=0 t=5900000"],
                  [b"input", b"dev=event0 name=? code=48 value=2 t=6000001"],
                  [b"input-dropped", b"dev=event0 name=? t=7000003"]], ev
    # A device that appears while watching.
    ev3 = os.path.join(a.input_dir, "event3")
    os.mkfifo(ev3)
    h.pump(2, lambda: any(x.endswith("/event3") for x in agent_fds()))
    w3 = os.open(ev3, os.O_RDWR | os.O_NONBLOCK)
    os.write(w3, input_event(8, 0, 1, 2, 1))
    h.pump(3, lambda: len(h.events) >= 5)
    assert parse_fields(h.events[4]["payload"]) == [b"input", b"dev=event3 name=? code=2 value=1 t=8000000"]
    # Off: the devices are closed, later key events are not sent.
    assert h.call("INPUT_WATCH", "off")[0] == T_RESP
    assert not any(x.startswith(a.input_dir) for x in agent_fds()), agent_fds()
    os.write(w0, input_event(9, 0, 1, 30, 1))
    h.pump(0.5)
    assert len(h.events) == 5, h.events[5:]
    os.read(w0, 4096)  # drain what nobody read
    # Another channel watches, DISCONNECT ends it too.
    ch = int(h.call("CONNECT", "input-test")[1][0])
    assert h.call("INPUT_WATCH", "on", chan=ch)[0] == T_RESP
    os.write(w0, input_event(10, 0, 1, 31, 1))
    h.pump(3, lambda: len(h.events) >= 6)
    assert h.events[5]["chan"] == ch and parse_fields(h.events[5]["payload"])[1].endswith(b"code=31 value=1 t=10000000")
    assert h.call("DISCONNECT", chan=ch)[0] == T_RESP
    assert not any(x.startswith(a.input_dir) for x in agent_fds()), agent_fds()
    os.close(w0)
    os.close(w3)
    assert st_.S_ISFIFO(os.stat(ev0).st_mode)


def dc_connect(port, direction, handle, token, magic=b"BTDC"):
    """A data connection (spec section 6): header, then the agent's status byte."""
    import socket
    import struct
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(magic + struct.pack("<BBHI", 1, direction, 0, handle) + token)
    st = s.recv(1)
    return s, (st[0] if st else None)


def test_datachan(a, tmp):
    """PUT and GET over the data channel: wrong token / bad magic refused (the transfer stays
    usable), 1 MiB byte-identical both ways, PUT_END before the bytes (answered once they are
    in), a connection cut mid-way (no file, no temp; PUT_END gets the error), PUT_DATA refused
    on a data transfer, a stalled data connection does not stop PINGs, PUT_ABORT of a GET."""
    import socket
    h = a.h
    caps = h.connect()
    port = int(caps["data_port"])
    assert port > 0, caps
    data = os.urandom(1 << 20)
    dst = os.path.join(tmp, "dc.bin")
    t, f = h.call("PUT_BEGIN", dst, "0600", len(data), "data")
    assert t == T_RESP and len(f) == 2 and len(f[1]) == 32, f
    handle, token = int(f[0]), bytes.fromhex(f[1].decode())
    t, f = h.call("PUT_DATA", handle, b"x")
    assert t == T_ERR and int(f[0]) == 22, f
    s, st = dc_connect(port, 1, handle, bytes(16))
    assert st == 2, st
    assert s.recv(1) == b""  # closed after the status
    s.close()
    s, st = dc_connect(port, 1, handle, token, magic=b"XXXX")
    assert st == 1, st
    s.close()
    s, st = dc_connect(port, 1, handle, token)
    assert st == 0, st
    # PUT_END first: the link may overtake the TCP bytes; the answer waits for them.
    rid = h.request("PUT_END", handle, zlib.crc32(data))
    h.pump(0.3)
    assert not h.done(rid), "PUT_END answered before the bytes were in"
    t0 = time.monotonic()
    s.sendall(data)
    frames = h.wait(rid, timeout=30)
    assert frames[-1]["type"] == T_RESP, frames
    print("    data channel PUT 1 MiB: %.1f MiB/s (loopback)" % (1 / (time.monotonic() - t0)))
    # The agent's counts of bytes in the temp file (u64 LE), increasing, the last = the size, then EOF.
    back = bytearray()
    while True:
        b = s.recv(65536)
        if not b:
            break
        back += b
    counts = [int.from_bytes(back[i:i + 8], "little") for i in range(0, len(back), 8)]
    assert len(back) % 8 == 0 and counts and counts[-1] == len(data) and counts == sorted(counts), counts
    s.close()
    assert open(dst, "rb").read() == data and (os.stat(dst).st_mode & 0o777) == 0o600
    s2, st = dc_connect(port, 1, handle, token)  # a finished transfer takes nothing
    assert st == 2, st
    s2.close()

    # GET over the data channel.
    rid = h.request("GET", dst, "data")
    frames = h.wait(rid)
    f = parse_fields(frames[0]["payload"])
    assert frames[0]["type"] == T_RESP and int(f[0]) == len(data) and len(f) == 3, f
    s, st = dc_connect(port, 2, int(f[1]), bytes.fromhex(f[2].decode()))
    assert st == 0
    got = bytearray()
    while True:
        b = s.recv(65536)
        if not b:
            break
        got += b
    s.close()
    body, end = h.stream(rid, timeout=30)
    assert body == {} and int(end[0]) == len(data) and int(end[1]) == zlib.crc32(data), end
    assert bytes(got) == data

    # Cut mid-way: no file at the target name, no temp; PUT_END says why.
    cut = os.path.join(tmp, "cut.bin")
    t, f = h.call("PUT_BEGIN", cut, "0644", len(data), "data")
    handle, token = int(f[0]), bytes.fromhex(f[1].decode())
    s, st = dc_connect(port, 1, handle, token)
    s.sendall(data[:300000])
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()  # RST
    h.pump(2, lambda: not any(n.startswith("cut.bin") for n in os.listdir(tmp)))
    assert not any(n.startswith("cut.bin") for n in os.listdir(tmp)), os.listdir(tmp)
    t, f = h.call("PUT_END", handle, zlib.crc32(data))
    assert t == T_ERR and b"data connection" in f[1], f
    t, f = h.call("PUT_END", handle, 0)
    assert t == T_ERR and int(f[0]) == 9, f  # the slot is gone

    # A stalled data connection (header, then silence) and one that never sends a header:
    # PINGs answer meanwhile.
    t, f = h.call("PUT_BEGIN", os.path.join(tmp, "stall.bin"), "0644", 1000, "data")
    handle, token = int(f[0]), bytes.fromhex(f[1].decode())
    s, st = dc_connect(port, 1, handle, token)
    s.sendall(b"x" * 10)
    idle = socket.create_connection(("127.0.0.1", port))
    t0 = time.monotonic()
    for _ in range(20):
        assert h.call("PING")[0] == T_RESP
    assert time.monotonic() - t0 < 2
    h.pump(0.2)
    assert s.recv(8) == (10).to_bytes(8, "little")  # the count of what arrived
    assert h.call("PUT_ABORT", handle)[0] == T_RESP
    assert s.recv(10) == b""  # the agent closed it
    s.close()
    idle.close()
    assert not any(n.startswith("stall.bin") for n in os.listdir(tmp))
    # PUT_ABORT ends a data-channel GET that never connected.
    rid = h.request("GET", dst, "data")
    f = parse_fields(h.wait(rid)[0]["payload"])
    assert h.call("PUT_ABORT", int(f[1]))[0] == T_RESP
    frames = h.wait(rid, final=(T_ERR,))
    assert frames[-1]["type"] == T_ERR, frames


def test_gdb(a, tmp):
    h = a.h
    h.connect()
    rids = []
    for _ in range(2):  # two at once
        rid = h.request("GDB_START", "spawn", "sleep", "1000")
        frames = h.wait(rid)
        assert frames[0]["type"] == T_RESP, frames
        gid, gpid, dpid = (int(x) for x in __import__("btlink").parse_fields(frames[0]["payload"]))
        assert proc_state(dpid) not in (None, "Z")
        rids.append((rid, gid, gpid, dpid))
    for rid, gid, gpid, dpid in rids:
        assert h.call("GDB_WRITE", gid, "$qSupported#37")[0] == T_RESP
    for rid, gid, gpid, dpid in rids:
        h.pump(3, lambda: b"$qSupported#37" in b"".join(f["payload"][1:] for f in h.replies[rid] if f["type"] == T_STREAM and f["payload"][0] == 3))
    # while gdbserver is silent (a `continue` into an endless loop), everything else works
    assert h.call("PING")[0] == T_RESP
    for rid, gid, gpid, dpid in rids:
        assert h.call("GDB_STOP", gid)[0] == T_RESP
        data, end = h.stream(rid)
        assert data.get(3) == b"$qSupported#37" and b"pid = %d" % dpid in data.get(2), data
        h.pump(2, lambda: proc_state(dpid) in (None, "Z"))
        assert proc_state(dpid) in (None, "Z"), "debuggee survived GDB_STOP"
    # attach
    sleeper = subprocess.Popen(["sleep", "100"])
    rid = h.request("GDB_START", "attach", sleeper.pid)
    frames = h.wait(rid)
    assert frames[0]["type"] == T_RESP and int(__import__("btlink").parse_fields(frames[0]["payload"])[2]) == sleeper.pid
    t, f = h.call("GDB_START", "attach", 999999)
    assert t == T_ERR, f
    sleeper.kill()
    sleeper.wait()


def test_lossy(a, tmp):
    """Garbage between frames, single dropped bytes, flipped bits, both directions."""
    h = a.h
    h.connect()
    h.to_agent = Faults(drop=0.05, garbage=0.05, flip=0.02, seed=11)
    h.from_agent = Faults(drop=0.05, garbage=0.05, flip=0.02, seed=12)
    for i in range(30):
        t, f = h.call("PING", timeout=30)
        assert t == T_RESP
    data = os.urandom(300_000)
    path = os.path.join(tmp, "lossy.bin")
    put(h, path, data)
    assert open(path, "rb").read() == data
    assert get(h, path) == data
    rid, pid = spawn(h, ["seq", "1", "100000"])
    out, end = h.stream(rid, timeout=120)
    assert out.get(1) == "".join("%d\n" % i for i in range(1, 100001)).encode(), "lost or duplicated output"
    # every request answered exactly once, in order: no duplicate RESP for any id
    for r, frames in h.replies.items():
        assert sum(f["type"] in (T_RESP, T_ERR) for f in frames) <= 1 or r == rid, (r, frames)
    fa, fh = h.to_agent, h.from_agent
    print("    to agent: %d dropped, %d garbage bytes, %d flipped; from agent: %d dropped, %d garbage, %d flipped; host resent %d rounds"
          % (fa.dropped, fa.inserted, fa.flipped, fh.dropped, fh.inserted, fh.flipped, h.stats["resent"]))
    assert fa.dropped and fh.dropped
    h.to_agent, h.from_agent = Faults(), Faults()


def test_idle(a, tmp):
    h = a.h
    h.connect()
    h.call("PING")
    h.pump(0.5)
    t0 = a.cpu_ticks()
    time.sleep(3)
    t1 = a.cpu_ticks()
    print("    idle CPU ticks in 3 s: %d" % (t1 - t0))
    assert t1 - t0 <= 1


def test_stale_host(a, tmp):
    """Agent restarted while the host kept its numbering: the agent says HELLO again."""
    h = a.h
    h.to_agent = Faults(drop=1.0)  # our HELLO_ACK to its start-up HELLO gets lost
    h.pump(1, lambda: h.hellos_seen > 0)
    h.to_agent = Faults()
    h.hellos_seen = 0
    time.sleep(0.6)  # the agent repeats its HELLO at most every 500 ms
    # pretend we missed the start-up HELLO: send a REQ with seq 57
    h._write_frame(encode(0x10, 0, 1, 57, 12, bytes([1])))
    h._flush(True)
    h.pump(2, lambda: h.hellos_seen > 0)
    assert h.hellos_seen == 1


def test_stall(a, tmp):
    """A fake header announcing 4095 bytes, then a real request and silence: the agent gives
    up on the candidate after ~200 ms instead of waiting for bytes that never come."""
    h = a.h
    h.connect()
    import struct as st
    h._write_frame(b"BT" + st.pack("<BBHH", 1, 0x10, 0, 4095) + b"\0" * 12)
    t0 = time.monotonic()
    t, f = h.call("PING", timeout=2)
    dt = time.monotonic() - t0
    assert t == T_RESP and dt < 0.5, dt
    print("    answered after %.0f ms" % (dt * 1000))


class Monitor:
    """A MON_START stream, decoded with test/monrec.py as its frames arrive."""

    def __init__(self, h, interval, every, chan=0, batch=None):
        self.h, self.asm, self.samples, self.seen, self.frames = h, Assembler(), [], 0, 0
        extra = () if batch is None else (batch,)
        self.rid = h.request("MON_START", interval, every, *extra, chan=chan)
        frames = h.wait(self.rid)
        assert frames[0]["type"] == T_RESP, frames
        self.info = [int(x) for x in parse_fields(frames[0]["payload"])]

    def _take(self):
        frames = self.h.replies[self.rid]
        for f in frames[self.seen:]:
            if f["type"] == T_STREAM:
                assert f["payload"][0] == 4, f
                assert len(f["payload"]) <= 1 + 1024, len(f["payload"])
                self.frames += 1
                for s in self.asm.feed_payload(f["payload"][1:]):
                    s["t"] = time.monotonic()
                    self.samples.append(s)
        self.seen = len(frames)

    def until(self, pred, timeout=10, what="condition"):
        ok = self.h.pump(timeout, lambda: (self._take(), pred())[1])
        assert ok, "monitor: no %s within %s s (%d samples)" % (what, timeout, len(self.samples))

    def ended(self):
        return any(f["type"] == T_STREAM_END for f in self.h.replies[self.rid])


def test_monitor(a, tmp):
    h = a.h
    assert "monitor" in h.connect()["services"].split(","), h.caps
    assert h.call("MON_START", 5, 1)[0] == T_ERR          # below 20 ms
    assert h.call("MON_START", 100, 0)[0] == T_ERR        # proc_every 0
    t, f = h.call("MON_CONFIG", 100, 1)
    assert t == T_ERR and int(f[0]) == ESRCH, f
    m = Monitor(h, 50, 4)
    clk, page, mono = m.info
    assert clk > 0 and page >= 4096 and mono > 0, m.info
    t, f = h.call("MON_START", 50, 4)
    assert t == T_ERR and int(f[0]) == 16, f              # EBUSY: one stream per channel
    m.until(lambda: len(m.samples) >= 1, what="first sample")
    first = m.samples[0]
    assert first["seq"] == 0 and first["scan"]["full"], first.get("scan")
    assert os.getpid() in first["procs"], "the test's own process is in the first (full) scan"
    me = first["procs"][os.getpid()]
    assert me["comm"] == "python3" or me["comm"].startswith("python"), me
    assert "driver.py" in me["cmdline"] and me["exe"].startswith("/"), me
    assert first["mem_total"] > 0 and 0 < first["mem_available"] <= first["mem_total"], first
    assert first["irqs"] and first["irq_names"], "interrupt lines and their names"

    # A busy child shows up with its CPU time growing, then leaves the table.
    rid, pid = spawn(h, ["sh", "-c", "while :; do :; done"])
    m.until(lambda: pid in m.samples[-1].get("procs", {}), what="spawned pid")
    t0 = m.samples[-1]["procs"][pid]["utime"] + m.samples[-1]["procs"][pid]["stime"]
    m.until(lambda: pid in m.samples[-1].get("procs", {}) and
            m.samples[-1]["procs"][pid]["utime"] + m.samples[-1]["procs"][pid]["stime"] >= t0 + 10,
            what="CPU time of the busy child growing")
    assert h.call("SIGNAL", pid, 9)[0] == T_RESP
    m.until(lambda: "procs" in m.samples[-1] and pid not in m.samples[-1]["procs"], what="killed pid gone")
    assert any(pid in s["scan"]["gone"] for s in m.samples if "scan" in s)

    # Deltas and counters: monotonic, and the rate is the interval's.
    n0, t_0 = len(m.samples), time.monotonic()
    m.until(lambda: len(m.samples) >= n0 + 40, what="40 more samples")
    rate = 40 / (m.samples[-1]["t"] - m.samples[n0]["t"] + 0.05)
    assert 12 < rate < 25, "%.1f samples/s at 50 ms" % rate
    for x, y in zip(m.samples, m.samples[1:]):
        assert y["seq"] == x["seq"] + 1
        assert y["mono_us"] > x["mono_us"]
        for k in ("user", "system", "idle", "ctxt", "forks"):
            assert y[k] >= x[k], (k, x[k], y[k])
    scans = [s["seq"] for s in m.samples if "scan" in s]
    assert all(b - a == 4 for a, b in zip(scans, scans[1:])), scans

    # MON_CONFIG: 200 ms, a scan every sample.
    assert h.call("MON_CONFIG", 200, 1)[0] == T_RESP
    m.until(lambda: len(m.samples) >= n0 + 42, what="samples after MON_CONFIG")
    n1 = len(m.samples)
    m.until(lambda: len(m.samples) >= n1 + 6, what="6 samples at 200 ms")
    gaps = [(b["mono_us"] - a["mono_us"]) / 1000 for a, b in zip(m.samples[n1:], m.samples[n1 + 1:])]
    assert all(150 < g < 300 for g in gaps), gaps
    assert all("scan" in s for s in m.samples[n1:]), "a scan in every sample"

    # MON_STOP: STREAM_END [samples, skipped] before the RESP; nothing after.
    t, f = h.call("MON_STOP")
    assert t == T_RESP, f
    assert m.ended()
    end = [f for f in h.replies[m.rid] if f["type"] == T_STREAM_END][0]
    assert int(parse_fields(end["payload"])[0]) == m.samples[-1]["seq"] + 1
    n2 = len(h.replies[m.rid])
    h.pump(0.5)
    assert len(h.replies[m.rid]) == n2, "frames after STREAM_END"

    # Per channel: two channels, two streams; DISCONNECT ends one silently.
    c1 = int(h.call("CONNECT", "a")[1][0])
    c2 = int(h.call("CONNECT", "b")[1][0])
    m1, m2 = Monitor(h, 100, 10, chan=c1), Monitor(h, 100, 10, chan=c2)
    m1.until(lambda: (m2._take(), len(m1.samples) >= 2 and len(m2.samples) >= 2)[1], what="two streams")
    assert h.call("DISCONNECT", chan=c1)[0] == T_RESP
    k1, k2 = len(h.replies[m1.rid]), len(m2.samples)
    m2.until(lambda: len(m2.samples) >= k2 + 3, what="the other stream going on")
    assert len(h.replies[m1.rid]) == k1, "the disconnected channel's stream stopped"
    assert h.call("MON_STOP", chan=c2)[0] == T_RESP


def test_monitor_split(a, tmp):
    """Long command lines: a scan spreads over several records, each ≤ 1 KiB, and reassembles."""
    h = a.h
    h.connect()
    # cat blocks on its stdin (the agent's pipe) before it would look at the long argument.
    kids = [spawn(h, ["cat", "-", "x" * 200])[1] for _ in range(20)]
    m = Monitor(h, 100, 1)
    m.until(lambda: m.samples and all(k in m.samples[-1]["procs"] for k in kids), what="20 cats")
    s = m.samples[-1]
    assert max(x["records"] for x in m.samples) > 1, "a full scan of 20 long command lines took one record?"
    assert s["procs"][kids[0]]["cmdline"] == "cat - " + "x" * 200
    for k in kids:
        h.call("SIGNAL", k, 9)
    m.until(lambda: not any(k in m.samples[-1]["procs"] for k in kids), what="20 cats gone")
    assert h.call("MON_STOP")[0] == T_RESP


def test_monitor_batch(a, tmp):
    """batch N: N samples to a STREAM frame (fewer frames and ACKs), and MON_STOP sends the rest."""
    h = a.h
    h.connect()
    assert h.call("MON_START", 100, 1, 0)[0] == T_ERR
    assert h.call("MON_START", 100, 1, 51)[0] == T_ERR
    m = Monitor(h, 20, 1000, batch=5)
    # The first sample (every interrupt line named, the full scan) takes several frames.
    m.until(lambda: len(m.samples) >= 5, what="the first batch")
    f0, n0 = m.frames, len(m.samples)
    m.until(lambda: len(m.samples) >= n0 + 30, what="30 samples in batches")
    assert m.frames - f0 == (len(m.samples) - n0) // 5, (m.frames - f0, len(m.samples) - n0)
    assert h.call("MON_CONFIG", 20, 1000, 1)[0] == T_RESP
    f0, n0 = m.frames, len(m.samples)
    m.until(lambda: len(m.samples) >= n0 + 10, what="10 samples unbatched")
    assert m.frames - f0 >= len(m.samples) - n0 - 5
    assert h.call("MON_CONFIG", 20, 1000, 50)[0] == T_RESP
    m.until(lambda: m.asm.records > 0 and len(m.samples) >= n0 + 11, timeout=2, what="a sample")
    t, f = h.call("MON_STOP")
    m._take()
    end = [x for x in h.replies[m.rid] if x["type"] == T_STREAM_END][0]
    assert int(parse_fields(end["payload"])[0]) == len(m.samples), "the pending batch went out before STREAM_END"


def test_monitor_cost(a, tmp):
    """10 Hz with a scan each second costs the native agent little (a sanity bound; the
    guest's figure is measured by bench/monitor-agent.ts)."""
    h = a.h
    h.connect()
    m = Monitor(h, 100, 10)
    m.until(lambda: len(m.samples) >= 1, what="first sample")
    c0, t0 = a.cpu_ticks(), time.monotonic()
    m.until(lambda: len(m.samples) >= 31, timeout=10, what="30 samples")
    used = (a.cpu_ticks() - c0) / os.sysconf("SC_CLK_TCK")
    assert used / (time.monotonic() - t0) < 0.05, "%.3f s of CPU in %.1f s" % (used, time.monotonic() - t0)
    assert h.call("MON_STOP")[0] == T_RESP


TESTS = [test_monitor, test_monitor_split, test_monitor_batch, test_monitor_cost, test_hello, test_ping, test_channels, test_list_stat, test_put_get, test_put_broken, test_spawn,
         test_signals, test_flow_control, test_events, test_input, test_datachan, test_gdb, test_lossy, test_idle, test_stale_host, test_stall]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("-k", default="")
    args = ap.parse_args()
    failed = 0
    for t in TESTS:
        if args.k not in t.__name__:
            continue
        with tempfile.TemporaryDirectory(prefix="bt-agent-") as tmp:
            a = Agent(os.path.abspath(args.binary), tmp)
            t0 = time.monotonic()
            try:
                t(a, tmp)
                print("ok   %s (%.1f s)" % (t.__name__, time.monotonic() - t0))
            except Exception as e:  # noqa: BLE001
                failed += 1
                import traceback
                traceback.print_exc()
                print("FAIL %s: %s" % (t.__name__, e))
                print(open(os.path.join(tmp, "agent.log")).read()[-3000:])
            finally:
                a.close()
    print("%d failed" % failed if failed else "all passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
