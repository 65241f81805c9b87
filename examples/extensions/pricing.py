"""A script using a .NET extension: ``Quote`` is a C# type (Acme.Pricing/Quote.cs) bound by the
same generator as the host's own types, imported from the module its ``[PyClass]`` names.

    dotnet build -c Release examples/extensions/Acme.Pricing    # once, and after a change to it
    cd examples/extensions && ../../siphon run pricing.py          # http.yaml here names the assembly
    curl '127.0.0.1:8080/quotes/ab-1?price=19.99&discount=10&currency=EUR'
"""
import json

from acme.pricing import Quote
from siphon import http


@http.route("/quotes/{sku}")
async def quote(req):
    try:
        q = Quote(req.path_params["sku"], float(req.query_params.get("price", "10")))
        discounted = Quote(q.sku, q.discounted(float(req.query_params.get("discount", "0"))))
        converted = await discounted.price_in(req.query_params.get("currency", "USD"))
    except ValueError as e:  # a bad number, a negative price, an unknown currency: the client's mistake
        return http.Response(status=400, body=f"{e}\n")
    return http.Response(headers={"content-type": "application/json"},
                         body=json.dumps({"sku": q.sku, "price": q.price, "discounted": discounted.price,
                                          "currency": req.query_params.get("currency", "USD"), "total": converted}))
