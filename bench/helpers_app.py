"""bench/helpers-cost.sh's script: each route times a helper against the hand-written way on the
same request, in-process, alternating the two in blocks so machine noise hits both alike, and
answers the medians (ns per call) as JSON."""
import json
import statistics
import time
from urllib.parse import parse_qs

from siphon import http

ROUNDS, BLOCK = 21, 2000


def compare(a, b):
    ta, tb = [], []
    for _ in range(ROUNDS):
        for fn, out in ((a, ta), (b, tb)):
            t = time.perf_counter_ns()
            for _ in range(BLOCK):
                fn()
            out.append((time.perf_counter_ns() - t) / BLOCK)
    ma, mb = statistics.median(ta), statistics.median(tb)
    return {"helper_ns": round(ma), "by_hand_ns": round(mb), "ratio": round(ma / mb, 3),
            "ratio_min": round(min(x / y for x, y in zip(ta, tb)), 3), "ratio_max": round(max(x / y for x, y in zip(ta, tb)), 3)}


@http.route("/json", methods=["POST"])
def json_cost(req):
    return http.JSONResponse(compare(req.json, lambda: json.loads(req.body())))


@http.route("/form", methods=["POST"])
def form_cost(req):
    return http.JSONResponse(compare(req.form, lambda: parse_qs(req.body().decode())))
