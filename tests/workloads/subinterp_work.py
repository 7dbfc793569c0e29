"""What tests/workloads/subinterps.py runs inside its subinterpreters:
one function each, burning CPU forever. Imported in each subinterpreter
(and, on 3.14+, in the main one, to hand the function to call_in_thread)."""


def burn_in_sub_a():
    n = 0
    while True:
        n += 1  # SUB_A


def burn_in_sub_b():
    n = 0
    while True:
        n += 1  # SUB_B
