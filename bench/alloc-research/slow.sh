#!/bin/bash
cd /tmp/allocresearch
for r in 1 2 3 4 5; do for m in churn grow; do
  t=$(/usr/bin/python3.11 work.py $m 100000 | sed 's/.*elapsed=\([0-9.]*\).*/\1/'); echo "$r $m none $t 0"
  for p in PyObject_Malloc 0x610d80 0x4d0ce0 pf; do
    o=$(./runbt.sh p_$p.bt $m 100000); t=$(echo "$o" | sed -n 's/.*elapsed=\([0-9.]*\).*/\1/p'); c=$(echo "$o" | sed -n 's/^@c: //p'); echo "$r $m $p $t ${c:-0}"
  done; done; done
