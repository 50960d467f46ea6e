"""The README walk-through's JSON operations, through the Python client that
openapi-python-client generates from the service's openapi.json (CI makes it afresh each run;
it is never committed). Every answer must parse into the model the document promises: a
field missing or of another type fails here, as it would in a contractor's program.

Usage: python walkthrough.py BASE_URL, with DISPATCHER_TOKEN and CAREGIVER_TOKEN in the
environment (as `carecircle serve --demo` prints them) and the generated package on PYTHONPATH.
"""

import datetime
import os
import sys
import time

from carecircle_client import AuthenticatedClient, Client
from carecircle_client.api.default import (
    get_healthz,
    get_v1_caregivers_id_route,
    get_v1_kind,
    get_v1_me_route,
    get_v1_orders,
    get_v1_plans_id,
    get_v1_stations_id_alerts,
    get_v1_stations_id_plan,
    post_v1_me_positions,
    post_v1_me_visits_id_check_in,
    post_v1_me_visits_id_check_out,
    post_v1_orders,
    post_v1_plans,
    post_v1_stations_id_absences,
)
from carecircle_client.models import (
    Absence,
    Alerts,
    AbsenceChange,
    CheckBody,
    CheckRecord,
    CreatedOrder,
    Crs,
    GetV1KindKind,
    Health,
    NewOrder,
    NewPlan,
    PageOfMasterRow,
    PageOfOrder,
    PlanState,
    Position,
    PositionAnswer,
    Problem,
    QueuedPlan,
    RouteJson,
    StationPlan,
    TimeWindow,
)


def expect(answer, model, what):
    """The parsed answer, which must be of `model`."""
    if not isinstance(answer.parsed, model):
        sys.exit(f"{what}: HTTP {answer.status_code}, expected {model.__name__}: {answer.content[:400]!r}")
    print(f"ok  {what}: {model.__name__}")
    return answer.parsed


def main(base):
    # The stations' date (UTC+8), as the README's TODAY.
    today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).date()
    desk = AuthenticatedClient(base_url=base, token=os.environ["DISPATCHER_TOKEN"], timeout=60.0)
    phone = AuthenticatedClient(base_url=base, token=os.environ["CAREGIVER_TOKEN"], timeout=60.0)

    # --- the dispatcher of S1 ---
    clients = expect(get_v1_kind.sync_detailed(GetV1KindKind.CLIENTS, client=desk, station="S1", limit=2),
                     PageOfMasterRow, "GET /v1/clients?station=S1&limit=2")
    assert 1 <= len(clients.items) <= 2, clients
    orders = expect(get_v1_orders.sync_detailed(client=desk, station="S1", date=today, limit=2),
                    PageOfOrder, "GET /v1/orders")
    assert orders.items and all(o.date == today for o in orders.items), orders
    # serve --demo plans each station's day as it starts: wait for S1's first plan.
    deadline = time.monotonic() + 120
    while get_v1_stations_id_plan.sync_detailed("S1", client=desk, date=today).status_code != 200:
        assert time.monotonic() < deadline, "S1's first plan did not come"
        time.sleep(1)
    queued = expect(post_v1_plans.sync_detailed(client=desk, body=NewPlan(station="S1", date=today, time_limit_secs=2.0)),
                    QueuedPlan, "POST /v1/plans")
    while True:
        state = expect(get_v1_plans_id.sync_detailed(str(queued.id), client=desk), PlanState, "GET /v1/plans/{id}")
        if state.status in ("done", "failed", "cancelled"):
            break
        assert time.monotonic() < deadline + 60, "the plan did not finish"
        time.sleep(1)
    assert state.status == "done", state
    plan = expect(get_v1_stations_id_plan.sync_detailed("S1", client=desk, date=today), StationPlan,
                  "GET /v1/stations/S1/plan")
    assert plan.plan.routes, plan
    urgent = NewOrder(client="K4", date=today, service="escort", duration=1800,
                      windows=[TimeWindow(start=34200, end=64800)], urgent=True)
    created = expect(post_v1_orders.sync_detailed(client=desk, body=urgent, idempotency_key=f"client-{today}-K4"),
                     CreatedOrder, "POST /v1/orders (urgent)")
    assert created.urgent and created.assignment, created
    absent = expect(post_v1_stations_id_absences.sync_detailed("S1", client=desk, body=Absence(caregiver="C4", date=today)),
                    AbsenceChange, "POST /v1/stations/S1/absences")
    assert absent.caregiver == "C4", absent
    expect(get_v1_stations_id_alerts.sync_detailed("S1", client=desk, date=today), Alerts,
           "GET /v1/stations/S1/alerts")

    # --- caregiver C1 ---
    route = expect(get_v1_me_route.sync_detailed(client=phone), RouteJson, "GET /v1/me/route")
    visit = next(s.visit for s in route.stops if "@" not in s.visit)
    here = CheckBody(lon=1.5299, lat=42.5102, crs=Crs.WGS84)
    record = expect(post_v1_me_visits_id_check_in.sync_detailed(visit, client=phone, body=here),
                    CheckRecord, "POST /v1/me/visits/{id}/check-in")
    assert record.verified, record
    expect(post_v1_me_positions.sync_detailed(client=phone, body=Position(lon=1.5301, lat=42.5104)),
           PositionAnswer, "POST /v1/me/positions")
    out = expect(post_v1_me_visits_id_check_out.sync_detailed(visit, client=phone, body=CheckBody(lon=1.5299, lat=42.5102)),
                 CheckRecord, "POST /v1/me/visits/{id}/check-out")
    assert out.rating_link, out
    refused = get_v1_caregivers_id_route.sync_detailed("C2", client=phone, date=today)
    assert refused.status_code == 403 and isinstance(refused.parsed, Problem), refused
    assert refused.parsed.code == "forbidden", refused.parsed
    print("ok  GET /v1/caregivers/C2/route as C1: 403 forbidden")

    # --- operators ---
    health = expect(get_healthz.sync_detailed(client=Client(base_url=base)), Health, "GET /healthz")
    assert health.status == "ok", health
    print("the walk-through ran on the generated client")


if __name__ == "__main__":
    main(sys.argv[1])
