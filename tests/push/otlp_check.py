#!/usr/bin/env python3
"""otlp_check.py FILE: reads protoc's text output of an OTLP
ExportProfilesServiceRequest (tests/push/otlp_profiles.proto) and prints,
with every dictionary index resolved, sorted:
  resource KEY=VALUE               (each resource attribute)
  type TYPE/UNIT period N
  sample ROOT;...;LEAF VALUE ATTR=VALUE...
Fails on an index out of its table, or a table without its zero entry."""
import ast
import sys


def parse(lines):
    """protoc's text format (one field a line) as nested dicts of lists."""
    root, stack = {}, []
    cur = root
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line == "}":
            cur = stack.pop()
        elif line.endswith("{"):
            name = line[:-1].strip()
            child = {}
            cur.setdefault(name, []).append(child)
            stack.append(cur)
            cur = child
        else:
            name, value = line.split(":", 1)
            value = value.strip()
            if value.startswith('"'):
                value = ast.literal_eval("b" + value).decode("utf-8", "replace")
            else:
                value = int(value)
            cur.setdefault(name, []).append(value)
    return root


def one(msg, name, default=0):
    return msg.get(name, [default])[0]


def anyvalue(v):
    for k in ("string_value", "int_value", "bool_value", "double_value"):
        if k in v:
            return v[k][0]
    return ""


req = parse(open(sys.argv[1]))
d = req["dictionary"][0]
strings = d["string_table"]
funcs, locs, stacks, attrs = d["function_table"], d["location_table"], d["stack_table"], d["attribute_table"]
assert strings[0] == "" and funcs[0] == {} and locs[0] == {} and stacks[0] == {} and attrs[0] == {}
assert d["mapping_table"][0] == {} and d["link_table"][0] == {}
out = []
rp = req["resource_profiles"]
assert len(rp) == 1
for kv in rp[0]["resource"][0]["attributes"]:
    out.append("resource %s=%s" % (kv["key"][0], anyvalue(kv["value"][0])))
prof = rp[0]["scope_profiles"][0]["profiles"][0]
st = prof["sample_type"][0]
out.append("type %s/%s period %d" % (strings[one(st, "type_strindex")], strings[one(st, "unit_strindex")],
                                     one(prof, "period")))
for s in prof["samples"]:
    stack = stacks[one(s, "stack_index")]
    names = []
    for li in stack.get("location_indices", []):
        line = locs[li]["lines"][0]
        names.append(strings[one(funcs[one(line, "function_index")], "name_strindex")])
    names.reverse()    # leaf first in the stack, root first here
    a = []
    for ai in s.get("attribute_indices", []):
        kvu = attrs[ai]
        a.append("%s=%s" % (strings[one(kvu, "key_strindex")], anyvalue(kvu["value"][0])))
    out.append("sample %s %s %s" % (";".join(names), " ".join(str(v) for v in s["values"]), " ".join(a)))
print("\n".join(sorted(out)))
