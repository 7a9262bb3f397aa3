"""The incident actions as users perform them, through the services, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ceasefire.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.domain.incidents import Status
from ceasefire.services import incidents

from .builders import NOW, violation_draft


def test_monitor_reports_incident_and_it_reads_back_as_stated(dep, viewer) -> None:
    monitor = viewer("jmc.ru.monitor")
    reported = incidents.report_incident(dep, monitor, violation_draft())
    again = incidents.get_incident(dep, monitor, reported.id)
    assert again.version == 1
    assert again.status is Status.reported
    assert again.owner_org == "jmc-russia"
    assert again.draft == violation_draft()
    assert again.draft.casualties.civilian_killed == 0
    assert again.draft.casualties.civilian_injured is None  # unknown stays unknown


def test_named_place_gives_the_coordinates_when_no_point_is_given(dep, viewer) -> None:
    reported = incidents.report_incident(dep, viewer("jmc.ru.monitor"), violation_draft())
    taghavard = dep.scenario.place("taghavard")
    assert taghavard is not None
    assert (reported.lat, reported.lon) == (taghavard.lat, taghavard.lon)


def test_liaison_officer_cannot_report(dep, viewer) -> None:
    with pytest.raises(Forbidden):
        incidents.report_incident(dep, viewer("am.liaison"), violation_draft())


def test_correction_is_a_new_version_and_the_old_one_stays(dep, viewer) -> None:
    monitor = viewer("jmc.ru.monitor")
    first = incidents.report_incident(dep, monitor, violation_draft())
    fixed = violation_draft(title="Mortar impacts south-east of Taghavard")
    second = incidents.correct_incident(
        dep, monitor, first.id, fixed, base_version=1, reason="bearing re-read from the feed"
    )
    assert second.version == 2
    history = incidents.incident_history(dep, monitor, first.id)
    assert [v.version for v in history] == [1, 2]
    assert history[0].content["title"] == "Mortar impacts east of Taghavard"
    assert history[1].content["title"] == "Mortar impacts south-east of Taghavard"
    assert history[1].reason == "bearing re-read from the feed"


def test_correction_from_a_stale_version_is_refused(dep, viewer) -> None:
    monitor = viewer("jmc.ru.monitor")
    first = incidents.report_incident(dep, monitor, violation_draft())
    incidents.correct_incident(
        dep, monitor, first.id, violation_draft(), base_version=1, reason="a"
    )
    with pytest.raises(Conflict):
        incidents.correct_incident(
            dep, monitor, first.id, violation_draft(), base_version=1, reason="b"
        )
    assert len(incidents.incident_history(dep, monitor, first.id)) == 2


def test_only_the_reporting_organisation_corrects(dep, viewer) -> None:
    first = incidents.report_incident(dep, viewer("jmc.ru.monitor"), violation_draft())
    with pytest.raises(Forbidden):
        incidents.correct_incident(
            dep, viewer("jmc.tr.monitor"), first.id, violation_draft(), base_version=1, reason="x"
        )


def test_both_contingents_confirm_the_same_event(dep, viewer) -> None:
    russian = viewer("jmc.ru.monitor")
    turkish = viewer("jmc.tr.monitor")
    reported = incidents.report_incident(dep, russian, violation_draft())
    corroboration = incidents.corroborate_incident(
        dep, turkish, reported.id, note="Same four impacts on our UAV feed"
    )
    assert corroboration.organisation_id == "jmc-turkey"
    after = incidents.get_incident(dep, russian, reported.id)
    assert after.status is Status.corroborated
    assert after.version == 2
    found = incidents.incident_corroborations(dep, russian, reported.id)
    assert [(c.organisation_id, c.note) for c in found] == [
        ("jmc-turkey", "Same four impacts on our UAV feed")
    ]
    with pytest.raises(Conflict):
        incidents.corroborate_incident(dep, viewer("jmc.tr.duty"), reported.id, note="again")


def test_an_organisation_cannot_corroborate_its_own_report(dep, viewer) -> None:
    reported = incidents.report_incident(dep, viewer("jmc.ru.monitor"), violation_draft())
    with pytest.raises(Forbidden):
        incidents.corroborate_incident(dep, viewer("jmc.duty"), reported.id, note="ours")


def test_status_changes_need_a_reason_and_an_allowed_step(dep, viewer) -> None:
    reported = incidents.report_incident(dep, viewer("jmc.ru.monitor"), violation_draft())
    duty = viewer("rpk.duty")
    with pytest.raises(InvalidInput) as empty:
        incidents.change_status(dep, duty, reported.id, Status.verified, reason="  ")
    assert empty.value.field == "reason"
    verified = incidents.change_status(
        dep, duty, reported.id, Status.verified, reason="craters seen by patrol"
    )
    assert verified.status is Status.verified
    with pytest.raises(InvalidInput) as back:
        incidents.change_status(dep, duty, reported.id, Status.reported, reason="undo")
    assert back.value.field == "status"


def test_a_party_disputes_and_the_reporter_retracts(dep, viewer) -> None:
    reported = incidents.report_incident(dep, viewer("jmc.ru.monitor"), violation_draft())
    incidents.change_status(
        dep,
        viewer("az.liaison"),
        reported.id,
        Status.disputed,
        reason="no firing from our positions",
    )
    with pytest.raises(Forbidden):
        incidents.change_status(
            dep, viewer("az.liaison"), reported.id, Status.retracted, reason="we say so"
        )
    retracted = incidents.change_status(
        dep, viewer("jmc.duty"), reported.id, Status.retracted, reason="feed time stamp was wrong"
    )
    assert retracted.status is Status.retracted
    history = incidents.incident_history(dep, viewer("jmc.duty"), reported.id)
    assert [(v.change, v.status) for v in history] == [
        ("reported", Status.reported),
        ("status", Status.disputed),
        ("status", Status.retracted),
    ]
    # Retracted is not deleted: it is still there to read.
    assert incidents.get_incident(dep, viewer("am.liaison"), reported.id).status is Status.retracted


def test_restricted_record_is_not_found_for_outsiders(dep, viewer) -> None:
    reported = incidents.report_incident(
        dep,
        viewer("jmc.ru.monitor"),
        violation_draft(classification="restricted", restricted_to=["mod-armenia"]),
    )
    assert incidents.get_incident(dep, viewer("am.liaison"), reported.id).id == reported.id
    with pytest.raises(NotFound):
        incidents.get_incident(dep, viewer("az.liaison"), reported.id)
    with pytest.raises(NotFound):
        incidents.incident_history(dep, viewer("az.liaison"), reported.id)


def test_sources_are_hidden_from_parties_but_not_from_the_mission(dep, viewer) -> None:
    reported = incidents.report_incident(dep, viewer("jmc.ru.monitor"), violation_draft())
    party = viewer("am.liaison")
    shown = incidents.present_incident(dep, party, incidents.get_incident(dep, party, reported.id))
    assert "sources" not in shown["record"]
    assert shown["reported_by"] is None
    assert set(shown["hidden_fields"]) == {"sources", "reported_by"}
    assert all(
        "sources" not in v.content for v in incidents.incident_history(dep, party, reported.id)
    )
    mission = viewer("rpk.duty")
    shown = incidents.present_incident(
        dep, mission, incidents.get_incident(dep, mission, reported.id)
    )
    assert shown["record"]["sources"][0]["organisation_id"] == "jmc-russia"
    assert shown["reported_by"] == "jmc.ru.monitor"


def test_names_follow_the_readers_audience(dep, viewer) -> None:
    reported = incidents.report_incident(
        dep, viewer("jmc.ru.monitor"), violation_draft(location={"place_id": "stepanakert"})
    )

    def place_for(username: str) -> str:
        reader = viewer(username)
        shown = incidents.present_incident(
            dep, reader, incidents.get_incident(dep, reader, reported.id)
        )
        return str(shown["display"]["place"])

    assert place_for("am.liaison") == "Ստեփանակերտ"
    assert place_for("az.liaison") == "Xankəndi"
    neutral = place_for("icrc.caseworker")
    assert "Stepanakert" in neutral and "Khankendi" in neutral


def test_times_in_the_future_are_refused(dep, viewer) -> None:
    later = (NOW + timedelta(hours=2)).isoformat()
    with pytest.raises(InvalidInput) as refused:
        incidents.report_incident(
            dep,
            viewer("jmc.ru.monitor"),
            violation_draft(started_at=later, ended_at=None, observations=[]),
        )
    assert refused.value.field == "started_at"


def test_observations_only_on_violation_categories(dep, viewer) -> None:
    with pytest.raises(InvalidInput) as refused:
        incidents.report_incident(dep, viewer("rpk.monitor"), violation_draft(category="livestock"))
    assert refused.value.field == "observations"
