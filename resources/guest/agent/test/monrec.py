"""A second, independent decoder of the monitor records (docs/agent-protocol.md, "Monitor"),
for the agent's own tests: the host's TypeScript decoder is checked against the same agent
in src-main/core/monitor/. Applies records to a state the way the spec says and returns one
dict per completed sample."""

RF_FIRST, RF_LAST = 1, 2
SYS_NAMES = ["mono_us", "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
             "ctxt", "forks", "running", "blocked",
             "mem_total", "mem_free", "mem_available", "buffers", "cached", "shmem", "slab"]
PROC_NUMS = ["ppid", "utime", "stime", "start", "vsz_kb", "rss_kb", "threads", "uid"]


class Bad(Exception):
    pass


class Reader:
    def __init__(self, b):
        self.b, self.i = b, 0

    def more(self):
        return self.i < len(self.b)

    def u8(self):
        if self.i >= len(self.b):
            raise Bad("truncated")
        self.i += 1
        return self.b[self.i - 1]

    def uv(self):
        v, shift = 0, 0
        while True:
            c = self.u8()
            v |= (c & 0x7F) << shift
            shift += 7
            if not c & 0x80:
                return v
            if shift > 63:
                raise Bad("varint too long")

    def zz(self):
        u = self.uv()
        return (u >> 1) ^ -(u & 1)

    def s(self):
        n = self.uv()
        if self.i + n > len(self.b):
            raise Bad("truncated string")
        self.i += n
        return self.b[self.i - n:self.i].decode("utf-8", "replace")


class Assembler:
    def __init__(self):
        self.sys = dict.fromkeys(SYS_NAMES, 0)
        self.irq = []          # rows: [id, desc, count]
        self.procs = {}
        self.open = None       # the sample being assembled
        self.records = 0

    def feed_payload(self, data):
        """One STREAM payload (after the kind byte): length-prefixed records; returns the
        samples completed by them."""
        r, out = Reader(data), []
        if not data:
            raise Bad("empty payload")
        while r.more():
            n = r.uv()
            if r.i + n > len(data):
                raise Bad("record longer than the payload")
            r.i += n
            s = self.feed(data[r.i - n:r.i])
            if s:
                out.append(s)
        return out

    def feed(self, data):
        """One record; returns a completed sample dict or None."""
        r = Reader(data)
        self.records += 1
        flags = r.u8()
        if flags & ~3:
            raise Bad("unknown flags %#x" % flags)
        seq = r.uv()
        if flags & RF_FIRST:
            if self.open is not None:
                raise Bad("FIRST while sample %d is open" % self.open["seq"])
            for k in SYS_NAMES:
                self.sys[k] += r.zz()
            self.open = {"seq": seq, "irq_names": {}, "scan": None, "records": 1}
        else:
            if self.open is None or self.open["seq"] != seq:
                raise Bad("continuation of sample %d without its start" % seq)
            self.open["records"] += 1
        o = self.open
        while r.more():
            tag = r.u8()
            if tag == 1:
                n = r.uv()
                del self.irq[n:]
            elif tag == 2:
                row, ident, desc = r.uv(), r.s(), r.s()
                while len(self.irq) <= row:
                    self.irq.append(["", "", 0])
                self.irq[row] = [ident, desc, 0]
                o["irq_names"][ident] = desc
            elif tag == 3:
                row = r.uv()
                if row >= len(self.irq):
                    raise Bad("count of unknown irq row %d" % row)
                self.irq[row][2] += r.zz()
            elif tag == 4:
                full = r.u8() & 1
                if full:
                    self.procs = {}
                o["scan"] = {"full": bool(full), "changed": [], "gone": []}
            elif tag == 5:
                pid = r.uv()
                if pid not in self.procs:
                    raise Bad("gone pid %d unknown" % pid)
                del self.procs[pid]
                o["scan"]["gone"].append(pid)
            elif tag == 6:
                pid, mask = r.uv(), r.uv()
                if mask & 1:
                    p = dict.fromkeys(PROC_NUMS, 0)
                    p.update(pid=pid, state="", comm="", cmdline="", exe="")
                elif pid in self.procs:
                    p = dict(self.procs[pid])
                else:
                    raise Bad("delta for unknown pid %d" % pid)
                if mask & 2:
                    p["state"] = chr(r.u8())
                for i, k in enumerate(PROC_NUMS):
                    if mask & (4 << i):
                        p[k] += r.zz()
                if mask & (1 << 10):
                    p["comm"] = r.s()
                if mask & (1 << 11):
                    p["cmdline"] = r.s()
                if mask & (1 << 12):
                    p["exe"] = r.s()
                self.procs[pid] = p
                o["scan"]["changed"].append(pid)
            else:
                raise Bad("unknown item %d" % tag)
        if not flags & RF_LAST:
            return None
        self.open = None
        out = dict(self.sys)
        out.update(seq=seq, irqs={row[0]: row[2] for row in self.irq}, irq_names=o["irq_names"],
                   records=o["records"])
        if o["scan"] is not None:
            out["scan"] = o["scan"]
            out["procs"] = {k: dict(v) for k, v in self.procs.items()}
        return out
