"""Mittari for Python: the gRPC stubs generated from proto/ and a small layer
over them.

    import mittari
    client = mittari.Client()            # MITTARI_ADDR, MITTARI_KEY, MITTARI_CA_CERT ...
    for row in client.query_metric("nps", "2026-01-01", "2026-07-01",
                                   granularity="week", filters={"survey": "nps"}):
        print(row.bucket_start, row.value, row.n)
"""
from mittari.client import Client, MetricRow, pages

__all__ = ["Client", "MetricRow", "pages"]
