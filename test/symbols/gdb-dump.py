# gdb -batch -nx -x gdb-dump.py ELF  (env KSIM_DUMP_SPEC = JSON spec file, KSIM_DUMP_OUT = output JSON)
#
# Runs a fixture natively under gdb, stops at the spec's breakpoints (each at most `hits` times) and
# records per stop what gdb itself says: registers, the backtrace (function, pc, frame type and the
# registers gdb recovered for every frame), the values of the spec's expressions, and a dump of the
# stack and data memory so our unwinder and evaluator can be run over exactly the same state.
import base64, json, os, re
import gdb

spec = json.load(open(os.environ['KSIM_DUMP_SPEC']))
out_path = os.environ['KSIM_DUMP_OUT']
stops = []
hits_now = []
REGS = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip', 'eflags', 'cs', 'ss', 'ds', 'es', 'fs', 'gs']
FRAME_REGS = ['eip', 'esp', 'ebp', 'ebx', 'esi', 'edi']

def u32(v):
    return int(v) & 0xffffffff

def reg(frame, name):
    try:
        v = frame.read_register(name)
        if v.is_optimized_out:
            return None
        return u32(v)
    except gdb.error:
        return None

def value_record(v):
    t = v.type.strip_typedefs()
    code = t.code
    rec = {'text': None, 'int': None}
    try:
        rec['text'] = v.format_string(raw=False)
    except gdb.error as e:
        rec['text'] = '<error: %s>' % e
    if code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM, gdb.TYPE_CODE_BOOL, gdb.TYPE_CODE_CHAR, gdb.TYPE_CODE_PTR):
        try:
            rec['int'] = int(v)
        except gdb.error:
            pass
    elif code == gdb.TYPE_CODE_FLT:
        rec['float'] = float(v)
    rec['type'] = str(v.type)
    return rec

def mappings():
    out = gdb.execute('info proc mappings', to_string=True)
    res = []
    for line in out.splitlines():
        m = re.match(r'\s*0x([0-9a-f]+)\s+0x([0-9a-f]+)\s', line)
        if m:
            res.append((int(m.group(1), 16), int(m.group(2), 16)))
    return res

def dump(lo, hi):
    inf = gdb.selected_inferior()
    try:
        return base64.b64encode(bytes(inf.read_memory(lo, hi - lo))).decode()
    except gdb.MemoryError:
        return None

class StopBp(gdb.Breakpoint):
    def __init__(self, where, hits):
        super().__init__(where, internal=False)
        self.left = hits
        self.where = where
    def stop(self):
        if self.left <= 0:
            return False
        self.left -= 1
        hits_now.append(self.where)
        return True

for b in spec['breakpoints']:
    StopBp(b['where'], b['hits'])

def record():
    f0 = gdb.newest_frame()
    regs = {r: reg(f0, r) for r in REGS}
    frames = []
    f = f0
    while f is not None and len(frames) < 64:
        frames.append({
            'name': f.name(), 'pc': u32(f.pc()),
            'inline': f.type() == gdb.INLINE_FRAME,
            'regs': {r: reg(f, r) for r in FRAME_REGS},
        })
        try:
            f = f.older()
        except gdb.error:
            break
    exprs = []
    fname = f0.name() or ''
    for e in spec['expressions'].get(fname, []) + spec['expressions'].get('*', []):
        ours, theirs = e
        try:
            exprs.append({'expr': ours, 'gdb': theirs, 'value': value_record(gdb.parse_and_eval(theirs))})
        except gdb.error as err:
            exprs.append({'expr': ours, 'gdb': theirs, 'error': str(err)})
    esp = regs['esp']
    mem = []
    if 'stackSize' in spec:
        # A kernel stack: the THREAD_SIZE-aligned block holding esp (thread_info at its bottom).
        size = spec['stackSize']
        lo = esp & ~(size - 1)
        mem.append({'addr': lo, 'data': dump(lo, lo + size)})
    else:
        for lo, hi in mappings():
            if lo <= esp < hi:
                start = max(lo, (esp - 4096) & ~0xfff)
                mem.append({'addr': start, 'data': dump(start, hi)})
    for lo, hi in spec['dataRanges']:
        mem.append({'addr': lo, 'data': dump(lo, hi)})
    stops.append({'bp': list(hits_now), 'where': fname, 'regs': regs, 'frames': frames, 'expressions': exprs, 'memory': mem})

gdb.execute('set pagination off')
gdb.execute('set confirm off')
if 'remote' in spec:
    gdb.execute('target remote %s' % spec['remote'])
    gdb.execute('continue')
else:
    gdb.execute('run')
while True:
    try:
        gdb.selected_thread()
        if gdb.selected_inferior().pid == 0 and 'remote' not in spec:
            break
        record()
        del hits_now[:]
        # Keep what we have on disk: the caller may stop gdb at a time limit.
        json.dump({'stops': stops}, open(out_path, 'w'))
        if len(stops) >= spec.get('maxStops', 200):
            break
        # Breakpoints whose hits are used up come out (a remote target pays a round trip per hit).
        live = 0
        for b in gdb.breakpoints():
            if isinstance(b, StopBp) and b.left <= 0 and b.enabled:
                b.enabled = False
            elif isinstance(b, StopBp) and b.enabled:
                live += 1
        if live == 0:
            break
        gdb.execute('continue')
    except gdb.error:
        break

json.dump({'stops': stops}, open(out_path, 'w'))
try:
    gdb.execute('kill')
except gdb.error:
    pass
