"""A small host side of the Benchtop agent protocol (docs/agent-protocol.md), for testing the
agent: frames, resync decoder, go-back-N link with window 8 and RTO 300 ms, fault injection.

Only for resources/guest/agent/test/: the real host is src-main/core/agent/ (TypeScript).
"""
import os
import random
import select
import socket
import struct
import time
import zlib

MAGIC = b"BT"
T_HELLO, T_HELLO_ACK, T_ACK = 1, 2, 3
T_REQ, T_RESP, T_RESP_PART, T_ERR = 0x10, 0x11, 0x12, 0x13
T_STREAM, T_STREAM_END, T_EVENT = 0x20, 0x21, 0x30
KNOWN = {1, 2, 3, 0x10, 0x11, 0x12, 0x13, 0x20, 0x21, 0x30}
OPS = dict(PING=1, CONNECT=2, DISCONNECT=3, LIST=0x10, STAT=0x11, GET=0x12, PUT_BEGIN=0x13,
           PUT_DATA=0x14, PUT_END=0x15, PUT_ABORT=0x16, REMOVE=0x17, SPAWN=0x20, SIGNAL=0x21,
           STDIN=0x22, GDB_START=0x30, GDB_WRITE=0x31, GDB_STOP=0x32, EVENTS=0x40, INPUT_WATCH=0x41,
           MON_START=0x50, MON_CONFIG=0x51, MON_STOP=0x52)
WINDOW, RTO_MIN, RTO_MAX = 8, 0.3, 3.0
# Like the real host (src-main/core/agent/link.ts): at most 12 KiB of payload in flight, and
# an adaptive RTO (Jacobson/Karn, 300 ms floor): the guest reads its UART at ~12-20 KiB/s
# on a loaded machine, so a window of 4 KiB frames takes longer than 300 ms to cross.
MAX_BYTES_IN_FLIGHT = 12 * 1024


def encode(ftype, chan, reqid, seq, ack, payload=b""):
    head = MAGIC + struct.pack("<BBHHIII", 1, ftype, chan, len(payload), reqid, seq, ack)
    body = head + payload
    return body + struct.pack("<I", zlib.crc32(body))


def fields(*vals):
    out = b""
    for v in vals:
        if isinstance(v, int):
            v = str(v)
        if isinstance(v, str):
            v = v.encode()
        out += struct.pack("<I", len(v)) + v
    return out


def parse_fields(b):
    out, i = [], 0
    while i < len(b):
        (n,) = struct.unpack_from("<I", b, i)
        out.append(bytes(b[i + 4:i + 4 + n]))
        i += 4 + n
    assert i == len(b), "trailing bytes in fields"
    return out


class Decoder:
    """Same resync rule as the agent: reject a candidate by skipping one byte."""

    def __init__(self):
        self.buf = bytearray()
        self.skipped = 0

    def feed(self, data):
        self.buf += data
        frames = []
        while True:
            i = self.buf.find(MAGIC)
            if i < 0:
                keep = 1 if self.buf[-1:] == b"B" else 0
                self.skipped += len(self.buf) - keep
                del self.buf[:len(self.buf) - keep]
                return frames
            if i:
                self.skipped += i
                del self.buf[:i]
            b = self.buf
            if (len(b) >= 3 and b[2] != 1) or (len(b) >= 4 and b[3] not in KNOWN):
                del b[:1]
                self.skipped += 1
                continue
            if len(b) < 8:
                return frames
            (n,) = struct.unpack_from("<H", b, 6)
            if n > 4096:
                del b[:1]
                self.skipped += 1
                continue
            if len(b) < 24 + n:
                return frames
            (crc,) = struct.unpack_from("<I", b, 20 + n)
            if zlib.crc32(bytes(b[:20 + n])) != crc:
                del b[:1]
                self.skipped += 1
                continue
            _, _, _, t, ch, _, rid, seq, ack = struct.unpack_from("<BBBBHHIII", b, 0)
            frames.append(dict(type=t, chan=ch, reqid=rid, seq=seq, ack=ack, payload=bytes(b[20:20 + n])))
            del b[:24 + n]


