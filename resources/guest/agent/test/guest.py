#!/usr/bin/env python3
"""The agent in the real guest: boot QEMU `-M mainstone` by hand, talk to the agent over the
second UART (QEMU's data socket), check the services and measure.

    python3 test/guest.py                 # image from `npx benchtop image --json` (agent in it)
    python3 test/guest.py --overlay       # append a cpio with a fresh armel agent + test
                                          # programs to the initrd and start the agent by hand
Needs: qemu-system-arm, arm-linux-gnueabi-gcc, the image.
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from btlink import T_ERR, T_RESP, T_STREAM, parse_fields, unix_host  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
AGENT_DIR = os.path.dirname(HERE)
REPO = os.path.abspath(os.path.join(AGENT_DIR, "..", "..", ".."))


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def build(out):
    """The static armel agent and the endless-loop debuggee."""
    sh("make", "-s", "-C", AGENT_DIR, "OUT=" + out, "arm", out + "/spin.armel")
    return out + "/benchtop-agent.armel", out + "/spin.armel"


def overlay_initrd(initrd, files, out):
    """The kernel unpacks concatenated cpio archives in order: append ours."""
    stage = tempfile.mkdtemp(prefix="bt-ovl-")
    names = []
    for dest, src in files.items():
        p = os.path.join(stage, dest)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        shutil.copy(src, p)
        os.chmod(p, 0o755)
        names.append(dest)
    dirs = sorted({os.path.dirname(n) for n in names})
    listing = "\n".join(dirs + names) + "\n"
    cpio = subprocess.run(["cpio", "-o", "-H", "newc", "--owner=0:0", "--quiet"], input=listing.encode(),
                          cwd=stage, capture_output=True, check=True).stdout
    with open(out, "wb") as f:
        f.write(open(initrd, "rb").read())
        import gzip
        f.write(gzip.compress(cpio))
    shutil.rmtree(stage)


class Guest:
    def __init__(self, kernel, initrd, sd, rundir):
        self.rundir = rundir
        shutil.copy(sd, rundir + "/sd.img")
        R = rundir
        self.qemu = subprocess.Popen([
            "qemu-system-arm", "-M", "mainstone", "-kernel", kernel, "-initrd", initrd,
            "-append", "console=ttyS0,115200 lpj=8364032", "-display", "none",
            "-drive", "if=sd,file=%s/sd.img,format=raw" % R,
            "-chardev", "socket,id=con0,path=%s/console.sock,server=on,wait=off,logfile=%s/console.log" % (R, R),
            "-serial", "chardev:con0",
            "-chardev", "socket,id=data1,path=%s/agent.sock,server=on,wait=off" % R, "-serial", "chardev:data1",
            "-nic", "user", "-D", R + "/qemu.log"], stdin=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.exists(R + "/console.sock") and os.path.exists(R + "/agent.sock"):
                break
            time.sleep(0.05)
        self.con = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.con.connect(R + "/console.sock")
        self.con.settimeout(0.2)
        self.out = b""

    def wait_console(self, pattern, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                self.out += self.con.recv(4096)
            except socket.timeout:
                pass
            if re.search(pattern, self.out):
                return True
        raise TimeoutError("console: no %r in %r" % (pattern, self.out[-300:]))

    def type(self, line):
        self.out = b""
        self.con.sendall(line.encode() + b"\r")

    def close(self):
        self.qemu.terminate()
        try:
            self.qemu.wait(5)
        except subprocess.TimeoutExpired:
            self.qemu.kill()


def call_ok(h, op, *vals, chan=0, timeout=20):
    t, f = h.call(op, *vals, chan=chan, timeout=timeout)
    assert t == T_RESP, (op, f)
    return f


def put(h, path, data, chan=0):
    hd = int(call_ok(h, "PUT_BEGIN", path, "0755", len(data), chan=chan)[0])
    rids = []
    for off in range(0, len(data), 4000):
        rids.append(h.request("PUT_DATA", hd, data[off:off + 4000], chan=chan))
        while len([r for r in rids if not h.done(r)]) >= 8:
            assert h.pump(30, lambda: len([r for r in rids if not h.done(r)]) < 8), "PUT stalled"
    for r in rids:
        assert h.wait(r, timeout=60)[-1]["type"] == T_RESP
    call_ok(h, "PUT_END", hd, zlib.crc32(data), chan=chan, timeout=60)


def run(h, argv, timeout=30):
    rid = h.request("SPAWN", "/", 0, *argv)
    frames = h.wait(rid, timeout=timeout)
    assert frames[0]["type"] == T_RESP, frames
    return h.stream(rid, timeout=timeout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--overlay", action="store_true", help="append a fresh agent to the initrd and start it on the console")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--put-kib", type=int, default=512)
    args = ap.parse_args()

    img = json.loads(subprocess.run(["npx", "benchtop", "image", "--json"], cwd=REPO, capture_output=True,
                                    text=True, check=True).stdout.strip().splitlines()[-1])
    rundir = tempfile.mkdtemp(prefix="bt-guest-")
    agent_bin, spin = build(rundir + "/build")
    initrd = img["initrd"]
    files = {"root/spin": spin}
    if args.overlay:
        files["usr/sbin/benchtop-agent"] = agent_bin
    initrd = rundir + "/initrd.cpio"
    overlay_initrd(img["initrd"], files, initrd)
    results = {}
    t0 = time.monotonic()
    g = Guest(img["kernel"], initrd, img["sd"], rundir)
    try:
        g.wait_console(rb"benchtop:[^\r\n]*# $", 60)
        results["boot_to_prompt_s"] = round(time.monotonic() - t0, 2)
        if args.overlay:
            g.type("setsid benchtop-agent /dev/ttyS1 </dev/null >/tmp/agent.log 2>&1 &")
            g.wait_console(rb"# $")
        h = unix_host(rundir + "/agent.sock")
        t1 = time.monotonic()
        caps = h.connect(timeout=20)
        results["handshake_s"] = round(time.monotonic() - t1, 3)
        results["caps"] = caps
        print("caps:", caps)

        # PING round trips
        rtts = []
        for _ in range(100):
            t = time.monotonic()
            call_ok(h, "PING")
            rtts.append((time.monotonic() - t) * 1000)
        rtts.sort()
        results["ping_ms"] = dict(min=round(rtts[0], 2), p50=round(statistics.median(rtts), 2),
                                  p99=round(rtts[98], 2), max=round(rtts[-1], 2))
        print("ping:", results["ping_ms"])

        # LIST /
        t, entries = h.call("LIST", "/")
        names = sorted(e.split(b"\t")[4].decode() for e in entries)
        assert "proc" in names and "init" in names, names
        print("LIST /:", " ".join(names))

        # PUT / GET throughput over the UART
        data = os.urandom(args.put_kib * 1024)
        t = time.monotonic()
        put(h, "/tmp/blob", data)
        dt_put = time.monotonic() - t
        t = time.monotonic()
        rid = h.request("GET", "/tmp/blob")
        h.wait(rid)
        got, end = h.stream(rid, timeout=120)
        dt_get = time.monotonic() - t
        assert got.get(0) == data, "GET differs"
        results["put_KiB_s"] = round(len(data) / dt_put / 1024, 1)
        results["get_KiB_s"] = round(len(data) / dt_get / 1024, 1)
        print("PUT %d KiB: %.1f KiB/s, GET %.1f KiB/s" % (args.put_kib, results["put_KiB_s"], results["get_KiB_s"]))
        call_ok(h, "REMOVE", "/tmp/blob")

        # SPAWN
        out, end = run(h, ["sh", "-c", "echo hi; exit 3"])
        assert out.get(1) == b"hi\n" and end == [b"exit", b"3"], (out, end)
        print("SPAWN sh -c 'echo hi; exit 3':", out, end)
        rid = h.request("SPAWN", "/", 0, "sleep", "100")
        pid = int(parse_fields(h.wait(rid)[0]["payload"])[0])
        for sig, state in ((19, "T"), (18, "S")):
            call_ok(h, "SIGNAL", pid, sig)
            o, e = run(h, ["sh", "-c", "cut -d' ' -f3 /proc/%d/stat" % pid])
            assert o.get(1, b"").strip() == state.encode(), (sig, o)
        call_ok(h, "SIGNAL", pid, 9)
        assert h.stream(rid)[1] == [b"signal", b"9"]
        print("SIGSTOP/SIGCONT/SIGKILL sleep 100: ok")

        # GDB: gdbserver - /root/spin, RSP through GDB_WRITE / STREAM kind 3
        ch = int(call_ok(h, "CONNECT", "gdb-test")[0])
        gdbs = []
        for _ in range(2):
            rid = h.request("GDB_START", "spawn", "/root/spin", chan=ch)
            fr = h.wait(rid, timeout=30)
            assert fr[0]["type"] == T_RESP, [parse_fields(f["payload"]) for f in fr]
            gid, gpid, dpid = (int(x) for x in parse_fields(fr[0]["payload"]))
            gdbs.append((rid, gid, gpid, dpid))
        print("GDB_START x2:", [(g_[1], g_[2], g_[3]) for g_ in gdbs])

        def rsp(rid, gid, packet, want=rb"\$[^#]*#[0-9a-f]{2}", timeout=10):
            body = packet.encode()
            pkt = b"$" + body + b"#%02x" % (sum(body) & 0xFF)
            seen = len(b"".join(f["payload"][1:] for f in h.replies[rid] if f["type"] == T_STREAM and f["payload"][0] == 3))
            call_ok(h, "GDB_WRITE", gid, pkt, chan=ch)
            got = lambda: b"".join(f["payload"][1:] for f in h.replies[rid] if f["type"] == T_STREAM and f["payload"][0] == 3)[seen:]
            h.pump(timeout, lambda: re.search(want, got()) is not None)
            data = got()
            if re.search(rb"\$", data):
                call_ok(h, "GDB_WRITE", gid, "+", chan=ch)  # ack the reply
            return data

        rid, gid, gpid, dpid = gdbs[0]
        r = rsp(rid, gid, "qSupported:multiprocess+;swbreak+;hwbreak+")
        print("qSupported ->", r[:120])
        assert b"PacketSize" in r, r
        r = rsp(rid, gid, "?")
        print("? ->", r)
        r = rsp(rid, gid, "g")
        print("g ->", r[:80])
        # continue into the endless loop: nothing comes back, and every other service still answers
        call_ok(h, "GDB_WRITE", gid, b"$c#63", chan=ch)
        t = time.monotonic()
        for _ in range(10):
            call_ok(h, "PING")
        ping_during = (time.monotonic() - t) / 10 * 1000
        out, end = run(h, ["echo", "still serving"])
        r2 = rsp(gdbs[1][0], gdbs[1][1], "?")
        print("while gdbserver 1 runs the loop: ping %.1f ms, SPAWN ok, gdbserver 2 answers %r" % (ping_during, r2))
        results["ping_during_continue_ms"] = round(ping_during, 2)
        # interrupt (^C) → stop reply
        seen = len(b"".join(f["payload"][1:] for f in h.replies[rid] if f["type"] == T_STREAM and f["payload"][0] == 3))
        call_ok(h, "GDB_WRITE", gid, b"\x03", chan=ch)
        h.pump(10, lambda: re.search(rb"\$T[0-9a-f]{2}", b"".join(f["payload"][1:] for f in h.replies[rid] if f["type"] == T_STREAM and f["payload"][0] == 3)[seen:]))
        stop = b"".join(f["payload"][1:] for f in h.replies[rid] if f["type"] == T_STREAM and f["payload"][0] == 3)[seen:]
        print("^C ->", stop[:80])
        assert re.search(rb"\$T[0-9a-f]{2}", stop), stop
        call_ok(h, "GDB_WRITE", gid, "+", chan=ch)
        for rid_, gid_, gpid_, dpid_ in gdbs:
            call_ok(h, "GDB_STOP", gid_, chan=ch)
            data, end = h.stream(rid_)
            print("GDB_STOP %d: STREAM_END %r; stderr %r" % (gid_, end, data.get(2, b"")[:200]))
        out, end = run(h, ["sh", "-c", "pidof spin gdbserver || echo none"])
        assert out.get(1) == b"none\n", out
        # attach
        rid = h.request("SPAWN", "/", 0, "/root/spin")
        spid = int(parse_fields(h.wait(rid)[0]["payload"])[0])
        rid_a = h.request("GDB_START", "attach", spid, chan=ch)
        fr = h.wait(rid_a, timeout=30)
        assert fr[0]["type"] == T_RESP, [parse_fields(f["payload"]) for f in fr]
        gid = int(parse_fields(fr[0]["payload"])[0])
        r = rsp(rid_a, gid, "?")
        print("attach: ? ->", r)
        call_ok(h, "DISCONNECT", chan=ch)
        call_ok(h, "SIGNAL", spid, 9)
        h.stream(rid)

        # idle: the agent's CPU time over 30 s with nothing to do, measured by one child that
        # reads /proc before and after (so no SPAWN's fork falls inside the interval), and the
        # agent's system calls meanwhile (strace is in the image)
        out, _ = run(h, ["pidof", "benchtop-agent"])
        apid = int(out[1].split()[0])
        h.pump(1)
        script = ("s() { head -1 /proc/stat; cut -d' ' -f14,15 /proc/%d/stat; }; s; "
                  "strace -p %d -o /tmp/idle.strace 2>/dev/null & sleep 30; s; kill $!; sleep 0.5; "
                  "echo STRACE; cat /tmp/idle.strace") % (apid, apid)
        out, _ = run(h, ["sh", "-c", script], timeout=90)
        lines = out[1].decode().split("\n")
        st0, ag0, st1, ag1 = lines[0], lines[1], lines[2], lines[3]
        v0 = [int(x) for x in st0.split()[1:]]
        v1 = [int(x) for x in st1.split()[1:]]
        busy = 100 * (1 - (v1[3] - v0[3]) / (sum(v1) - sum(v0)))
        agent_ticks = sum(int(x) for x in ag1.split()) - sum(int(x) for x in ag0.split())
        strace = "\n".join(lines[lines.index("STRACE") + 1:]).strip()
        results["idle_agent_ticks_30s"] = agent_ticks
        results["idle_guest_busy_pct"] = round(busy, 2)
        results["idle_strace"] = strace
        print("idle 30 s: agent %d ticks of 10 ms, whole guest busy %.2f %%; agent syscalls meanwhile:\n%s" % (agent_ticks, busy, strace))
        results["link_stats"] = h.stats
        print(json.dumps(results, indent=1))
    finally:
        if args.overlay:
            pass
        g.close()
        if not args.keep:
            shutil.rmtree(rundir, ignore_errors=True)
        else:
            print("kept", rundir)


if __name__ == "__main__":
    main()
