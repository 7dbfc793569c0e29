#!/bin/bash
# usage: runbt.sh SCRIPT.bt MODE N [PY]
BT=$1; M=$2; N=$3; PY=${4:-/usr/bin/python3.11}
F=/tmp/allocresearch/ff.$$; mkfifo $F
$PY /tmp/allocresearch/work.py $M $N wait < $F > /tmp/allocresearch/out.$$ &
P=$!
exec 7>$F
bpftrace $BT $P 2>/dev/null > /tmp/allocresearch/bt.$$ &
B=$!
for i in $(seq 100); do grep -q Attaching /tmp/allocresearch/bt.$$ && break; sleep 0.2; done; sleep 0.5
echo >&7; exec 7>&-
wait $P
kill -TERM $B; wait $B
cat /tmp/allocresearch/out.$$; grep -v -e '^$' -e Attaching /tmp/allocresearch/bt.$$
rm -f $F /tmp/allocresearch/out.$$ /tmp/allocresearch/bt.$$
