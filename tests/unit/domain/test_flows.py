"""Entry flows in the domain: a flow's nodes lead only to its own nodes, and a center's flows
route only to its queues."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from carecenter.domain.center import Center, Queue
from carecenter.domain.enums import Channel
from carecenter.domain.flows import AnnouncementNode, Flow, MenuNode, RouteNode, SelfServiceNode
from carecenter.errors import DomainError


def flow(*nodes: MenuNode | AnnouncementNode | RouteNode, start: str = "hello") -> Flow:
    return Flow("main", start, MappingProxyType({n.node_id: n for n in nodes}))


def test_a_flow_knows_its_routes_and_where_each_node_leads() -> None:
    menu = MenuNode("hello", choices=MappingProxyType({"1": "q"}), invalid="bye")
    f = flow(menu, AnnouncementNode("bye", "Goodbye"), RouteNode("q", "billing", "bills"))
    assert menu.targets() == ("q", "bye")
    assert f.routes() == [RouteNode("q", "billing", "bills")]
    assert AnnouncementNode("bye").targets() == () and RouteNode("q", "x").targets() == ()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: flow(AnnouncementNode("hello"), start="nope"), "unknown start node nope"),
        (
            lambda: flow(AnnouncementNode("hello", next="gone")),
            "node hello leads to unknown node gone",
        ),
        (lambda: MenuNode("m", retries=-1), "menu m: retries must be >= 0"),
        (lambda: SelfServiceNode("s", share=1.5), "share must be 0-1"),
    ],
)
def test_broken_flows_are_refused(build: object, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        build()  # type: ignore[operator]


def test_a_center_checks_the_queues_its_flows_route_to() -> None:
    billing = Queue("billing", "Billing", Channel.VOICE)
    routed = flow(RouteNode("hello", "billing"))
    center = Center("c", queues=MappingProxyType({"billing": billing}), flows={"main": routed})
    assert center.flows["main"] is routed
    with pytest.raises(DomainError, match="node hello routes to unknown queue billing"):
        Center("c", flows=MappingProxyType({"main": routed}))
