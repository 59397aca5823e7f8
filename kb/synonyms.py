"""The words people use for the same IT thing. Data only; `kb.text` turns it into lookups.

EQUIVALENT words are one term on both sides (the index stores the first word of the group).
RELATED words widen a query at a lower weight: an `outlook` question may be answered by an e-mail article.
PHRASES join multi-word spellings before tokenizing, so `wi fi` and `two factor` become one word.
"""

from __future__ import annotations

import re

EQUIVALENT: tuple[tuple[str, ...], ...] = (
    ("password", "pw", "pwd", "passwd", "pword", "passwort"),
    ("2fa", "mfa", "twofactor", "2step", "multifactor", "2sv", "tfa", "otp"),
    ("email", "e-mail", "mail", "emails", "mails"),
    ("wifi", "wlan", "wi-fi"),
    ("login", "logon", "signin", "logging"),
    ("logout", "logoff", "signout"),
    ("signup", "registration"),
    ("account", "acct", "acc", "accnt"),
    ("office365", "o365", "m365", "office365"),
    ("computer", "pc", "workstation", "comp"),
    ("application", "app", "apps"),
    ("restart", "reboot", "reboots", "rebooting"),
    ("certificate", "cert", "certs"),
    ("microphone", "mic", "mics"),
    ("audio", "sound"),
    ("webcam", "cam", "camera"),
    ("administrator", "admin", "admins"),
    ("configuration", "config", "configure", "configured"),
    ("information", "info"),
    ("message", "msg", "msgs"),
    ("document", "doc", "docs"),
    ("calendar", "cal"),
    ("facebook", "fb"),
    ("youtube", "yt"),
    ("microsoft", "ms", "msft"),
    ("phone", "smartphone", "cellphone", "mobile"),
    ("username", "userid"),
    ("monitor", "display", "screen"),
    ("dock", "docking", "dockingstation"),
    ("headset", "headphone", "headphones", "earbuds"),
    ("attachment", "attachments", "attach", "attached"),
    ("spreadsheet", "spreadsheets", "sheet", "sheets"),
    ("picture", "pic", "pics", "photo", "photos", "image", "images"),
    ("delete", "remove", "erase", "deleting", "removing"),
    ("folder", "directory", "dir", "directories"),
    ("website", "webpage", "webpages", "webapp"),
    ("executable", "exe", "binary"),
)

RELATED: tuple[tuple[str, ...], ...] = (
    ("email", "outlook", "office365", "exchange", "inbox", "gmail"),
    ("vpn", "globalprotect", "anyconnect", "forticlient", "tunnel", "remote"),
    ("wifi", "wireless", "network", "hotspot", "ssid"),
    ("laptop", "notebook", "computer", "macbook", "thinkpad"),
    ("printer", "print", "printing", "copier", "mfp", "scanner"),
    ("2fa", "authenticator", "verification", "code", "token"),
    ("password", "passcode", "passphrase", "credentials"),
    ("locked", "lockout", "unlock", "disabled"),
    ("expired", "expire", "expiry"),
    ("slow", "sluggish", "laggy", "lag", "freeze", "freezing", "hang"),
    ("unstable", "patchy", "spotty", "flaky", "choppy", "intermittent", "unreliable"),
    ("crash", "crashes", "freeze", "hang", "unresponsive"),
    ("drive", "share", "folder", "mapped"),
    ("disk", "storage", "space", "drive", "full"),
    ("spam", "junk", "phishing", "scam", "suspicious"),
    ("teams", "zoom", "meeting", "call", "webex"),
    ("software", "program", "application", "install", "license"),
    ("access", "permission", "permissions", "rights"),
    ("new", "hire", "onboarding", "starter", "joiner"),
    ("lost", "stolen", "missing"),
    ("bitlocker", "encryption", "recovery"),
    ("boot", "start", "power", "startup", "turn"),
    ("keyboard", "mouse", "peripheral"),
    ("browser", "chrome", "edge", "firefox", "safari"),
    ("share", "send", "forward"),
    ("backup", "export", "archive"),
    ("delete", "deactivate", "cancel", "close"),
    ("download", "save", "offline"),
    ("private", "privacy", "hide", "hidden"),
    ("email", "message", "inbox"),
    ("search", "find", "locate", "lookup"),
    ("website", "site", "web", "page"),
    ("program", "software", "executable", "application"),
    ("hide", "conceal", "invisible"),
)

_PHRASE_TABLE: tuple[tuple[str, str], ...] = (
    (r"\bwi[\s-]+fi\b", "wifi"),
    (r"\be[\s-]+mails?\b", "email"),
    (r"\b(?:two|2|multi|multiple)[\s-]+(?:factor|step)\b", "2fa"),
    (r"\b(?:log|sign)[\s-]+in(?:to)?\b", "login"),
    (r"\blog[\s-]+on\b", "login"),
    (r"\b(?:log|sign)[\s-]+(?:out|off)\b", "logout"),
    (r"\bsign[\s-]+up\b", "signup"),
    (r"\b(?:office|microsoft|ms)[\s-]+365\b", "office365"),
    (r"\b(?:ms|microsoft)[\s-]+teams\b", "teams"),
    (r"\bset[\s-]+up\b", "setup"),
    (r"\bback[\s-]+up\b", "backup"),
    (r"\bdocking[\s-]+station\b", "dock"),
    (r"\buser[\s-]+name\b", "username"),
    (r"\blog[\s-]+in[\s-]+name\b", "username"),
    (r"\bblue[\s-]+screen\b", "bsod"),
    (r"\bpass[\s-]+word\b", "password"),
    (r"\b(?:meeting|conference)[\s-]+rooms?\b", "meetingroom"),
)

PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement) for pattern, replacement in _PHRASE_TABLE
)

STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again all am an and any anyone anything anyway are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
    don't done down during each else even ever every few for from further get gets getting got had has
    hasn't have haven't having he her here hers herself him himself his how how's however i i'd i'll i'm
    i've if im in into is isn't it it's its itself just let let's like me might more most much must my
    myself need needs no nor not now of off on once only or other ought our ours ourselves own per please
    pls possible really same since she should shouldn't so some someone something still such than thanks that
    that's the their theirs them themselves then there there's these they they're this those though through
    thx to too under until upon us very via want wanted wants was wasn't way ways we we're were weren't what
    what's whats when where where's whether which while who whom why will with within without would
    wouldn't yes yet you you're your yours yourself hi hello hey help anybody also able
    doesnt dont cant isnt didnt wasnt arent im ive id ill youre theres whats hows won't wont
    """.split()
)
