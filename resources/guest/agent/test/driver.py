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
from btlink import (T_ERR, T_HELLO, T_RESP, T_RESP_PART, T_STREAM, Faults, Host, encode)  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE_GDB = os.path.join(HERE, "fake-gdbserver.sh")
ENOTCONN, ESRCH = 107, 3


class Agent:
    def __init__(self, binary, tmp, to_agent=None, from_agent=None, extra=()):
        self.fifo = os.path.join(tmp, "run", "events")
        self.errlog = open(os.path.join(tmp, "agent.log"), "ab")
        self.p = subprocess.Popen(
            [binary, "-v", "--stdio", "--events", self.fifo, "--gdbserver", FAKE_GDB, *extra],
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


TESTS = [test_hello, test_ping, test_channels, test_list_stat, test_put_get, test_put_broken, test_spawn,
         test_signals, test_flow_control, test_events, test_gdb, test_lossy, test_idle, test_stale_host, test_stall]


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
