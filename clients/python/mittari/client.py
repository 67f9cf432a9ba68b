"""The hand-written layer: connection and key handling from the same
environment variables as the CLI, paging iterators for every List, a typed
query_metric, and retries with backoff on UNAVAILABLE."""
from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import os
import random
import time
from typing import Any, Callable, Iterator, Mapping, Optional, Sequence

import grpc
from google.protobuf import timestamp_pb2

from mittari.v1 import admin_pb2_grpc, customer_pb2_grpc, event_pb2_grpc
from mittari.v1 import common_pb2, kpi_pb2, kpi_pb2_grpc, survey_pb2_grpc

_GRANULARITIES = {
    "none": common_pb2.GRANULARITY_NONE,
    "day": common_pb2.GRANULARITY_DAY,
    "week": common_pb2.GRANULARITY_WEEK,
    "month": common_pb2.GRANULARITY_MONTH,
    "quarter": common_pb2.GRANULARITY_QUARTER,
    "year": common_pb2.GRANULARITY_YEAR,
}


def _is_loopback(addr: str) -> bool:
    host = addr.rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


class _Retry(grpc.UnaryUnaryClientInterceptor):
    """Retries a unary call that failed UNAVAILABLE, with jittered
    exponential backoff. Mittari's writes carry the caller's ids, so a
    retried write returns the first result rather than storing twice.
    Streams are not retried: a watch resumes with its resume token."""

    def __init__(self, attempts: int, first_delay: float, max_delay: float,
                 sleep: Callable[[float], None] = time.sleep):
        self.attempts = attempts
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.sleep = sleep
        self.retries = 0

    def intercept_unary_unary(self, continuation, details, request):
        delay = self.first_delay
        for attempt in range(self.attempts):
            outcome = continuation(details, request)
            if attempt + 1 == self.attempts:
                return outcome
            if outcome.code() != grpc.StatusCode.UNAVAILABLE:
                return outcome
            self.retries += 1
            self.sleep(delay * (0.5 + random.random() / 2))
            delay = min(delay * 2, self.max_delay)
        return outcome


def _timestamp(value: Any) -> timestamp_pb2.Timestamp:
    """A Timestamp from a datetime (naive = UTC), an ISO 8601 string, or a
    date (its UTC midnight)."""
    if isinstance(value, timestamp_pb2.Timestamp):
        return value
    if isinstance(value, str):
        text = value.replace("Z", "+00:00")
        value = dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value.astimezone(dt.timezone.utc).replace(tzinfo=None))
    return ts


@dataclasses.dataclass(frozen=True)
class MetricRow:
    """One point of a KPI: its bucket (None for the whole range), its group,
    value (None when absent or suppressed), n and 95 % CI."""
    bucket_start: Optional[dt.datetime]
    group: Mapping[str, str]
    value: Optional[float]
    n: int
    ci_low: Optional[float]
    ci_high: Optional[float]
    suppressed: bool
    promoters: Optional[int] = None
    passives: Optional[int] = None
    detractors: Optional[int] = None

    @staticmethod
    def from_point(p: kpi_pb2.MetricPoint) -> "MetricRow":
        def opt(name):
            return getattr(p, name) if p.HasField(name) else None
        start = None
        if p.HasField("bucket_start"):
            start = p.bucket_start.ToDatetime().replace(tzinfo=dt.timezone.utc)
        return MetricRow(bucket_start=start, group=dict(p.group), value=opt("value"),
                         n=p.n, ci_low=opt("ci_low"), ci_high=opt("ci_high"),
                         suppressed=p.suppressed, promoters=opt("promoters"),
                         passives=opt("passives"), detractors=opt("detractors"))


def pages(method: Callable, request: Any, field: Optional[str] = None,
          **call_options) -> Iterator[Any]:
    """Every item of a List RPC across its pages: `method` is a stub's
    method (`client.surveys.ListResponses`), `request` its first request;
    `field` the repeated field of the answer (found when omitted)."""
    request = type(request).FromString(request.SerializeToString())
    while True:
        answer = method(request, **call_options)
        name = field
        if name is None:
            repeated = [f.name for f in answer.DESCRIPTOR.fields
                        if f.label == f.LABEL_REPEATED and f.message_type is not None
                        and not f.message_type.GetOptions().map_entry]
            if len(repeated) != 1:
                raise ValueError(f"{type(answer).__name__}: name the field to page over")
            name = repeated[0]
        yield from getattr(answer, name)
        if not answer.next_page_token:
            return
        request.page_token = answer.next_page_token