class Faults:
    """Faults on one direction of the stream, per chunk written or read (a frame on the way
    to the agent, one read() on the way back): with probability `drop` one byte of the
    chunk is lost, `garbage` puts 1-40 random bytes before it (sometimes a fake frame start),
    `flip` flips one bit."""

    def __init__(self, drop=0.0, garbage=0.0, flip=0.0, seed=1):
        self.drop, self.garbage, self.flip = drop, garbage, flip
        self.rng = random.Random(seed)
        self.dropped = self.inserted = self.flipped = 0

    def apply(self, data):
        r = self.rng
        if not data or not (self.drop or self.garbage or self.flip):
            return data
        out = bytearray(data)
        if r.random() < self.flip:
            out[r.randrange(len(out))] ^= 1 << r.randrange(8)
            self.flipped += 1
        if r.random() < self.drop:
            del out[r.randrange(len(out))]
            self.dropped += 1
        if r.random() < self.garbage:
            g = bytes(r.randrange(256) for _ in range(r.randrange(1, 40)))
            if r.random() < 0.3:
                g += MAGIC + bytes([1])  # fake frame starts are the nasty kind
            out[0:0] = g
            self.inserted += len(g)
        return bytes(out)


class Host:
    def __init__(self, rfd, wfd, to_agent=None, from_agent=None, log=False):
        self.rfd, self.wfd = rfd, wfd
        os.set_blocking(rfd, False)
        self.to_agent = to_agent or Faults()
        self.from_agent = from_agent or Faults()
        self.dec = Decoder()
        self.log = log
        self.outbuf = bytearray()
        self.reset_state()
        self.hellos_seen = 0
        self.caps = None
        self.stats = dict(resent=0, frames_in=0, dup_in=0, gap_in=0)

    def reset_state(self):
        self.next_seq = 1
        self.expected = 1
        self.unacked = []  # [seq, type, chan, reqid, payload, sent_at]
        self.pending = []  # frames waiting for window room
        self.ntx = 0
        self.progress = time.monotonic()
        self.ack_due = False
        self.fast_resent = False
        self.rto, self.srtt, self.rttvar = RTO_MIN, 0.0, 0.0
        self.next_reqid = 1
        self.replies = {}  # reqid -> list of frames
        self.events = []

    # ---- raw output ----
    def _write_frame(self, raw):
        self.outbuf += self.to_agent.apply(raw)

    def _flush(self, block=False):
        while self.outbuf:
            try:
                n = os.write(self.wfd, self.outbuf)
            except BlockingIOError:
                if not block:
                    return
                select.select([], [self.wfd], [], 1)
                continue
            del self.outbuf[:n]

    # ---- link ----
    def send_hello(self):
        self._write_frame(encode(T_HELLO, 0, 0, 0, 0, b"protocol=1\nagent=test-host\n"))

    def connect(self, timeout=5):
        """HELLO until HELLO_ACK (every 500 ms), like the real host."""
        self.caps = None
        t0 = time.monotonic()
        while self.caps is None:
            assert time.monotonic() - t0 < timeout, "no HELLO_ACK"
            self.reset_state()
            self.send_hello()
            self.pump(0.5, lambda: self.caps is not None)
        return self.caps

    def _send_seq(self, ftype, chan, reqid, payload):
        self.pending.append([0, ftype, chan, reqid, payload, 0.0])
        self._assign()

    def _assign(self):
        if not self.unacked:
            self.progress = time.monotonic()
        while self.pending and len(self.unacked) < WINDOW:
            if self.unacked and sum(len(u[4]) for u in self.unacked) + len(self.pending[0][4]) > MAX_BYTES_IN_FLIGHT:
                break
            f = self.pending.pop(0)
            f.append(False)  # f[6]: retransmitted (Karn: no RTT sample)
            f[0] = self.next_seq
            self.next_seq += 1
            self.unacked.append(f)

    def _on_ack(self, ack, standalone):
        if not self.unacked or ack >= self.next_seq:
            return
        n = 0
        now = time.monotonic()
        sample = None
        while self.unacked and self.unacked[0][0] <= ack:
            u = self.unacked.pop(0)
            if not u[6]:
                sample = now - u[5]
            n += 1
        if sample is not None:
            if not self.srtt:
                self.srtt, self.rttvar = sample, sample / 2
            else:
                self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - sample)
                self.srtt = 0.875 * self.srtt + 0.125 * sample
            self.rto = min(RTO_MAX, max(RTO_MIN, self.srtt + 4 * self.rttvar))
        if n:
            self.ntx = max(0, self.ntx - n)
            self.progress = time.monotonic()
            self.fast_resent = False
            self._assign()
        elif standalone and self.ntx > 0 and not self.fast_resent:
            for u in self.unacked:
                u[6] = True
            self.ntx = 0
            self.fast_resent = True
            self.stats["resent"] += 1

    def _on_frame(self, f):
        self.stats["frames_in"] += 1
        t = f["type"]
        if self.log:
            print("  <-", hex(t), f["chan"], f["reqid"], f["seq"], f["ack"], len(f["payload"]))
        if t == T_HELLO:  # the peer (re)started: reset and answer
            self.reset_state()
            self.hellos_seen += 1
            self._write_frame(encode(T_HELLO_ACK, 0, 0, 0, 0, b"protocol=1\n"))
            return
        if t == T_HELLO_ACK:  # ends our HELLO; we reset when we sent it
            if self.caps is None:
                self.caps = dict(l.split("=", 1) for l in f["payload"].decode().split("\n") if "=" in l)
            return
        if t == T_ACK:
            self._on_ack(f["ack"], True)
            return
        self._on_ack(f["ack"], False)
        if f["seq"] == self.expected:
            self.expected += 1
            self.ack_due = True
            if t == T_EVENT:
                self.events.append(f)
            else:
                self.replies.setdefault(f["reqid"], []).append(f)
        else:
            self.stats["dup_in" if f["seq"] < self.expected else "gap_in"] += 1
            self.ack_due = True

    def _transmit(self):
        now = time.monotonic()
        if self.unacked and self.ntx > 0:
            base = max(self.unacked[0][5], self.progress)
            if now - base >= self.rto:
                self.ntx = 0
                self.progress = now
                self.fast_resent = False
                self.rto = min(RTO_MAX, self.rto * 2)
                self.stats["resent"] += 1
                for u in self.unacked:
                    u[6] = True
        while self.ntx < len(self.unacked):
            f = self.unacked[self.ntx]
            self._write_frame(encode(f[1], f[2], f[3], f[0], self.expected - 1, f[4]))
            f[5] = now
            self.ntx += 1
            self.ack_due = False
        if self.ack_due:
            self._write_frame(encode(T_ACK, 0, 0, 0, self.expected - 1))
            self.ack_due = False
        self._flush()

    def pump(self, timeout, until=None):
        """Run the link for up to `timeout` s, or until until() is true."""
        end = time.monotonic() + timeout
        while True:
            self._transmit()
            if until and until():
                return True
            left = end - time.monotonic()
            if left <= 0:
                return False
            wr = [self.wfd] if self.outbuf else []
            r, w, _ = select.select([self.rfd], wr, [], min(left, 0.05))
            if r:
                try:
                    data = os.read(self.rfd, 65536)
                except BlockingIOError:
                    continue
                if data == b"":
                    raise EOFError("agent closed the link")
                for f in self.dec.feed(self.from_agent.apply(data)):
                    self._on_frame(f)

    # ---- requests ----
    def request(self, op, *vals, chan=0):
        rid = self.next_reqid
        self.next_reqid += 1
        self.replies[rid] = []
        self._send_seq(T_REQ, chan, rid, bytes([OPS[op]]) + fields(*vals))
        return rid

    def done(self, rid, final=(T_RESP, T_ERR)):
        return any(f["type"] in final for f in self.replies.get(rid, []))

    def wait(self, rid, final=(T_RESP, T_ERR), timeout=10):
        assert self.pump(timeout, lambda: self.done(rid, final)), "timeout waiting for request %d" % rid
        return self.replies[rid]

    def call(self, op, *vals, chan=0, timeout=10):
        """One request; returns (type, fields) of its RESP or ERR; RESP_PARTs are merged in."""
        rid = self.request(op, *vals, chan=chan)
        frames = self.wait(rid, timeout=timeout)
        out = []
        for f in frames:
            if f["type"] in (T_RESP_PART, T_RESP, T_ERR):
                out += parse_fields(f["payload"])
            if f["type"] in (T_RESP, T_ERR):
                return f["type"], out
        raise AssertionError("unreachable")

    def stream(self, rid, timeout=30):
        """Wait for STREAM_END (or ERR); returns ({kind: bytes}, end fields)."""
        frames = self.wait(rid, final=(T_STREAM_END, T_ERR), timeout=timeout)
        data = {}
        for f in frames:
            if f["type"] == T_STREAM:
                k = f["payload"][0]
                data[k] = data.get(k, b"") + f["payload"][1:]
            elif f["type"] == T_STREAM_END:
                return data, parse_fields(f["payload"])
            elif f["type"] == T_ERR and any(g["type"] == T_RESP for g in frames):
                return data, ["ERR"] + parse_fields(f["payload"])
        raise AssertionError("stream ended without STREAM_END: %r" % [f["type"] for f in frames])


def unix_host(path, **kw):
    """Connect to QEMU's agent socket (or any unix stream socket the agent is on)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.setblocking(False)
    h = Host(s.fileno(), s.fileno(), **kw)
    h.sock = s
    return h
