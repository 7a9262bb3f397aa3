"""Interface labels of coded values that templates translate at run time (`_(status)`).

Message extraction only finds literal strings, so every code a page may show
through `_()` is listed here once; `tests/test_i18n.py` checks that the list
covers every value of the domain's enumerations, so a new value cannot ship
untranslated.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here."""
    return message


CODE_LABELS = frozenset(
    {
        # verification status
        N_("reported"),
        N_("corroborated"),
        N_("verified"),
        N_("disputed"),
        N_("retracted"),
        # kinds of change in a record's history
        N_("corrected"),
        N_("status"),
        # classification
        N_("public"),
        N_("mission"),
        N_("restricted"),
        N_("confidential"),
        # time and geo precision (ACLED)
        N_("exact"),
        N_("day"),
        N_("week"),
        N_("month"),
        N_("town"),
        N_("near_town"),
        N_("region"),
        # observations
        N_("post"),
        N_("patrol"),
        N_("camera"),
        N_("drone"),
        N_("explosion"),
        N_("projectile_in_flight"),
        N_("muzzle_flash"),
        N_("flare"),
        N_("burst"),
        N_("shot"),
        N_("impact"),
        N_("airburst"),
        N_("undetermined"),
        N_("incoming"),
        N_("outgoing"),
        N_("small_arms"),
        N_("heavy_machine_gun"),
        N_("grenade_launcher"),
        N_("mortar"),
        N_("artillery"),
        N_("rocket"),
        N_("tank"),
        N_("low"),
        N_("medium"),
        N_("high"),
        # actors
        N_("alleged_perpetrator"),
        N_("target"),
        N_("affected"),
        N_("responder"),
        N_("other"),
        # damage
        N_("house"),
        N_("vehicle"),
        N_("crops"),
        N_("orchard"),
        N_("infrastructure"),
        N_("livestock"),
        # fields of an incident record, as named in "what changed"
        N_("category"),
        N_("title"),
        N_("started_at"),
        N_("ended_at"),
        N_("time_precision"),
        N_("location"),
        N_("observations"),
        N_("actors"),
        N_("casualties"),
        N_("damage"),
        N_("narrative"),
        N_("sources"),
        N_("attachments"),
        N_("classification"),
        N_("restricted_to"),
        # log states and record kinds
        N_("verified"),
        N_("logged"),
        N_("altered"),
        N_("missing"),
        N_("incident"),
        N_("corroboration"),
        # notification states
        N_("pending"),
        N_("sending"),
        N_("sent"),
        N_("retrying"),
        N_("dead"),
        N_("acknowledged"),
        # activity notices: activities, status (risk levels are above)
        N_("farming"),
        N_("harvest"),
        N_("repair"),
        N_("grave_visit"),
        N_("livestock_search"),
        N_("humanitarian_delivery"),
        N_("filed"),
        N_("cancelled"),
        # movements: kinds, cargo, vehicles, outcomes, status, changes
        N_("convoy"),
        N_("passage"),
        N_("food"),
        N_("construction_materials"),
        N_("fuel"),
        N_("medicine"),
        N_("humanitarian_aid"),
        N_("household_goods"),
        N_("personal_belongings"),
        N_("other_cargo"),
        N_("truck"),
        N_("bus"),
        N_("car"),
        N_("ambulance"),
        N_("passed"),
        N_("inspected"),
        N_("held"),
        N_("turned_back"),
        N_("arrived"),
        N_("planned"),
        N_("under_way"),
        N_("registered"),
        N_("checkpoint"),
        # the civilian desk: priorities, case statuses, answer channels
        N_("urgent"),
        N_("normal"),
        N_("new"),
        N_("assigned"),
        N_("in_progress"),
        N_("resolved"),
        N_("closed"),
        N_("sms"),
        N_("email"),
        N_("telegram"),
        N_("status_page"),
        # source channels
        N_("direct_observation"),
        N_("party_report"),
        N_("resident"),
        N_("media"),
        N_("social_media"),
        N_("document"),
    }
)