class Client:
    """A connection to mittarid with every service's stub:
    `admin`, `surveys`, `customers`, `events`, `kpi`.

    The address, key and TLS files come from the arguments or, as for the
    CLI, from MITTARI_ADDR (127.0.0.1:50051), MITTARI_KEY, MITTARI_CA_CERT,
    MITTARI_CLIENT_CERT and MITTARI_CLIENT_KEY. Without TLS a key is sent
    only to a loopback address (insecure=True allows more)."""

    def __init__(self, addr: Optional[str] = None, key: Optional[str] = None, *,
                 ca_cert: Optional[str] = None, client_cert: Optional[str] = None,
                 client_key: Optional[str] = None, tls: Optional[bool] = None,
                 insecure: bool = False, workspace: str = "default",
                 timeout: Optional[float] = 30.0, retries: int = 5,
                 retry_delay: float = 0.1, max_retry_delay: float = 5.0):
        env = os.environ.get
        self.addr = addr or env("MITTARI_ADDR") or "127.0.0.1:50051"
        self.key = key if key is not None else env("MITTARI_KEY", "")
        ca_cert = ca_cert or env("MITTARI_CA_CERT")
        client_cert = client_cert or env("MITTARI_CLIENT_CERT")
        client_key = client_key or env("MITTARI_CLIENT_KEY")
        if bool(client_cert) != bool(client_key):
            raise ValueError("client_cert and client_key go together")
        if tls is None:
            tls = bool(ca_cert or client_cert)
        if tls:
            creds = grpc.ssl_channel_credentials(
                root_certificates=_read(ca_cert) if ca_cert else None,
                private_key=_read(client_key) if client_key else None,
                certificate_chain=_read(client_cert) if client_cert else None)
            channel = grpc.secure_channel(self.addr, creds)
        else:
            if self.key and not _is_loopback(self.addr) and not insecure:
                raise ValueError(f"{self.addr}: a key goes in clear only to a loopback "
                                 "address; give a CA certificate (MITTARI_CA_CERT) or insecure=True")
            channel = grpc.insecure_channel(self.addr)
        self._retry = _Retry(retries, retry_delay, max_retry_delay)
        self.channel = grpc.intercept_channel(channel, self._retry)
        self.parent = f"workspaces/{workspace}"
        self.timeout = timeout
        self.admin = admin_pb2_grpc.AdminServiceStub(self.channel)
        self.surveys = survey_pb2_grpc.SurveyServiceStub(self.channel)
        self.customers = customer_pb2_grpc.CustomerServiceStub(self.channel)
        self.events = event_pb2_grpc.EventServiceStub(self.channel)
        self.kpi = kpi_pb2_grpc.KpiServiceStub(self.channel)

    @property
    def retries(self) -> int:
        """Calls retried after UNAVAILABLE so far."""
        return self._retry.retries

    def call_options(self) -> dict:
        """The key and deadline every call takes: `stub.Method(req, **c.call_options())`."""
        options = {"timeout": self.timeout}
        if self.key:
            options["metadata"] = (("authorization", f"Bearer {self.key}"),)
        return options

    def call(self, method: Callable, request: Any) -> Any:
        """Calls a stub's method with the key and deadline."""
        return method(request, **self.call_options())

    def list(self, method: Callable, request: Any, field: Optional[str] = None) -> Iterator[Any]:
        """Every item of a List RPC, page after page (see `pages`)."""
        if hasattr(request, "parent") and not request.parent:
            request.parent = self.parent
        return pages(method, request, field, **self.call_options())

    def query_metric(self, metric: str, start: Any, end: Any, *, granularity: str = "none",
                     filters: Optional[Mapping[str, str]] = None,
                     group_by: Sequence[str] = (), params: Optional[Mapping[str, str]] = None,
                     min_n: int = 0) -> list[MetricRow]:
        """A KPI over [start, end) as rows; buckets are cut in the
        workspace's time zone."""
        if granularity not in _GRANULARITIES:
            raise ValueError(f"granularity: one of {', '.join(_GRANULARITIES)}")
        request = kpi_pb2.QueryMetricRequest(
            parent=self.parent, metric=metric, granularity=_GRANULARITIES[granularity],
            filters=dict(filters or {}), group_by=list(group_by), params=dict(params or {}),
            min_n=min_n)
        request.range.start_time.CopyFrom(_timestamp(start))
        request.range.end_time.CopyFrom(_timestamp(end))
        answer = self.call(self.kpi.QueryMetric, request)
        return [MetricRow.from_point(p) for p in answer.points]

    def query_metric_frame(self, *args, **kwargs):
        """query_metric as a pandas DataFrame (pandas must be installed):
        one row per point, one column per group dimension."""
        import pandas  # optional: only this method needs it
        rows = self.query_metric(*args, **kwargs)
        return pandas.DataFrame([{**dataclasses.asdict(r), **r.group} for r in rows]).drop(
            columns=["group"], errors="ignore")

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
