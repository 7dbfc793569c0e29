#!/usr/bin/env python3
"""A loopback profiling backend for the push tests: records every request
and answers as scripted.

  push_receiver.py DIR PORTFILE [ACTION...]

Listens on 127.0.0.1, port chosen by the kernel, written to PORTFILE once
it listens. Request N (from 1) is saved as DIR/N.json (method, path,
headers, time received, the action taken) and DIR/N.body, and gets
ACTION number N; past the list, 200. Actions:
  CODE          that status (200, 400, 503...)
  429:S         429 with Retry-After: S (seconds)
  429:date:S    429 with Retry-After: an HTTP-date S seconds ahead
  hang:S        read the request, say nothing for S seconds, then 200
  close         read the request and close the connection, no response
Connection refused is the receiver not running.
"""
import email.utils
import http.server
import json
import os
import sys
import threading
import time

out_dir, port_file, actions = sys.argv[1], sys.argv[2], sys.argv[3:]
lock = threading.Lock()
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        global count
        received = time.time()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            count += 1
            n = count
        action = actions[n - 1] if n <= len(actions) else "200"
        with open(os.path.join(out_dir, "%d.body" % n), "wb") as f:
            f.write(body)
        record = {"method": self.command, "path": self.path, "time": received,
                  "action": action, "headers": {k.lower(): v for k, v in self.headers.items()}}
        tmp = os.path.join(out_dir, ".%d.json" % n)
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(out_dir, "%d.json" % n))
        headers = {}
        if action == "close":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if action.startswith("hang:"):
            time.sleep(float(action[5:]))
            code = 200
        elif action.startswith("429:date:"):
            code = 429
            headers["Retry-After"] = email.utils.formatdate(time.time() + float(action[9:]), usegmt=True)
        elif action.startswith("429:"):
            code = 429
            headers["Retry-After"] = action[4:]
        else:
            code = int(action)
        reply = b"{}" if code == 200 else b'{"code":"error"}'
        try:
            self.send_response(code)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Type", "application/proto")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
        except OSError:
            pass    # the client gave up (a hang)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
tmp = port_file + ".tmp"
with open(tmp, "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(tmp, port_file)
server.serve_forever()
