"""One corpus of hostile strings through every surface text is shown on: Slack mrkdwn, Discord Markdown, the
terminal (the console's cards and Rich tables), CSV, JSON, chart text and file names. Each surface has its
rule; whatever a person wrote, the rendering is inert there: no mention, no hidden link, no markup, no
escape sequence, no formula, no path, nothing invisible that reorders text, and within the surface's size."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Table

from adapters.console.render import render_card as console_card
from adapters.discord.render import escape as discord_escape
from adapters.discord.render import render_card as discord_card
from adapters.slack.render import escape as slack_escape
from adapters.slack.render import fallback_text, render_blocks
from bot.cli_common import cell
from core.cards import Card, Field
from core.reports.charts import chart_text
from core.text import csv_cell, file_name, for_terminal, json_text

CORPUS = {
    "slack mentions": "<!channel> <!here> <!everyone> <@U0123ABC> <!subteam^S0AGENTS|@it-agents> hi",
    "bare broadcasts": "@channel @here @everyone please look",
    "discord mentions": "<@123456789012345678> <@!123456789012345678> <@&987654321098765432> <#111222333444555666>",
    "masked link": "[https://sso.example.com](https://evil.example/login)",
    "slack link markup": "<https://evil.example/login|https://sso.example.com>",
    "plain link": "see https://sso.example.com/reset?user=a&next=b.",
    "rich markup": "printer [/red] broken [bold]loud[/bold] [link=https://evil.example]x[/link]",
    "discord markdown": "# URGENT\n-# small print\n> quoted\n```\nfenced\n```\n**bold** ||spoiler||",
    "terminal escapes": "\x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x07click\x1b]8;;\x07 \x1b[2J",
    "rtl override": "invoice\u202egnp.exe and \u2066isolated\u2069",
    "zero width": "ad\u200bmin\u2060 \ufeffroot \u200e\u200f",
    "nul and controls": "a\x00b\x07c\x08d\re\x7ff\x9bg\x85h",
    "formula =": '=HYPERLINK("https://evil.example","click")',
    "formula +": "+1+cmd|' /C calc'!A0",
    "formula -": "-2+3",
    "formula @": "@SUM(A1:A9)",
    "formula tab": "\t=1+1",
    "path traversal": "../../etc/passwd",
    "windows path": "..\\..\\Windows\\system32\\..",
    "hidden file": ".bashrc",
    "mathtext": r"$\frac{1}{0}$ costs $5",
    "long": "A" * 40_000,
}
CASES = list(CORPUS.items())
IDS = list(CORPUS)
INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u2060\ufeff]")
BROADCAST = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)


def card_of(text: str) -> Card:
    return Card(title=text, text=text, fields=(Field("Requester", text),), footer=text)


def assert_nothing_invisible(rendered: str) -> None:
    assert not INVISIBLE.search(rendered), repr(INVISIBLE.search(rendered))


# -- Slack mrkdwn ------------------------------------------------------------------------------------------

def slack_texts(text: str) -> list[str]:
    found: list[str] = []
    for block in render_blocks(card_of(text)):
        if "text" in block:
            found.append(block["text"]["text"])
        found.extend(f["text"] for f in block.get("fields", []))
        found.extend(e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn")
    return found + [fallback_text(card_of(text))]


@pytest.mark.parametrize(("name", "text"), CASES, ids=IDS)
def test_slack_mrkdwn_shows_no_mention_no_hidden_link_and_stays_within_limits(name: str, text: str) -> None:
    for shown in slack_texts(text) + [slack_escape(text)]:
        assert_nothing_invisible(shown)
        # The only <...> left are links we made, each shown as itself: no |label to hide where it goes.
        for bracketed in re.findall(r"<[^>]*>?", shown):
            assert re.fullmatch(r"<https?://[^|<>\s]+>", bracketed), (name, bracketed)
        assert not BROADCAST.search(shown)
    assert all(len(shown) <= 3000 for shown in slack_texts(text))
    plain_links_stay_links = {
        "masked link": "[<https://sso.example.com>](<https://evil.example/login>)",
        "slack link markup": "&lt;<https://evil.example/login>|<https://sso.example.com>&gt;",
        "plain link": "see <https://sso.example.com/reset?user=a&amp;next=b>.",
        "slack mentions": "&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;@U0123ABC&gt; "
                          "&lt;!subteam^S0AGENTS|@it-agents&gt; hi",
    }
    if name in plain_links_stay_links:
        assert slack_escape(text) == plain_links_stay_links[name]


# -- Discord Markdown --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "text"), CASES, ids=IDS)
def test_discord_markdown_neutralises_links_headings_fences_and_mentions(name: str, text: str) -> None:
    rendered = discord_card(card_of(text))
    [embed] = rendered.embeds
    assert rendered.allowed_mentions.everyone is False and rendered.allowed_mentions.users is False
    markdown = [embed.title or "", embed.description or "", embed.fields[0].value or ""]
    for shown in markdown:
        assert_nothing_invisible(shown)
        outside_links = re.sub(r"https?://\S+", "", shown)
        assert not re.search(r"(?<!\\)[\[\]<]", outside_links), (name, shown[:200])
        assert not re.search(r"(?<!\\)``(?<!\\)`", shown)
        assert not re.search(r"(?m)^[ \t]*(#{1,3}|-#|>)[ \t]", shown)
        assert not re.search(r"@(everyone|here)\b", shown)  # Discord's broadcasts (it has no @channel)
    assert len(embed.title or "") <= 256 and len(embed.description or "") <= 4096
    assert len(embed.fields[0].value) <= 1024 and len(embed) <= 6000
    assert (embed.footer.text or "").count("\\") <= text.count("\\")  # shown as plain text: no escapes added
    if name == "masked link":
        assert discord_escape(text) == r"\[https://sso.example.com\](https://evil.example/login)"


# -- The terminal ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "text"), CASES, ids=IDS)
def test_the_terminal_shows_text_as_written_never_as_markup_or_escape_sequences(name: str, text: str) -> None:
    shown = console_card(card_of(text))
    assert "\x1b" not in shown
    assert_nothing_invisible(shown.replace("\n", ""))
    output = io.StringIO()
    console = Console(file=output, width=200, color_system=None, force_terminal=False)
    table = Table("title")
    table.add_row(cell(text, limit=120))
    console.print(table)
    console.print(cell(text))
    printed = output.getvalue()
    assert "\x1b" not in printed
    assert_nothing_invisible(printed.replace("\n", ""))
    if name == "rich markup":
        assert "[/red]" in printed and "[bold]loud[/bold]" in printed
    assert for_terminal(text) == for_terminal(for_terminal(text))


# -- CSV -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "text"), CASES, ids=IDS)
def test_csv_cells_are_never_formulas_and_fit_a_spreadsheet_cell(name: str, text: str) -> None:
    value = csv_cell(text)
    assert isinstance(value, str)
    assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert len(value) <= 32_767
    assert_nothing_invisible(value.replace("\t", ""))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(["section", value, 3, -2.5])
    [row] = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert row == ["section", value, "3", "-2.5"]  # numbers stay numbers: only text is guarded
    if name.startswith("formula"):
        assert value.startswith("'")


# -- JSON ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "text"), CASES, ids=IDS)
def test_json_keeps_every_character_written_as_inert_ascii(name: str, text: str) -> None:
    written = json_text({"title": text, "n": 1})
    assert written.isascii()
    assert not re.search(r"[<>&\x00-\x08\x0b-\x1f\x7f]", written)
    assert json.loads(written) == {"title": text, "n": 1}


# -- Chart text ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "text"), CASES, ids=IDS)
def test_chart_text_is_one_inert_line_that_matplotlib_draws_as_written(name: str, text: str) -> None:
    shown = chart_text(text)
    assert "\n" not in shown and len(shown) <= 90
    assert not re.search(r"(?<!\\)\$", shown)
    assert_nothing_invisible(shown)


def test_a_chart_titled_with_hostile_text_is_drawn(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    for text in CORPUS.values():
        figure = Figure()
        FigureCanvasAgg(figure)
        figure.subplots().set_title(chart_text(text))
        figure.savefig(tmp_path / "chart.png")  # mathtext such as $\frac{1}{0}$ would raise here unescaped


# -- File names ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "text"), CASES, ids=IDS)
def test_file_names_stay_in_their_directory_and_are_plain(name: str, text: str, tmp_path: Path) -> None:
    made = file_name(text, fallback="chart", suffix=".png")
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.png", made), made
    assert ".." not in made and len(made) <= 104
    assert (tmp_path / made).resolve().parent == tmp_path.resolve()
