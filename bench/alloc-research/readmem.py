import sys, struct
pid, addr, n = int(sys.argv[1]), int(sys.argv[2], 0), int(sys.argv[3])
with open('/proc/%d/mem' % pid, 'rb') as f:
    f.seek(addr); b = f.read(8 * n)
print(' '.join(hex(x) for x in struct.unpack('<%dQ' % n, b)))
