"""A DNS server on loopback (dnslib) answering the TXT and A records a test publishes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dnslib import QTYPE, RCODE, RR, TXT, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer


@dataclass
class _Zone(BaseResolver):
    records: dict[str, list[str]] = field(default_factory=dict)
    addresses: dict[str, list[str]] = field(default_factory=dict)
    servfail: bool = False

    def resolve(self, request: Any, handler: Any) -> Any:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if self.servfail:
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        if name not in self.records and name not in self.addresses:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        if request.q.qtype == QTYPE.A:
            for address in self.addresses.get(name, []):
                reply.add_answer(RR(request.q.qname, QTYPE.A, rdata=A(address), ttl=60))
        if request.q.qtype == QTYPE.TXT:
            for value in self.records.get(name, []):
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=60))
        return reply


class LocalDNS:
    """`publish(name, value)` adds a TXT record; `address` is "127.0.0.1:<port>"."""

    def __init__(self) -> None:
        self.zone = _Zone()
        self._server = DNSServer(
            self.zone,
            port=0,
            address="127.0.0.1",
            tcp=False,
            logger=DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data"),
        )
        self._server.start_thread()
        self.address = f"127.0.0.1:{self._server.server.server_address[1]}"

    def publish(self, name: str, value: str) -> None:
        self.zone.records.setdefault(name.lower(), []).append(value)

    def publish_address(self, name: str, address: str) -> None:
        """An A record: `name` resolves to the IPv4 `address`."""
        self.zone.addresses.setdefault(name.lower(), []).append(address)

    def withdraw(self, name: str) -> None:
        self.zone.records.pop(name.lower(), None)

    def stop(self) -> None:
        self._server.stop()
