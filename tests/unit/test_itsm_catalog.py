"""The services catalog and the settings of outages, problems and changes, and how reports name services."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, parse_config
from core.config.services import Service, closest_service, default_services, service_named
from core.itsm.matching import matching_service, mentions

EMAIL = Service(name="email", display="e-mail", aliases=("outlook", "mail", "shared mailbox"))
WIFI = Service(name="wifi", display="Wi-Fi", aliases=("wi-fi", "wireless"))


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as error:
        parse_config(text, environ={})
    return [str(p) for p in error.value.problems]


@pytest.mark.parametrize("text", ["Outlook keeps crashing", "outlok is broken", "my e-mail will not send",
                                  "the shared mailbox is gone", "E-MAIL DOWN"])
def test_a_service_is_recognised_by_its_names_typos_forgiven(text: str) -> None:
    assert mentions(text, EMAIL)


@pytest.mark.parametrize("text", ["the main door is locked", "my laptop won't boot", "outbound calls fail",
                                  "the mailroom is closed"])
def test_words_that_merely_resemble_a_name_do_not_match(text: str) -> None:
    assert not mentions(text, EMAIL)


def test_a_named_service_wins_over_the_reports_category() -> None:
    assert matching_service("the wireless drops", category_service="email", services=[EMAIL, WIFI]) is WIFI
    assert matching_service("nothing named", category_service="email", services=[EMAIL, WIFI]) is EMAIL
    assert matching_service("nothing named", category_service="network", services=[EMAIL, WIFI]) is None


def test_lookups_take_names_display_names_and_aliases_and_suggest_the_closest() -> None:
    services = default_services()
    assert service_named(services, "E-Mail").name == "email"
    assert service_named(services, "VPN").name == "network"
    assert service_named(services, "emial") is None
    assert closest_service(services, "emial").name == "email"


def test_the_defaults_give_every_service_a_console_channel_and_a_known_owner() -> None:
    config = parse_config("{}", environ={})
    teams = {t.name for t in config.desk.teams}
    assert {s.name for s in config.desk.services} >= {"email", "network", "wifi", "workplace"}
    for service in config.desk.services:
        assert service.channels["console"] == ("it-help",)
        assert service.owner in teams
    assert (config.desk.change_approval, config.desk.change_notice_hours) == ("any", (24, 1))
    assert (config.desk.recurring_incidents.count, config.desk.recurring_incidents.window_hours) == (3, 24)


def test_channel_ids_are_read_as_strings_per_platform() -> None:
    config = parse_config("desk:\n  services:\n    - name: email\n      channels: {console: it-help, "
                          "discord: [456, 789]}\n", environ={})
    assert config.desk.services[0].channels == {"console": ("it-help",), "discord": ("456", "789")}


def test_a_service_owned_by_an_unknown_team_is_named() -> None:
    found = problems("desk:\n  services:\n    - {name: email, owner: mail-team}\n")
    assert found == ["desk.services: service 'email': owner 'mail-team' is not a team in desk.teams"]


def test_an_alias_naming_two_services_is_refused() -> None:
    found = problems("desk:\n  services:\n    - {name: email, aliases: [mail]}\n"
                     "    - {name: post, aliases: [mail]}\n")
    assert found == ["desk.services: service 'post': 'mail' already names 'email'"]


def test_change_approvers_must_be_people_and_the_rule_any_or_all() -> None:
    found = problems("desk:\n  people: [{name: Lee, role: admin, email: lee@example.com}]\n"
                     "  change_approvers: [Lee, Zed]\n"
                     "  change_approval: most\n  change_notice_hours: [24, 0]\n")
    assert "desk.change_approvers: 'Zed' is not a name in desk.people" in found
    assert any(p.startswith("desk.change_approval:") and "'any' or 'all'" in p for p in found)
    assert any(p.startswith("desk.change_notice_hours:") for p in found)
